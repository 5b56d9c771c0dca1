/**
 * Parses one OSV record (https://ossf.github.io/osv-schema/) into feed records: one per package
 * of a supported ecosystem that its `affected` entries name (several entries for one package, as
 * GitHub writes one per release line, are merged). `MAL-*` records are known-malicious packages;
 * every other id (GHSA, PYSEC, CVE …) is a vulnerability, with its severity. The input is hostile:
 * size-capped, every field type-checked, strings bounded; a record that claims to be OSV but is
 * malformed is an error with the reason, never a partial record.
 */
import { createHash } from 'node:crypto';
import { normalizePypiName, pep503Form, shownJson } from '../../core/index.ts';
import { cvss3BaseScore, ratingOf } from './cvss.ts';
import { ADVISORY_KINDS, type AdvisoryKind, type FeedEcosystem, type FeedRecord, type Severity, type SeverityLevel, type VersionRange } from './types.ts';

export interface OsvParseLimits {
  readonly maxRecordBytes: number;
  readonly maxAffected: number;
  readonly maxVersionsPerAffected: number;
  readonly maxRangesPerAffected: number;
  readonly maxSeverities: number;
}

export const DEFAULT_OSV_LIMITS: OsvParseLimits = {
  maxRecordBytes: 4 * 1024 * 1024,
  maxAffected: 1_000,
  maxVersionsPerAffected: 100_000,
  maxRangesPerAffected: 1_000,
  maxSeverities: 16,
};

export class OsvRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OsvRecordError';
  }
}

export type OsvParseResult =
  | { readonly kind: 'records'; readonly id: string; readonly records: readonly FeedRecord[] }
  /** Valid JSON that is not an OSV record, or a record this import does not want. */
  | { readonly kind: 'skipped'; readonly reason: string };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(o: Obj, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

function fail(why: string): never {
  throw new OsvRecordError(why);
}

function optString(o: Obj, k: string, max = 4096): string | null {
  const v = get(o, k);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(`${k} must be a string`);
  return v.length > max ? v.slice(0, max) : v;
}

function stringList(v: unknown, what: string, max: number): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${what} must be an array`);
  if (v.length > max) fail(`${what} has more than ${max} entries`);
  return v.map((x, i) => {
    if (typeof x !== 'string' || x.length > 256) fail(`${what}[${i}] must be a string of at most 256 characters`);
    return x;
  });
}

const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function timestamp(o: Obj, k: string, required: boolean): string | null {
  const v = optString(o, k, 64);
  if (v === null) {
    if (required) fail(`${k} is required`);
    return null;
  }
  if (!TIMESTAMP_RE.test(v) || Number.isNaN(Date.parse(v))) fail(`${k} is not an RFC 3339 timestamp: ${JSON.stringify(v)}`);
  return v;
}

function ecosystemOf(v: unknown): FeedEcosystem | null {
  if (v === 'npm') return 'npm';
  if (v === 'PyPI') return 'pypi';
  return null;
}

/**
 * Control characters and unpaired surrogates are refused in either ecosystem, also where a PyPI
 * name that is not PEP 508 is kept anyway: no registry names a package so, and the stores refuse
 * a NUL (PostgreSQL's text cannot hold one), which failed the whole import at the store without
 * naming the record.
 */
function canonicalName(ecosystem: FeedEcosystem, raw: unknown): string {
  if (typeof raw !== 'string' || raw === '' || raw.length > 214) fail('affected.package.name must be a non-empty string of at most 214 characters');
  if (/[\u0000-\u001f\u007f]/.test(raw) || !raw.isWellFormed()) fail(`affected.package.name has control characters or unpaired surrogates: ${JSON.stringify(raw.slice(0, 80))}`);
  if (ecosystem === 'pypi') {
    try {
      return normalizePypiName(raw);
    } catch {
      // Malicious PyPI names are sometimes not valid PEP 508 names; normalise them anyway.
      return pep503Form(raw);
    }
  }
  if (/\s/.test(raw)) fail(`affected.package.name has whitespace: ${JSON.stringify(raw.slice(0, 80))}`);
  return raw;
}

export interface ParsedRanges {
  readonly ranges: VersionRange[];
  readonly allVersions: boolean;
}

/** OSV `ranges` (hostile JSON) → bounded ranges and the every-version flag. */
export function parseRanges(v: unknown, ecosystem: FeedEcosystem, limits: OsvParseLimits = DEFAULT_OSV_LIMITS): ParsedRanges {
  if (v === undefined || v === null) return { ranges: [], allVersions: false };
  if (!Array.isArray(v)) fail('affected.ranges must be an array');
  if (v.length > limits.maxRangesPerAffected) fail(`affected.ranges has more than ${limits.maxRangesPerAffected} entries`);
  const ranges: VersionRange[] = [];
  let allVersions = false;
  for (const r of v) {
    if (!isObj(r)) fail('affected.ranges[] must be objects');
    const type = get(r, 'type');
    if (type === 'GIT') continue; // commit ranges say nothing about published versions
    // Shown by core's shownJson: JSON.stringify of a hostile value nested deep overflows the stack.
    if (type !== 'SEMVER' && type !== 'ECOSYSTEM') fail(`unsupported range type ${shownJson(type, 80)}`);
    const events = get(r, 'events');
    if (!Array.isArray(events) || events.length === 0 || events.length > 1000) fail('range.events must be a non-empty array (at most 1000)');
    // Events form consecutive [introduced, end) intervals in order.
    let introduced: string | null = null;
    const flush = (fixed: string | null, lastAffected: string | null): void => {
      if (introduced === null) return;
      if (introduced === '0' && fixed === null && lastAffected === null) allVersions = true;
      else ranges.push({ type, introduced, fixed, lastAffected });
      introduced = null;
    };
    for (const e of events) {
      if (!isObj(e)) fail('range.events[] must be objects');
      const keys = Object.keys(e);
      if (keys.length !== 1) fail('each range event must have exactly one key');
      const key = keys[0] as string;
      const value = e[key];
      if (typeof value !== 'string' || value === '' || value.length > 256) fail(`range event ${key} must be a non-empty version string`);
      switch (key) {
        case 'introduced':
          flush(null, null);
          introduced = value;
          break;
        case 'fixed':
          if (introduced === null) fail('fixed without introduced');
          flush(value, null);
          break;
        case 'last_affected':
          if (introduced === null) fail('last_affected without introduced');
          flush(null, value);
          break;
        case 'limit':
          break; // a git-range concept: no effect on published versions
        default:
          fail(`unknown range event ${JSON.stringify(key)}`);
      }
    }
    flush(null, null);
  }
  return { ranges, allVersions };
}

function originsOf(doc: Obj, credits: unknown): string[] {
  const out = new Set<string>();
  const db = get(doc, 'database_specific');
  if (isObj(db)) {
    const origins = get(db, 'malicious-packages-origins');
    if (Array.isArray(origins)) {
      for (const o of origins.slice(0, 100)) {
        if (isObj(o) && typeof get(o, 'source') === 'string') out.add((get(o, 'source') as string).slice(0, 64));
      }
    }
  }
  if (out.size === 0 && Array.isArray(credits)) {
    for (const c of credits.slice(0, 100)) {
      if (isObj(c) && typeof get(c, 'name') === 'string') out.add((get(c, 'name') as string).slice(0, 64));
    }
  }
  return [...out].sort();
}

export interface OsvParseOptions {
  readonly feed: string;
  /** Path of the record in its directory or zip (provenance and error messages). */
  readonly entry: string;
  /** The kinds of record to read (default both); a record of another kind is skipped. */
  readonly kinds?: readonly AdvisoryKind[];
  readonly limits?: OsvParseLimits;
}

export function parseOsvRecord(bytes: Uint8Array, options: OsvParseOptions): OsvParseResult {
  const limits = options.limits ?? DEFAULT_OSV_LIMITS;
  if (bytes.byteLength > limits.maxRecordBytes) fail(`record is larger than ${limits.maxRecordBytes} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    fail(`not valid UTF-8 JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (!isObj(doc)) return { kind: 'skipped', reason: 'not a JSON object' };
  const id = get(doc, 'id');
  if (typeof id !== 'string' || typeof get(doc, 'modified') !== 'string') return { kind: 'skipped', reason: 'not an OSV record (no id/modified)' };
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id)) fail(`invalid record id ${JSON.stringify(id.slice(0, 80))}`);
  const kind: AdvisoryKind = id.startsWith('MAL-') ? 'malicious' : 'vulnerability';
  if (!(options.kinds ?? ADVISORY_KINDS).includes(kind)) return { kind: 'skipped', reason: `record ${id} is a ${kind} record` };
  const modified = timestamp(doc, 'modified', true) as string;
  const published = timestamp(doc, 'published', false);
  const withdrawn = timestamp(doc, 'withdrawn', false);
  const summary = optString(doc, 'summary', 1024);
  const aliases = stringList(get(doc, 'aliases'), 'aliases', 1000);
  const origins = originsOf(doc, get(doc, 'credits'));
  const severity = kind === 'vulnerability' ? severityOf(doc, limits) : null;
  const affected = get(doc, 'affected');
  if (affected === undefined) {
    if (kind === 'vulnerability') return { kind: 'skipped', reason: `record ${id} names no package` };
    fail('affected is required for a malicious-package record');
  }
  if (!Array.isArray(affected)) fail('affected must be an array');
  if (affected.length > limits.maxAffected) fail(`affected has more than ${limits.maxAffected} entries`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // Entries of one package are gathered in place: copying the versions so far at every entry
  // made 1,000 entries of 300 versions each (a 3 MB record) take 30 s.
  const byPackage = new Map<string, { readonly ecosystem: FeedEcosystem; readonly name: string; readonly versions: Set<string>; readonly ranges: VersionRange[]; allVersions: boolean }>();
  for (const a of affected) {
    if (!isObj(a)) fail('affected[] must be objects');
    const pkg = get(a, 'package');
    if (!isObj(pkg)) fail('affected.package is required');
    const ecosystem = ecosystemOf(get(pkg, 'ecosystem'));
    if (ecosystem === null) continue;
    const name = canonicalName(ecosystem, get(pkg, 'name'));
    const versions = stringList(get(a, 'versions'), 'affected.versions', limits.maxVersionsPerAffected);
    const { ranges, allVersions } = parseRanges(get(a, 'ranges'), ecosystem, limits);
    if (versions.length === 0 && ranges.length === 0 && !allVersions) {
      // A vulnerability fixed in a commit (GIT ranges only) names no published version.
      if (kind === 'vulnerability') continue;
      fail(`affected entry for ${name} lists no versions and no ranges`);
    }
    const key = `${ecosystem}\u0000${name}`;
    let same = byPackage.get(key);
    if (same === undefined) byPackage.set(key, (same = { ecosystem, name, versions: new Set(), ranges: [], allVersions: false }));
    for (const v of versions) same.versions.add(v);
    for (const r of ranges) same.ranges.push(r);
    same.allVersions ||= allVersions;
  }
  if (byPackage.size === 0) return { kind: 'skipped', reason: `record ${id} names no npm or PyPI version` };
  const records = [...byPackage.values()].map(
    (p): FeedRecord => ({
      kind,
      severity,
      id,
      ecosystem: p.ecosystem,
      name: p.name,
      versions: [...p.versions],
      ranges: p.ranges,
      allVersions: p.allVersions,
      summary,
      aliases,
      published,
      modified,
      withdrawn,
      origins,
      provenance: { feed: options.feed, entry: options.entry, sha256 },
    }),
  );
  return { kind: 'records', id, records };
}

const LEVELS: Readonly<Record<string, SeverityLevel>> = { CRITICAL: 'critical', HIGH: 'high', MODERATE: 'moderate', MEDIUM: 'moderate', LOW: 'low' };

/**
 * A vulnerability's severity: the score of its CVSS v3 vector, and the level its database gives
 * (GitHub's `database_specific.severity`), else the level of that score. A vector of another
 * CVSS version is kept, unscored.
 */
function severityOf(doc: Obj, limits: OsvParseLimits): Severity {
  const list = get(doc, 'severity');
  let score: number | null = null;
  let vector: string | null = null;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) fail('severity must be an array');
    if (list.length > limits.maxSeverities) fail(`severity has more than ${limits.maxSeverities} entries`);
    for (const entry of list) {
      if (!isObj(entry)) fail('severity[] must be objects');
      const type = get(entry, 'type');
      const value = get(entry, 'score');
      if (typeof type !== 'string' || typeof value !== 'string' || value.length > 256) fail('severity[] needs a type and a score string of at most 256 characters');
      if (type === 'CVSS_V3' && score === null) {
        score = cvss3BaseScore(value);
        if (score === null) fail(`severity score is not a CVSS v3 vector: ${JSON.stringify(value.slice(0, 80))}`);
        vector = value;
      } else if (vector === null && type.startsWith('CVSS_')) {
        vector = value;
      }
    }
  }
  const db = get(doc, 'database_specific');
  const said = isObj(db) ? get(db, 'severity') : undefined;
  const level = typeof said === 'string' && Object.hasOwn(LEVELS, said.toUpperCase()) ? (LEVELS[said.toUpperCase()] as SeverityLevel) : null;
  return { level: level ?? (score === null ? 'unknown' : ratingOf(score)), score, vector };
}
