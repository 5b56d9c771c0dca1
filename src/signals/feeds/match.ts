/**
 * Matching a package version against known-malicious records: exact names (PEP 503 for PyPI),
 * exact versions (listed, or inside a bounded range), and the "every version" range kept as a
 * separate fact — so a popular package that was compromised in a few releases is not blocked
 * in all of them (the policy quarantines instead).
 */
import { comparePep440, compareSemver, parsePep440, parseSemver, pep503Form, samePep440 } from '../../core/index.ts';
import type { FeedEcosystem, FeedRecord, VersionRange } from './types.ts';

export type MatchKind = 'version' | 'range' | 'all-versions' | 'range-uncomparable';

/** `input.facts.malicious` (JSON, snake_case; see docs/signals.md). */
export interface MaliciousFacts {
  /** Some record names this package (whatever the version). */
  readonly known: boolean;
  /** This exact version is listed, or inside a bounded range. */
  readonly version_listed: boolean;
  /** Some record covers every version (`introduced: "0"`, no end). */
  readonly all_versions: boolean;
  /** Some record lists specific versions or bounded ranges: a compromise of particular releases. */
  readonly explicit_versions_known: boolean;
  /** A bounded range could not be compared with this version (unparseable version strings). */
  readonly uncertain: boolean;
  readonly records: readonly {
    readonly id: string;
    readonly match: MatchKind | 'other-versions';
    readonly summary: string | null;
    readonly modified: string;
    readonly published: string | null;
    readonly origins: readonly string[];
    readonly feed: string;
    readonly entry: string;
  }[];
}

export const NO_MALICIOUS_FACTS: MaliciousFacts = {
  known: false,
  version_listed: false,
  all_versions: false,
  explicit_versions_known: false,
  uncertain: false,
  records: [],
};

/** Orders two versions of an ecosystem's scheme (PEP 440 for PyPI, SemVer for npm); null when either does not parse. */
export type VersionOrder = (a: string, b: string) => number | null;

const PEP440_ORDER: VersionOrder = (a, b) => {
  const x = parsePep440(a);
  const y = parsePep440(b);
  return x === null || y === null ? null : comparePep440(x, y);
};

const SEMVER_ORDER: VersionOrder = (a, b) => {
  const x = parseSemver(a);
  const y = parseSemver(b);
  return x === null || y === null ? null : compareSemver(x, y);
};

/** The version order of an ecosystem, or of a range (a PyPI range typed SEMVER is ordered as SemVer). */
export function versionOrder(ecosystem: FeedEcosystem, type: VersionRange['type'] = 'ECOSYSTEM'): VersionOrder {
  return ecosystem === 'pypi' && type === 'ECOSYSTEM' ? PEP440_ORDER : SEMVER_ORDER;
}

/** true / false, or null when a bound or the version cannot be ordered. */
function inRange(ecosystem: FeedEcosystem, range: VersionRange, version: string): boolean | null {
  const cmp = versionOrder(ecosystem, range.type);
  if (range.introduced !== '0') {
    const c = cmp(version, range.introduced);
    if (c === null) return null;
    if (c < 0) return false;
  }
  if (range.fixed !== null) {
    const c = cmp(version, range.fixed);
    if (c === null) return null;
    return c < 0;
  }
  if (range.lastAffected !== null) {
    const c = cmp(version, range.lastAffected);
    if (c === null) return null;
    return c <= 0;
  }
  return true;
}

function sameVersion(ecosystem: FeedEcosystem, a: string, b: string): boolean {
  if (a === b) return true;
  return ecosystem === 'pypi' && samePep440(a, b);
}

/** How a record names a version, and the bounded range it falls in (for the version a fix came in). */
export function matchRecord(rec: FeedRecord, version: string): { readonly match: MatchKind | 'other-versions'; readonly range: VersionRange | null } {
  let uncomparable = false;
  let within: VersionRange | null = null;
  for (const range of rec.ranges) {
    const hit = inRange(rec.ecosystem, range, version);
    if (hit === true) {
      within = range;
      break;
    }
    if (hit === null) uncomparable = true;
  }
  if (rec.versions.some((v) => sameVersion(rec.ecosystem, v, version))) return { match: 'version', range: within };
  if (within !== null) return { match: 'range', range: within };
  if (uncomparable) return { match: 'range-uncomparable', range: null };
  if (rec.allVersions) return { match: 'all-versions', range: null };
  return { match: 'other-versions', range: null };
}

export interface MaliciousIndex {
  readonly size: number;
  /** Records naming the package (withdrawn ones excluded). */
  lookup(ecosystem: FeedEcosystem, name: string): readonly FeedRecord[];
  match(ecosystem: FeedEcosystem, name: string, version: string): MaliciousFacts;
}

/** How feeds store a package's name: npm's as published, PyPI's in its PEP 503 form. */
export function canonicalFeedName(ecosystem: FeedEcosystem, name: string): string {
  return ecosystem === 'pypi' ? pep503Form(name) : name;
}

function key(ecosystem: FeedEcosystem, name: string): string {
  return `${ecosystem}\u0000${canonicalFeedName(ecosystem, name)}`;
}

/** The index of the known-malicious records among `records` (vulnerabilities are left out). */
export function createMaliciousIndex(records: Iterable<FeedRecord>): MaliciousIndex {
  const byName = new Map<string, FeedRecord[]>();
  let size = 0;
  for (const rec of records) {
    if (rec.withdrawn !== null || rec.kind !== 'malicious') continue;
    const k = key(rec.ecosystem, rec.name);
    const list = byName.get(k);
    if (list === undefined) byName.set(k, [rec]);
    else list.push(rec);
    size++;
  }
  const lookup = (ecosystem: FeedEcosystem, name: string): readonly FeedRecord[] => byName.get(key(ecosystem, name)) ?? [];
  return {
    size,
    lookup,
    match(ecosystem, name, version) {
      const recs = lookup(ecosystem, name);
      if (recs.length === 0) return NO_MALICIOUS_FACTS;
      const rows = recs.map((rec) => ({ rec, match: matchRecord(rec, version).match }));
      return {
        known: true,
        version_listed: rows.some((r) => r.match === 'version' || r.match === 'range'),
        all_versions: recs.some((r) => r.allVersions),
        explicit_versions_known: recs.some((r) => r.versions.length > 0 || r.ranges.length > 0),
        uncertain: rows.some((r) => r.match === 'range-uncomparable'),
        records: rows.map(({ rec, match }) => ({
          id: rec.id,
          match,
          summary: rec.summary,
          modified: rec.modified,
          published: rec.published,
          origins: rec.origins,
          feed: rec.provenance.feed,
          entry: rec.provenance.entry,
        })),
      };
    },
  };
}
