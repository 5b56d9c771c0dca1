/**
 * `server.cacheMemory` split between the gateway's in-process caches. Every cache is bounded by
 * estimated bytes calibrated with heap measurements (see docs/configuration.md#memory), so the
 * caches together stay within the budget whatever the traffic.
 */
export interface CacheBudget {
  /** The gate's cached verdicts (metadata per package, artifacts per file). */
  readonly verdicts: number;
  /** Signal knowledge read from the store (first sightings, ledger records, advisories, name facts). */
  readonly signals: number;
  /** Each repository's caches (packuments' indexes, views and renderings, facts, documents, hot tarballs). */
  readonly perRepository: number;
}

export const CACHE_BUDGET_SHARES = Object.freeze({ verdicts: 0.125, signals: 0.075, repositories: 0.8 });

export function cacheBudget(totalBytes: number, repositories: number): CacheBudget {
  return Object.freeze({
    verdicts: Math.floor(totalBytes * CACHE_BUDGET_SHARES.verdicts),
    signals: Math.floor(totalBytes * CACHE_BUDGET_SHARES.signals),
    perRepository: Math.floor((totalBytes * CACHE_BUDGET_SHARES.repositories) / Math.max(1, repositories)),
  });
}
