import type { Ecosystem } from '../../core/index.ts';
import type { Json } from './records.ts';

/** One request for a package name that does not exist upstream (the hallucination tripwire). */
export interface MissingNameRequest {
  readonly ecosystem: Ecosystem;
  /** The ecosystem's canonical spelling (npm as published, PyPI PEP 503-normalised …). */
  readonly name: string;
  readonly at: Date;
  readonly tokenId: string | null;
  readonly userAgent: string | null;
  /** `X-Airlock-Agent`, when an AI agent identified itself. */
  readonly agent: string | null;
}

/** Who asked for a missing name, aggregated. */
export interface MissingNameAsker {
  readonly tokenId: string | null;
  readonly userAgent: string | null;
  readonly agent: string | null;
  readonly count: number;
  readonly firstAt: Date;
  readonly lastAt: Date;
}

export interface MissingNameRecord {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly firstAskedAt: Date;
  readonly lastAskedAt: Date;
  /** Every request counted, including those from askers beyond the per-name cap. */
  readonly count: number;
  /** Distinct askers, most recent first, at most MISSING_NAME_MAX_ASKERS of them. */
  readonly askers: readonly MissingNameAsker[];
  /** When the name was first seen to exist upstream after having been missing; null while missing. */
  readonly appearedAt: Date | null;
}

/** Distinct askers kept per missing name (a flood of user agents cannot grow a row without bound). */
export const MISSING_NAME_MAX_ASKERS = 50;

/** When Airlock first saw a package and its versions (not the upstream's publish dates). */
export interface FirstSeen {
  /** null when the package was never seen. */
  readonly package: Date | null;
  readonly versions: ReadonlyMap<string, Date>;
}

/**
 * One known-malicious (or otherwise flagged) package from a feed, e.g. an OSV `MAL-*` record's
 * `affected` entry for one package. Matching is by exact ecosystem and name, and exact version
 * for `versions`; `ranges` are kept verbatim as data (an OSV range from "0" without a fix means
 * "every version", which signals surface as a fact rather than a block).
 */
export type FeedAdvisoryKind = 'malicious' | 'vulnerability';

export interface FeedAdvisory {
  /** The feed, e.g. `ossf-malicious-packages`. */
  readonly source: string;
  /** The record id, e.g. `MAL-2025-46974`, `GHSA-jf85-cpcp-j695`. */
  readonly id: string;
  /** `malicious` (OSV `MAL-*`) or `vulnerability` (every other advisory). */
  readonly kind: FeedAdvisoryKind;
  /** A vulnerability's severity as the feed parsed it (`{level, score, vector}`); null for malicious records. */
  readonly severity: Json | null;
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly versions: readonly string[];
  readonly ranges: Json;
  readonly summary: string | null;
  readonly aliases: readonly string[];
  readonly published: Date | null;
  readonly modified: Date | null;
  readonly withdrawn: Date | null;
  readonly provenance: FeedProvenance;
}

export interface FeedProvenance {
  /** Where the record was read from: a file path inside an import, a URL. */
  readonly origin: string;
  /** sha256 (hex) of the record's bytes as imported. */
  readonly sha256: string;
  /** The import that brought this version of the record. */
  readonly importId: string;
}

export interface FeedPutResult {
  readonly added: number;
  readonly updated: number;
  /** Same content (sha256) as stored, or older than what is stored (by `modified`). */
  readonly unchanged: number;
}

/** A summary of one feed import, for provenance and the admin API. */
export interface FeedImport {
  readonly id: string;
  readonly source: string;
  /** What was imported: a directory, an archive, a URL. */
  readonly origin: string;
  readonly importedAt: Date;
  readonly importedBy: string;
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: number;
}

/** A cached, computed value (facts about a package, a verdict) with an expiry. */
export interface CachedEntry {
  readonly namespace: string;
  readonly key: string;
  readonly value: Json;
  readonly computedAt: Date;
  readonly expiresAt: Date;
}
