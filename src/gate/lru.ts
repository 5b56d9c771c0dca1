/**
 * A bounded map that forgets the least recently used entries (Map keeps insertion order). Each
 * entry weighs `weigh(value)` (default 1: the bound is a number of entries); the total weight
 * stays within `max`. An entry heavier than `max` is not kept.
 */
export class Lru<K, V> {
  readonly #max: number;
  readonly #weigh: ((v: V) => number) | null;
  readonly #map = new Map<K, { readonly value: V; readonly weight: number }>();
  #total = 0;

  constructor(max: number, weigh?: (v: V) => number) {
    this.#max = Math.max(1, max);
    this.#weigh = weigh ?? null;
  }

  get(key: K): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, e);
    return e.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.#weigh === null ? 1 : this.#weigh(value);
    if (weight > this.#max) return;
    this.#map.set(key, { value, weight });
    this.#total += weight;
    for (const [k, e] of this.#map) {
      if (this.#total <= this.#max) break;
      this.#map.delete(k);
      this.#total -= e.weight;
    }
  }

  delete(key: K): boolean {
    const e = this.#map.get(key);
    if (e === undefined) return false;
    this.#map.delete(key);
    this.#total -= e.weight;
    return true;
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
}
