/**
 * The in-memory caches `server.cacheMemory` is split between (see `cache-budget.ts`): how full each
 * is and how often it makes room, read from the services when scraped. Nothing is counted on a
 * request's path: the caches keep their own figures (`Lru.evictions`).
 */
import type { CacheFills } from '../../core/index.ts';
import { Collected, type Registry } from './registry.ts';

/** The `repo` label of the caches the whole process shares (verdicts, signals): no repository is named so. */
export const PROCESS_WIDE = '-';

export class CacheMetrics {
  readonly #sources: { readonly repo: string; readonly caches: () => CacheFills }[] = [];

  constructor(registry: Registry) {
    // Each service is asked once per scrape, however many of the metrics report from it.
    const fills = registry.oncePerScrape(() => this.#sources.flatMap(({ repo, caches }) => Object.entries(caches()).map(([cache, fill]) => ({ labels: { repo, cache }, fill }))));
    const metric = (name: string, help: string, type: 'counter' | 'gauge', field: 'bytes' | 'budgetBytes' | 'entries' | 'evictions'): void => {
      registry.register(
        new Collected(name, help, type, ['repo', 'cache'], (emit) => {
          for (const { labels, fill } of fills()) emit(labels, fill[field]);
        }),
      );
    };
    const which = ` repo is the repository, or ${PROCESS_WIDE} for the caches the whole process shares (verdicts, signals).`;
    metric('airlock_cache_bytes', `Estimated bytes an in-memory cache holds, by repository and cache.${which}`, 'gauge', 'bytes');
    metric('airlock_cache_budget_bytes', `Estimated bytes an in-memory cache may hold: its share of server.cacheMemory.${which}`, 'gauge', 'budgetBytes');
    metric('airlock_cache_entries', `Entries an in-memory cache holds.${which}`, 'gauge', 'entries');
    metric(
      'airlock_cache_evictions_total',
      `Entries an in-memory cache pushed out to make room (computed again when next needed, at a cost in CPU); not those deleted, replaced or dropped when the policy changed.${which}`,
      'counter',
      'evictions',
    );
  }

  /** Report a repository's caches (or the process's, as `PROCESS_WIDE`): `caches` is called at each scrape. */
  watch(repo: string, caches: () => CacheFills): void {
    this.#sources.push({ repo, caches });
  }
}
