/**
 * A bounded map whose entries expire: per-package signal knowledge (ledger records, feed
 * advisories, first sightings) is kept this long, then read again from the store — so changes
 * made by other gateways sharing the store are seen within the time to live. `clear()` drops
 * everything at once (a feed import).
 */
export class TtlCache<K, V> {
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #map = new Map<K, { readonly value: V; readonly until: number }>();

  constructor(max: number, ttlMs: number) {
    this.#max = Math.max(1, max);
    this.#ttlMs = ttlMs;
  }

  get(key: K, now: number): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    if (e.until <= now) {
      this.#map.delete(key);
      return undefined;
    }
    this.#map.delete(key);
    this.#map.set(key, e);
    return e.value;
  }

  set(key: K, value: V, now: number): void {
    if (this.#ttlMs <= 0) return;
    this.#map.delete(key);
    this.#map.set(key, { value, until: now + this.#ttlMs });
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
  }

  clear(): void {
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }
}
