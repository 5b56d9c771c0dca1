/**
 * A least-recently-used map bounded by the total weight of its entries: `sizeOf(value)` (bytes,
 * estimated, for a memory budget), or 1 each when none is given (a bound on the number of
 * entries). An entry heavier than the whole bound is not kept.
 */
export class Lru<K, V> {
  readonly #max: number;
  readonly #sizeOf: (v: V) => number;
  readonly #onDrop: ((v: V) => void) | null;
  readonly #map = new Map<K, { value: V; size: number }>();
  #total = 0;
  #evictions = 0;
  /**
   * The key last made the most recent (the map's last entry), while it still is: a hit on it
   * leaves the order as it is, instead of taking the entry out and putting it back (a hot
   * packument's state is hit thousands of times a second, each time the same).
   */
  #newest: K | undefined = undefined;
  #hasNewest = false;

  /** `onDrop` is told of every value that leaves: evicted, deleted, replaced or cleared. */
  constructor(max: number, sizeOf: (v: V) => number = () => 1, onDrop?: (v: V) => void) {
    this.#max = max;
    this.#sizeOf = sizeOf;
    this.#onDrop = onDrop ?? null;
  }

  /** The total weight of the entries kept. */
  get weight(): number {
    return this.#total;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The bound on the total weight. */
  get max(): number {
    return this.#max;
  }

  /** Entries pushed out to make room, since the cache was made (not those deleted, replaced or cleared). */
  get evictions(): number {
    return this.#evictions;
  }

  get(key: K): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    if (!this.#hasNewest || this.#newest !== key) {
      this.#map.delete(key);
      this.#map.set(key, e);
      this.#newest = key;
      this.#hasNewest = true;
    }
    return e.value;
  }

  /** Look without refreshing recency. */
  peek(key: K): V | undefined {
    return this.#map.get(key)?.value;
  }

  /** Returns whether the value was kept: one larger than the whole budget is not. */
  set(key: K, value: V): boolean {
    this.delete(key);
    const size = this.#sizeOf(value);
    if (size > this.#max) return false;
    this.#map.set(key, { value, size });
    this.#newest = key;
    this.#hasNewest = true;
    this.#total += size;
    this.#evict();
    return this.#map.has(key);
  }

  /** The entry's size changed (e.g. a rendering was added to it). */
  resize(key: K): void {
    const e = this.#map.get(key);
    if (e === undefined) return;
    const size = this.#sizeOf(e.value);
    this.#total += size - e.size;
    e.size = size;
    this.#evict();
  }

  delete(key: K): boolean {
    const e = this.#map.get(key);
    if (e === undefined) return false;
    this.#map.delete(key);
    this.#forget(key);
    this.#total -= e.size;
    this.#onDrop?.(e.value);
    return true;
  }

  clear(): void {
    const dropped = this.#onDrop === null ? [] : [...this.#map.values()];
    this.#map.clear();
    this.#hasNewest = false;
    this.#total = 0;
    for (const e of dropped) this.#onDrop?.(e.value);
  }

  #forget(key: K): void {
    if (this.#hasNewest && this.#newest === key) {
      this.#hasNewest = false;
      this.#newest = undefined;
    }
  }

  #evict(): void {
    for (const [k, e] of this.#map) {
      if (this.#total <= this.#max) break;
      this.#map.delete(k);
      this.#forget(k);
      this.#total -= e.size;
      this.#evictions++;
      this.#onDrop?.(e.value);
    }
  }
}

/**
 * How full a cache bounded by estimated bytes is, and how often it makes room: what the metrics
 * read of it when scraped (`airlock_cache_*`).
 */
export interface CacheFill {
  /** Estimated bytes held. */
  readonly bytes: number;
  /** Estimated bytes it may hold: its share of `server.cacheMemory`. */
  readonly budgetBytes: number;
  readonly entries: number;
  /** Entries pushed out to make room since it was made. */
  readonly evictions: number;
}

/** A service's caches by name (`states`, `hotArtifacts` …). */
export type CacheFills = Readonly<Record<string, CacheFill>>;

/** What a cache bounded by weight says of itself (an `Lru` does). */
export interface WeighedCache {
  readonly weight: number;
  readonly max: number;
  readonly size: number;
  readonly evictions: number;
}

/**
 * A cache's fill now. Its weight is estimated bytes, or for one bounded by a number of entries
 * sized from a byte budget, `bytesPerUnit` (the estimate the budget was divided by).
 */
export function cacheFill(c: WeighedCache, bytesPerUnit = 1): CacheFill {
  return { bytes: c.weight * bytesPerUnit, budgetBytes: c.max * bytesPerUnit, entries: c.size, evictions: c.evictions };
}
