/**
 * `input.facts.vulnerabilities` for one version of a package: the imported vulnerability
 * advisories (GHSA, PYSEC, CVE …) whose versions or ranges include it, worst first, each with its
 * severity and the version that fixes it. Matching is the malicious feeds' (exact versions, PEP
 * 440 or SemVer ranges); a range that cannot be compared with the version is not a match but
 * makes the facts `uncertain`, so a policy can hold what it cannot place.
 */
import { matchRecord } from './match.ts';
import type { FeedRecord, SeverityLevel } from './types.ts';

/** At most this many advisories are listed for one version (the count says how many there are). */
export const MAX_LISTED_VULNERABILITIES = 32;

export interface VulnerabilityRecordFacts {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly summary: string | null;
  readonly severity: SeverityLevel;
  /** CVSS v3 base score, when the advisory gives a vector. */
  readonly score: number | null;
  readonly vector: string | null;
  /** The first version without it, from the range this version is in; null when none is known. */
  readonly fixed: string | null;
  readonly published: string | null;
  readonly modified: string;
  readonly feed: string;
}

export interface VulnerabilityFacts {
  /** Advisories that include this version. */
  readonly count: number;
  /** The worst known severity among them (`unknown` only when none says); null when there are none. */
  readonly max_severity: SeverityLevel | null;
  readonly max_score: number | null;
  /** Every advisory that includes this version names a version that fixes it. */
  readonly fix_available: boolean;
  /** An advisory's range could not be compared with this version. */
  readonly uncertain: boolean;
  /** Worst first (severity, then score, then id), at most 32. */
  readonly records: readonly VulnerabilityRecordFacts[];
}

export const NO_VULNERABILITY_FACTS: VulnerabilityFacts = Object.freeze({
  count: 0,
  max_severity: null,
  max_score: null,
  fix_available: false,
  uncertain: false,
  records: Object.freeze([]) as readonly VulnerabilityRecordFacts[],
});

/** The levels, worst first. */
export const SEVERITY_LEVELS: readonly SeverityLevel[] = ['critical', 'high', 'moderate', 'low', 'unknown'];

const RANK: Readonly<Record<SeverityLevel, number>> = { critical: 4, high: 3, moderate: 2, low: 1, unknown: 0 };

/** How bad a level is, for comparisons: `unknown` lowest, `critical` highest. */
export function severityRank(level: SeverityLevel): number {
  return RANK[level];
}

/** How two severities order: the worse first. */
export function worseFirst(a: { readonly severity: SeverityLevel; readonly score: number | null; readonly id: string }, b: typeof a): number {
  return RANK[b.severity] - RANK[a.severity] || (b.score ?? -1) - (a.score ?? -1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The facts of `version` against the vulnerability records of its package (others are ignored). */
export function vulnerabilityFacts(records: readonly FeedRecord[], version: string): VulnerabilityFacts {
  const hits: VulnerabilityRecordFacts[] = [];
  let uncertain = false;
  for (const rec of records) {
    if (rec.kind !== 'vulnerability' || rec.withdrawn !== null) continue;
    const { match, range } = matchRecord(rec, version);
    if (match === 'range-uncomparable') uncertain = true;
    if (match !== 'version' && match !== 'range' && match !== 'all-versions') continue;
    hits.push({
      id: rec.id,
      aliases: rec.aliases,
      summary: rec.summary,
      severity: rec.severity?.level ?? 'unknown',
      score: rec.severity?.score ?? null,
      vector: rec.severity?.vector ?? null,
      fixed: range?.fixed ?? null,
      published: rec.published,
      modified: rec.modified,
      feed: rec.provenance.feed,
    });
  }
  if (hits.length === 0) return uncertain ? { ...NO_VULNERABILITY_FACTS, uncertain } : NO_VULNERABILITY_FACTS;
  hits.sort(worseFirst);
  const worst = hits[0] as VulnerabilityRecordFacts;
  const scores = hits.map((h) => h.score).filter((s): s is number => s !== null);
  return {
    count: hits.length,
    max_severity: worst.severity,
    max_score: scores.length === 0 ? null : Math.max(...scores),
    fix_available: hits.every((h) => h.fixed !== null),
    uncertain,
    records: hits.slice(0, MAX_LISTED_VULNERABILITIES),
  };
}
