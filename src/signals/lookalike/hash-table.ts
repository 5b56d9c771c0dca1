/**
 * Postings in typed arrays: (32-bit key hash, value, optional second value) grouped by the top
 * bits of the hash with a counting sort. The look-alike structures keep no key strings: a lookup
 * hashes its key, visits the postings with that hash and verifies each against the entry it
 * names (the key recomputed from the entry), so a hash collision costs one verification and never
 * an answer. Postings with one key stay in the order they were added.
 */

const BASE = 0x9e3779b1 | 0;

/** Final mix of a hash with a salt (a bijection of the hash for a given salt). */
export function mix(hash: number, salt: number): number {
  let f = Math.imul(hash ^ salt, 0x85ebca6b);
  f ^= f >>> 13;
  f = Math.imul(f, 0xc2b2ae35);
  f ^= f >>> 16;
  return f >>> 0;
}

/** Polynomial hash of `s` (UTF-16 code units) continuing from `h` (0 to start). */
export function hashMore(h: number, s: string): number {
  let x = h;
  for (let k = 0; k < s.length; k++) x = (Math.imul(x, BASE) + s.charCodeAt(k)) | 0;
  return x;
}

/** Hash of one string, salted per table. */
export function hashString(s: string, salt: number): number {
  return mix(hashMore(0, s), salt ^ s.length);
}

/** Collects postings in growing typed arrays; `build()` groups them. */
export class PostingsBuilder {
  #keys: Uint32Array = new Uint32Array(1024);
  #values: Uint32Array = new Uint32Array(1024);
  #extra: Uint32Array | null;
  #count = 0;

  constructor(options: { readonly extra?: boolean } = {}) {
    this.#extra = options.extra === true ? new Uint32Array(1024) : null;
  }

  add(key: number, value: number, extra = 0): void {
    if (this.#count === this.#keys.length) this.#grow();
    this.#keys[this.#count] = key;
    this.#values[this.#count] = value;
    if (this.#extra !== null) this.#extra[this.#count] = extra;
    this.#count++;
  }

  #grow(): void {
    const grown = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.#keys = grown(this.#keys);
    this.#values = grown(this.#values);
    if (this.#extra !== null) this.#extra = grown(this.#extra);
  }

  /** `maxValue` picks the narrowest array type for values. */
  build(maxValue: number): PostingTable {
    return PostingTable.group(this.#keys, this.#values, this.#extra, this.#count, maxValue);
  }
}

export class PostingTable {
  readonly #shift: number;
  readonly #offsets: Uint32Array;
  /** Hashes, values and second values of the postings, bucket by bucket. */
  readonly keys: Uint32Array;
  readonly values: Uint16Array | Uint32Array;
  readonly extra: Uint16Array | Uint32Array | null;

  private constructor(shift: number, offsets: Uint32Array, keys: Uint32Array, values: Uint16Array | Uint32Array, extra: Uint16Array | Uint32Array | null) {
    this.#shift = shift;
    this.#offsets = offsets;
    this.keys = keys;
    this.values = values;
    this.extra = extra;
  }

  /** One counting pass, one placement pass (stable); about four postings per bucket. */
  static group(keys: Uint32Array, values: Uint32Array, extra: Uint32Array | null, n: number, maxValue: number): PostingTable {
    const bits = Math.min(24, Math.max(4, Math.ceil(Math.log2(Math.max(n, 1))) - 2));
    const shift = 32 - bits;
    const offsets = new Uint32Array((1 << bits) + 1);
    for (let k = 0; k < n; k++) {
      const b = ((keys[k] as number) >>> shift) + 1;
      offsets[b] = (offsets[b] as number) + 1;
    }
    for (let b = 1; b < offsets.length; b++) offsets[b] = (offsets[b] as number) + (offsets[b - 1] as number);
    const next = offsets.slice(0, offsets.length - 1);
    const narrow = (): Uint16Array | Uint32Array => (maxValue <= 0xffff ? new Uint16Array(n) : new Uint32Array(n));
    const outKeys = new Uint32Array(n);
    const outValues = narrow();
    let maxExtra = 0;
    if (extra !== null) for (let k = 0; k < n; k++) maxExtra = Math.max(maxExtra, extra[k] as number);
    const outExtra = extra === null ? null : maxExtra <= 0xffff ? new Uint16Array(n) : new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      const key = keys[k] as number;
      const pos = next[key >>> shift] as number;
      next[key >>> shift] = pos + 1;
      outKeys[pos] = key;
      outValues[pos] = values[k] as number;
      if (outExtra !== null) outExtra[pos] = (extra as Uint32Array)[k] as number;
    }
    return new PostingTable(shift, offsets, outKeys, outValues, outExtra);
  }

  /** The postings that may have `key` are [start, end); compare `keys[k]`. */
  start(key: number): number {
    return this.#offsets[key >>> this.#shift] as number;
  }

  end(key: number): number {
    return this.#offsets[(key >>> this.#shift) + 1] as number;
  }

  get count(): number {
    return this.keys.length;
  }

  get byteLength(): number {
    return this.#offsets.byteLength + this.keys.byteLength + this.values.byteLength + (this.extra?.byteLength ?? 0);
  }
}
