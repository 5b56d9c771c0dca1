/**
 * Conversion between parsed feed records (malicious packages, vulnerabilities) and the metadata store's feed advisories
 * (`FeedStore` port). Ranges are stored OSV-shaped (`[{type, events}]`) so that reading them back
 * goes through the same parser as an import.
 */
import type { FeedAdvisory, Json } from '../../storage/ports/index.ts';
import { OsvRecordError, parseRanges } from './osv.ts';
import type { FeedEcosystem, FeedRecord, Severity, SeverityLevel, VersionRange } from './types.ts';

const LEVELS: readonly SeverityLevel[] = ['critical', 'high', 'moderate', 'low', 'unknown'];

/** A stored severity, read back as strictly as an import reads it. */
function severityOf(adv: FeedAdvisory): Severity {
  const s = adv.severity;
  const bad = (): never => {
    throw new OsvRecordError(`stored advisory ${adv.source}/${adv.id}: malformed severity`);
  };
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return bad();
  const { level, score, vector } = s as { level?: unknown; score?: unknown; vector?: unknown };
  if (typeof level !== 'string' || !(LEVELS as readonly string[]).includes(level)) return bad();
  if (score !== null && (typeof score !== 'number' || !(score >= 0 && score <= 10))) return bad();
  if (vector !== null && typeof vector !== 'string') return bad();
  return { level: level as SeverityLevel, score: score as number | null, vector: vector as string | null };
}

function rangesJson(rec: FeedRecord): Json {
  const out: Json[] = [];
  if (rec.allVersions) out.push({ type: rec.ecosystem === 'pypi' ? 'ECOSYSTEM' : 'SEMVER', events: [{ introduced: '0' }] });
  for (const r of rec.ranges) out.push(rangeJson(r));
  return out;
}

function rangeJson(r: VersionRange): Json {
  const events: Json[] = [{ introduced: r.introduced }];
  if (r.fixed !== null) events.push({ fixed: r.fixed });
  if (r.lastAffected !== null) events.push({ last_affected: r.lastAffected });
  return { type: r.type, events };
}

export function recordToAdvisory(rec: FeedRecord, importId: string): FeedAdvisory {
  return {
    source: rec.provenance.feed,
    id: rec.id,
    kind: rec.kind,
    severity: rec.severity === null ? null : { ...rec.severity },
    ecosystem: rec.ecosystem,
    name: rec.name,
    versions: rec.versions,
    ranges: rangesJson(rec),
    summary: rec.summary,
    aliases: rec.aliases,
    published: rec.published === null ? null : new Date(rec.published),
    modified: new Date(rec.modified),
    withdrawn: rec.withdrawn === null ? null : new Date(rec.withdrawn),
    provenance: { origin: rec.provenance.entry, sha256: rec.provenance.sha256, importId },
  };
}

/** null for advisories of other ecosystems; throws OsvRecordError for stored ranges that do not parse. */
export function advisoryToRecord(adv: FeedAdvisory): FeedRecord | null {
  const ecosystem: FeedEcosystem | null = adv.ecosystem === 'npm' ? 'npm' : adv.ecosystem === 'pypi' ? 'pypi' : null;
  if (ecosystem === null) return null;
  let parsed;
  try {
    parsed = parseRanges(adv.ranges, ecosystem);
  } catch (err) {
    throw new OsvRecordError(`stored advisory ${adv.source}/${adv.id}: ${(err as Error).message}`);
  }
  return {
    kind: adv.kind,
    severity: adv.kind === 'vulnerability' ? severityOf(adv) : null,
    id: adv.id,
    ecosystem,
    name: adv.name,
    versions: adv.versions,
    ranges: parsed.ranges,
    allVersions: parsed.allVersions,
    summary: adv.summary,
    aliases: adv.aliases,
    published: adv.published?.toISOString() ?? null,
    modified: (adv.modified ?? new Date(0)).toISOString(),
    withdrawn: adv.withdrawn?.toISOString() ?? null,
    origins: [],
    provenance: { feed: adv.source, entry: adv.provenance.origin, sha256: adv.provenance.sha256 },
  };
}
