/**
 * Exposure: which versions Airlock holds (the artifacts clients downloaded through it, in every
 * repository) the imported vulnerability advisories include — what a security engineer asks the
 * day a feed brings a new advisory. It walks the packages advisories name (not every artifact),
 * reads each one's stored artifacts, and matches their versions as the gate's facts do.
 */
import { Semaphore, type Ecosystem } from '../core/index.ts';
import type { ArtifactIndex, ArtifactRecord, FeedStore } from '../storage/ports/index.ts';
import { canonicalFeedName, readAdvisories, SEVERITY_LEVELS, severityRank, vulnerabilityFacts, worseFirst, type SeverityLevel, type VulnerabilityFacts } from '../signals/index.ts';
import { ADVISORY_READS } from './advisories.ts';

export { SEVERITY_LEVELS, type SeverityLevel } from '../signals/index.ts';

/** At most this many files of a version are named in an item (the count says how many there are). */
const MAX_FILES = 16;


export interface ExposureItem {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  /** The repositories holding it. */
  readonly repos: readonly string[];
  readonly fileCount: number;
  readonly files: readonly string[];
  /** When Airlock first stored one of its files, and when a client last downloaded one. */
  readonly storedAt: string;
  readonly usedAt: string;
  readonly vulnerabilities: VulnerabilityFacts;
}

export interface ExposureReport {
  /** Packages some vulnerability advisory names (the ones looked at). */
  readonly packages: number;
  /** Versions held that match, at or above the severity asked for. */
  readonly total: number;
  /** Of those, how many by their worst severity. */
  readonly bySeverity: Readonly<Record<SeverityLevel, number>>;
  /** Worst first (severity, score, name, version), at most `limit`. */
  readonly items: readonly ExposureItem[];
}

export interface ExposureQuery {
  /** The least severity reported (default `unknown`: every advisory). */
  readonly minSeverity?: SeverityLevel;
  readonly ecosystem?: 'npm' | 'pypi';
  /** One package, by any spelling of its name (PyPI's compare in their PEP 503 form). */
  readonly name?: string;
  readonly limit: number;
}

function itemOf(ecosystem: Ecosystem, name: string, version: string, files: readonly ArtifactRecord[], facts: VulnerabilityFacts): ExposureItem {
  const stored = Math.min(...files.map((f) => f.storedAt.getTime()));
  const used = Math.max(...files.map((f) => f.usedAt.getTime()));
  return {
    ecosystem,
    name,
    version,
    purl: (files[0] as ArtifactRecord).purl,
    repos: [...new Set(files.map((f) => f.repo))].sort(),
    fileCount: files.length,
    files: [...new Set(files.map((f) => f.filename))].slice(0, MAX_FILES),
    storedAt: new Date(stored).toISOString(),
    usedAt: new Date(used).toISOString(),
    vulnerabilities: facts,
  };
}

async function exposureOf(
  deps: ExposureDeps,
  pkg: { readonly ecosystem: Ecosystem; readonly name: string },
  minRank: number,
): Promise<ExposureItem[]> {
  if (pkg.ecosystem !== 'npm' && pkg.ecosystem !== 'pypi') return [];
  const [advisories, artifacts] = await Promise.all([readAdvisories(deps.feeds, pkg.ecosystem, pkg.name), deps.artifacts.artifactsOf(pkg.ecosystem, pkg.name)]);
  if (artifacts.length === 0) return [];
  const records = advisories.vulnerabilities;
  const byVersion = new Map<string, ArtifactRecord[]>();
  for (const a of artifacts) {
    const list = byVersion.get(a.version);
    if (list === undefined) byVersion.set(a.version, [a]);
    else list.push(a);
  }
  const items: ExposureItem[] = [];
  for (const [version, files] of byVersion) {
    const facts = vulnerabilityFacts(records, version);
    if (facts.max_severity === null || severityRank(facts.max_severity) < minRank) continue;
    items.push(itemOf(pkg.ecosystem, pkg.name, version, files, facts));
  }
  return items;
}

export interface ExposureDeps {
  readonly feeds: Pick<FeedStore, 'advisoryPackages' | 'advisoriesFor'>;
  readonly artifacts: Pick<ArtifactIndex, 'artifactsOf'>;
}

export async function vulnerableArtifacts(deps: ExposureDeps, query: ExposureQuery): Promise<ExposureReport> {
  const minRank = severityRank(query.minSeverity ?? 'unknown');
  const packages = (await deps.feeds.advisoryPackages('vulnerability')).filter(
    (p) => (query.ecosystem === undefined || p.ecosystem === query.ecosystem) && (query.name === undefined || (p.ecosystem !== 'npm' && p.ecosystem !== 'pypi') || p.name === canonicalFeedName(p.ecosystem, query.name)),
  );
  const reads = new Semaphore(ADVISORY_READS);
  const found = (await Promise.all(packages.map((p) => reads.run(() => exposureOf(deps, p, minRank))))).flat();
  const worst = (item: ExposureItem) => item.vulnerabilities.records[0] as { readonly severity: SeverityLevel; readonly score: number | null; readonly id: string };
  found.sort((a, b) => worseFirst(worst(a), worst(b)) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  const bySeverity = Object.fromEntries(SEVERITY_LEVELS.map((l) => [l, 0])) as Record<SeverityLevel, number>;
  for (const item of found) bySeverity[item.vulnerabilities.max_severity as SeverityLevel]++;
  return { packages: packages.length, total: found.length, bySeverity, items: found.slice(0, query.limit) };
}
