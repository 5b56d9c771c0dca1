/**
 * Advisory records as parsed from an OSV feed: known-malicious packages (`MAL-*`) and
 * vulnerabilities (GHSA, PYSEC, CVE … every other id).
 */

export type FeedEcosystem = 'npm' | 'pypi';

/** A bounded version range of a record (never the "every version" range, kept apart). */
export interface VersionRange {
  /** `SEMVER` (npm) or `ECOSYSTEM` (PyPI: PEP 440 ordering). */
  readonly type: 'SEMVER' | 'ECOSYSTEM';
  readonly introduced: string;
  /** Exclusive upper bound. */
  readonly fixed: string | null;
  /** Inclusive upper bound. */
  readonly lastAffected: string | null;
}

/** Where a record came from. */
export interface RecordProvenance {
  /** The feed's label given at import (`ossf-malicious-packages`, a file name …). */
  readonly feed: string;
  /** Path of the record inside the directory or zip. */
  readonly entry: string;
  /** sha256 hex of the record's bytes. */
  readonly sha256: string;
}

/** `malicious` for OSV `MAL-*` records, `vulnerability` for every other advisory. */
export type AdvisoryKind = 'malicious' | 'vulnerability';

export const ADVISORY_KINDS: readonly AdvisoryKind[] = ['malicious', 'vulnerability'];

/** Severity levels as GitHub's advisory database writes them, lower-cased; `unknown` when none is given. */
export type SeverityLevel = 'critical' | 'high' | 'moderate' | 'low' | 'unknown';

/** How bad a vulnerability is, from the record's own words and its CVSS vector. */
export interface Severity {
  readonly level: SeverityLevel;
  /** CVSS base score (0.0–10.0) computed from a v3 vector; null when the record has none. */
  readonly score: number | null;
  /** The CVSS vector the score came from (v3), or the record's first vector of another version. */
  readonly vector: string | null;
}

/** One package named by one record: every `affected` entry of that package merged. */
export interface FeedRecord {
  readonly kind: AdvisoryKind;
  /** Null for malicious records; for vulnerabilities, `unknown` when the record says nothing. */
  readonly severity: Severity | null;
  readonly id: string;
  readonly ecosystem: FeedEcosystem;
  /** Canonical name: npm as published, PyPI PEP 503-normalised. */
  readonly name: string;
  /** Versions listed one by one. */
  readonly versions: readonly string[];
  /** Bounded ranges (introduced > 0 or with an end). */
  readonly ranges: readonly VersionRange[];
  /** A range `introduced: "0"` without an end: every version, past and future. */
  readonly allVersions: boolean;
  readonly summary: string | null;
  readonly aliases: readonly string[];
  readonly published: string | null;
  readonly modified: string;
  /** Set when the record was withdrawn (retracted); such records never match. */
  readonly withdrawn: string | null;
  /** Reporting sources (`ghsa-malware`, `reversing-labs` … from the malicious-packages origins). */
  readonly origins: readonly string[];
  readonly provenance: RecordProvenance;
}
