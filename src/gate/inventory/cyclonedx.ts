/**
 * The inventory: every file Airlock holds (what clients downloaded through it, in every
 * repository: the artifact records) as a CycloneDX 1.6 SBOM, the format Dependency-Track, SCA
 * tools and auditors take — what open source and which models an organisation consumed, each
 * with the digests Airlock verified, the repositories it came through, when it was first stored
 * and last downloaded, and the imported vulnerability advisories that include its version.
 *
 * Written as it is read: the records a page at a time in the store's order, so one package's
 * files and repositories come together and its advisories are read once; never the whole
 * inventory in memory. Only the vulnerabilities are kept until the end (each advisory with the
 * components it affects), bounded.
 */
import { randomUUID } from 'node:crypto';
import { AIRLOCK_VERSION, digestHex, type Ecosystem } from '../../core/index.ts';
import type { ArtifactIndex, ArtifactRecord, FeedStore } from '../../storage/ports/index.ts';
import { readAdvisories, vulnerabilityFacts, type VulnerabilityRecordFacts } from '../../signals/index.ts';

export const CYCLONEDX_MEDIA_TYPE = 'application/vnd.cyclonedx+json; version=1.6';

const PAGE = 1000;
/** Advisories listed in `vulnerabilities`; past it, the rest are counted in a property, not listed. */
const MAX_VULNERABILITIES = 10_000;
/** Components one advisory lists as affected. */
const MAX_AFFECTS = 10_000;

export interface InventoryDeps {
  readonly artifacts: Pick<ArtifactIndex, 'listArtifacts'>;
  readonly feeds: Pick<FeedStore, 'advisoriesFor'>;
  readonly clock: () => Date;
}

export interface InventoryQuery {
  /** Only this repository's files. */
  readonly repo?: string;
  /** Only files stored or downloaded at or after this time. */
  readonly usedSince?: Date;
}

/** One component: a file of a package version, with every repository that holds it. */
interface Held {
  readonly first: ArtifactRecord;
  readonly repos: string[];
  storedAt: number;
  usedAt: number;
}

/** The vulnerability advisories of the package whose files are being written (read once per package). */
interface Advised {
  readonly key: string;
  readonly records: Awaited<ReturnType<typeof readAdvisories>>['vulnerabilities'];
}

interface Vulnerability {
  readonly facts: VulnerabilityRecordFacts;
  readonly affects: string[];
}

const COMPONENT_TYPE: Readonly<Record<Ecosystem, string>> = { npm: 'library', pypi: 'library', oci: 'container', huggingface: 'machine-learning-model' };

function bomRef(r: ArtifactRecord): string {
  return `${r.purl}#${r.filename}`;
}

/** CycloneDX's name and group: an npm scope is the group (`@acme`); a Hub dataset is data. */
function component(h: Held): Record<string, unknown> {
  const r = h.first;
  const scoped = r.ecosystem === 'npm' && r.name.startsWith('@') ? r.name.indexOf('/') : -1;
  const hashes = [{ alg: 'SHA-256', content: digestHex(r.blob) }];
  if (r.sha512 !== null) hashes.push({ alg: 'SHA-512', content: r.sha512 });
  if (r.sha1 !== null) hashes.push({ alg: 'SHA-1', content: r.sha1 });
  const properties = [
    { name: 'airlock:file', value: r.filename },
    { name: 'airlock:size', value: String(r.size) },
    ...h.repos.map((repo) => ({ name: 'airlock:repository', value: repo })),
    { name: 'airlock:first_stored', value: new Date(h.storedAt).toISOString() },
    { name: 'airlock:last_used', value: new Date(h.usedAt).toISOString() },
  ];
  return {
    type: r.ecosystem === 'huggingface' && r.name.startsWith('datasets/') ? 'data' : COMPONENT_TYPE[r.ecosystem],
    'bom-ref': bomRef(r),
    ...(scoped > 0 ? { group: r.name.slice(0, scoped), name: r.name.slice(scoped + 1) } : { name: r.name }),
    version: r.version,
    purl: r.purl,
    hashes,
    properties,
  };
}

function vulnerability(v: Vulnerability): Record<string, unknown> {
  const f = v.facts;
  const rating: Record<string, unknown> = { severity: f.severity === 'moderate' ? 'medium' : f.severity };
  if (f.score !== null) rating['score'] = f.score;
  if (f.vector !== null) {
    rating['method'] = f.vector.startsWith('CVSS:4') ? 'CVSSv4' : f.vector.startsWith('CVSS:3.1') ? 'CVSSv31' : 'CVSSv3';
    rating['vector'] = f.vector;
  }
  return {
    'bom-ref': `vulnerability:${f.id}`,
    id: f.id,
    source: { name: f.feed },
    ...(f.aliases.length > 0 ? { references: f.aliases.slice(0, 32).map((id) => ({ id, source: { name: f.feed } })) } : {}),
    ratings: [rating],
    ...(f.summary !== null ? { description: f.summary } : {}),
    ...(f.published !== null ? { published: f.published } : {}),
    updated: f.modified,
    ...(f.fixed !== null ? { recommendation: `upgrade to ${f.fixed} or later` } : {}),
    affects: v.affects.map((ref) => ({ ref })),
  };
}

/** The records in the store's order, grouped into components (one file of a version, across repositories). */
async function* heldFiles(deps: InventoryDeps, query: InventoryQuery): AsyncGenerator<Held> {
  let after: ArtifactRecord | null = null;
  let held: Held | null = null;
  for (;;) {
    const page: readonly ArtifactRecord[] = await deps.artifacts.listArtifacts({ after, limit: PAGE, ...query });
    for (const r of page) {
      if (held !== null && held.first.purl === r.purl && held.first.filename === r.filename) {
        held.repos.push(r.repo);
        held.storedAt = Math.min(held.storedAt, r.storedAt.getTime());
        held.usedAt = Math.max(held.usedAt, r.usedAt.getTime());
      } else {
        if (held !== null) yield held;
        held = { first: r, repos: [r.repo], storedAt: r.storedAt.getTime(), usedAt: r.usedAt.getTime() };
      }
    }
    const last = page[page.length - 1];
    if (page.length < PAGE || last === undefined) break;
    after = last;
  }
  if (held !== null) yield held;
}

/**
 * The SBOM's text, in pieces as they are made. `vulnerabilities` lists the imported vulnerability
 * advisories (npm and PyPI) that include a held version, each with the components it affects.
 */
export async function* cycloneDxInventory(deps: InventoryDeps, query: InventoryQuery = {}): AsyncGenerator<string> {
  const metadata = {
    timestamp: deps.clock().toISOString(),
    tools: { components: [{ type: 'application', name: 'airlock', version: AIRLOCK_VERSION }] },
    properties: [
      ...(query.repo === undefined ? [] : [{ name: 'airlock:repository_filter', value: query.repo }]),
      ...(query.usedSince === undefined ? [] : [{ name: 'airlock:used_since', value: query.usedSince.toISOString() }]),
    ],
  };
  yield `{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:${randomUUID()}","version":1,"metadata":${JSON.stringify(metadata)},"components":[`;
  const vulnerabilities = new Map<string, Vulnerability>();
  let unlisted = 0;
  let advised: Advised | null = null;
  let count = 0;
  for await (const h of heldFiles(deps, query)) {
    const r = h.first;
    yield `${count++ === 0 ? '' : ','}\n${JSON.stringify(component(h))}`;
    if (r.ecosystem !== 'npm' && r.ecosystem !== 'pypi') continue;
    const key = `${r.ecosystem}\0${r.name}`;
    if (advised === null || advised.key !== key) advised = { key, records: (await readAdvisories(deps.feeds, r.ecosystem, r.name)).vulnerabilities };
    const records = advised.records;
    if (records.length === 0) continue;
    for (const facts of vulnerabilityFacts(records, r.version).records) {
      let v = vulnerabilities.get(facts.id);
      if (v === undefined) {
        if (vulnerabilities.size >= MAX_VULNERABILITIES) {
          unlisted++;
          continue;
        }
        v = { facts, affects: [] };
        vulnerabilities.set(facts.id, v);
      }
      if (v.affects.length < MAX_AFFECTS) v.affects.push(bomRef(r));
    }
  }
  yield '\n],"vulnerabilities":[';
  let first = true;
  for (const v of vulnerabilities.values()) {
    yield `${first ? '' : ','}\n${JSON.stringify(vulnerability(v))}`;
    first = false;
  }
  const more = unlisted === 0 ? '' : `,"properties":[{"name":"airlock:vulnerabilities_not_listed","value":"${unlisted}"}]`;
  yield `\n]${more}}\n`;
}
