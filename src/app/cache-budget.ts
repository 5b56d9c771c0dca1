/**
 * `server.cacheMemory` split between the gateway's in-process caches. Every cache is bounded by
 * estimated bytes calibrated with heap measurements (see docs/configuration.md#memory), so the
 * caches together stay within the budget whatever the traffic.
 */
import type { RepositoryKind } from '../policy/input.ts';

export interface CacheBudget {
  /** The gate's cached verdicts (metadata per package, artifacts per file). */
  readonly verdicts: number;
  /** Signal knowledge read from the store (first sightings, ledger records, advisories, name facts). */
  readonly signals: number;
  /** A repository's caches (packuments' indexes, views and renderings, facts, documents, hot tarballs). */
  repository(kind: RepositoryKind | 'group'): number;
}

export const CACHE_BUDGET_SHARES = Object.freeze({ verdicts: 0.125, signals: 0.075, repositories: 0.8 });

/**
 * A hosted repository's share of the repositories' memory against a proxy's: it serves only what
 * its publishers put there, and a proxy's caches are what keep installs of the public registry's
 * packages fast.
 */
export const HOSTED_CACHE_WEIGHT = 0.25;

/** A group has no caches of its own: what it serves is cached by its members. */
function weight(kind: RepositoryKind | 'group'): number {
  return kind === 'group' ? 0 : kind === 'hosted' ? HOSTED_CACHE_WEIGHT : 1;
}

export function cacheBudget(totalBytes: number, repositories: readonly { readonly kind: RepositoryKind | 'group' }[]): CacheBudget {
  const unit = (totalBytes * CACHE_BUDGET_SHARES.repositories) / Math.max(1, repositories.reduce((n, r) => n + weight(r.kind), 0));
  return Object.freeze({
    verdicts: Math.floor(totalBytes * CACHE_BUDGET_SHARES.verdicts),
    signals: Math.floor(totalBytes * CACHE_BUDGET_SHARES.signals),
    repository: (kind: RepositoryKind | 'group') => Math.floor(unit * weight(kind)),
  });
}
