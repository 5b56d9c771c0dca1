/**
 * A bounded map whose entries expire: per-package signal knowledge (ledger records, feed
 * advisories, first sightings) is kept this long, then read again from the store — so changes
 * made by other gateways sharing the store are seen within the time to live. `clear()` drops
 * everything at once (a feed import). Each entry weighs `weigh(value)` (default 1: the bound is
 * a number of entries); the least recently used entries go when the total passes `max`.
 */
export class TtlCache<K, V> {
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #weigh: ((v: V) => number) | null;
  readonly #map = new Map<K, { readonly value: V; readonly until: number; readonly weight: number }>();
  #total = 0;
  #evictions = 0;

  constructor(max: number, ttlMs: number, weigh?: (v: V) => number) {
    this.#max = Math.max(1, max);
    this.#ttlMs = ttlMs;
    this.#weigh = weigh ?? null;
  }

  get(key: K, now: number): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    this.#map.delete(key);
    if (e.until <= now) {
      this.#total -= e.weight;
      return undefined;
    }
    this.#map.set(key, e);
    return e.value;
  }

  set(key: K, value: V, now: number): void {
    if (this.#ttlMs <= 0) return;
    this.#drop(key);
    const weight = this.#weigh === null ? 1 : this.#weigh(value);
    if (weight > this.#max) return;
    this.#map.set(key, { value, until: now + this.#ttlMs, weight });
    this.#total += weight;
    for (const [k, e] of this.#map) {
      if (this.#total <= this.#max) break;
      this.#map.delete(k);
      this.#total -= e.weight;
      this.#evictions++;
    }
  }

  #drop(key: K): void {
    const e = this.#map.get(key);
    if (e === undefined) return;
    this.#map.delete(key);
    this.#total -= e.weight;
  }

  clear(): void {
    this.#map.clear();
    this.#total = 0;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The total weight of the entries kept. */
  get weight(): number {
    return this.#total;
  }

  /** The bound on the total weight. */
  get max(): number {
    return this.#max;
  }

  /** Entries pushed out to make room (not those expired or cleared). */
  get evictions(): number {
    return this.#evictions;
  }
}
