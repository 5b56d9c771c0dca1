import type { CacheFills } from '../../core/index.ts';

/** Counters a repository's plugin reports, whatever its format (the app's metrics registry implements it). */
export interface RepositoryMetrics {
  /** An upstream request finished: `fresh`, `not_modified`, `stale` (served stale on error) or `error`. */
  upstreamFetch(repo: string, kind: 'metadata' | 'artifact', outcome: 'fresh' | 'not_modified' | 'stale' | 'error'): void;
  /** A request was answered from Airlock's cache (`hit`) or needed the upstream (`miss`). */
  cache(repo: string, kind: 'metadata' | 'artifact', result: 'hit' | 'miss'): void;
  /** The repository's in-memory caches, read when scraped: `caches` is called then, never on a request's path. */
  watchCaches(repo: string, caches: () => CacheFills): void;
}
