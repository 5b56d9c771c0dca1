import type { Ecosystem } from '../../core/index.ts';
import type { Page } from './records.ts';
import type {
  CachedEntry,
  FeedAdvisory,
  FeedAdvisoryKind,
  FeedImport,
  FeedPutResult,
  FirstSeen,
  MissingNameRecord,
  MissingNameRequest,
} from './signal-records.ts';

/**
 * Storage for the risk signals (issue 4), as role interfaces beside the MetadataStore. Same
 * error conventions as `metadata-store.ts`. Drivers pass `runSignalStoreConformance`.
 */

export interface MissingNameLedger {
  /** Count one request for a name the upstream does not have (aggregated per asker). */
  recordMissing(req: MissingNameRequest): Promise<void>;
  getMissing(ecosystem: Ecosystem, name: string): Promise<MissingNameRecord | null>;
  /**
   * The name exists upstream now: keep the record (it is the `requested_while_missing` fact)
   * and stamp when it appeared. False when the name was never requested or already stamped.
   */
  markAppeared(ecosystem: Ecosystem, name: string, at: Date): Promise<boolean>;
  /** Most requested first (then most recent); names that appeared are included only when asked. */
  topMissing(filter: {
    readonly ecosystem?: Ecosystem;
    readonly includeAppeared?: boolean;
    readonly limit: number;
  }): Promise<readonly MissingNameRecord[]>;
}

export interface FirstSeenStore {
  /**
   * Note that the package and these versions were seen at `at`; earlier dates are kept.
   * Returns the first-seen date of each given version (and is cheap when nothing is new).
   */
  markSeen(ecosystem: Ecosystem, name: string, versions: readonly string[], at: Date): Promise<ReadonlyMap<string, Date>>;
  /**
   * When the package and its versions were first seen: every version's date, or only the given
   * versions' (an artifact judgement needs one version of a package that may list thousands).
   */
  firstSeen(ecosystem: Ecosystem, name: string, versions?: readonly string[]): Promise<FirstSeen>;
}

export interface FeedStore {
  /**
   * Insert or update advisories in one transaction, keyed by (source, id, ecosystem, name). A
   * record older (by `modified`) than the stored one, or with the same sha256, is unchanged.
   */
  putAdvisories(advisories: readonly FeedAdvisory[]): Promise<FeedPutResult>;
  /** Advisories naming this exact package (withdrawn ones excluded), by source and id. */
  advisoriesFor(ecosystem: Ecosystem, name: string): Promise<readonly FeedAdvisory[]>;
  /** The packages advisories of this kind name (withdrawn ones excluded), each once, by ecosystem and name. */
  advisoryPackages(kind: FeedAdvisoryKind): Promise<readonly { readonly ecosystem: Ecosystem; readonly name: string }[]>;
  /** Advisories that list this exact version (withdrawn ones excluded). */
  advisoriesForVersion(ecosystem: Ecosystem, name: string, version: string): Promise<readonly FeedAdvisory[]>;
  recordFeedImport(rec: FeedImport): Promise<void>;
  /** Newest first (importedAt, then id). */
  listFeedImports(filter: { readonly limit: number; readonly cursor?: string }): Promise<Page<FeedImport>>;
  /**
   * A number that grows whenever `putAdvisories` changed anything (from any process), for
   * invalidating cached facts and verdicts.
   */
  feedRevision(): Promise<number>;
}

export interface FactCache {
  /** The entry, or null when absent or expired at `now`. */
  getCached(namespace: string, key: string, now: Date): Promise<CachedEntry | null>;
  /** Insert or replace. */
  putCached(entry: CachedEntry): Promise<void>;
  /** Drop one namespace (or all) — e.g. after a policy or feed change. Returns entries removed. */
  clearCached(namespace?: string): Promise<number>;
  /** Remove entries expired at `now`. Returns entries removed. */
  purgeExpired(now: Date): Promise<number>;
}

export interface SignalStore extends MissingNameLedger, FirstSeenStore, FeedStore, FactCache {}
