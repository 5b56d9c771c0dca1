/**
 * BLAKE2b (RFC 7693), unkeyed, with any digest length from 1 to 64 bytes, hashed incrementally.
 * Node's crypto offers only BLAKE2b-512, and BLAKE2b-256 is not its truncation (the length is a
 * parameter of the hash): the Python upload API's `blake2_256_digest` needs this. 64-bit words
 * are kept as pairs of 32-bit halves (low, high).
 */
const IV32 = new Uint32Array([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a,
  0xade682d1, 0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
]);

const SIGMA = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
  11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4, 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
  9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13, 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
  12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11, 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
  6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5, 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
];
// Indices into the message as 32-bit halves.
const SIGMA2 = new Uint8Array(SIGMA.map((x) => x * 2));

const BLOCK = 128;

export class Blake2b {
  readonly #h = new Uint32Array(16);
  readonly #v = new Uint32Array(32);
  readonly #m = new Uint32Array(32);
  readonly #block = new Uint8Array(BLOCK);
  readonly #outLength: number;
  /** Bytes in the block so far. */
  #c = 0;
  /** Bytes compressed so far (exact up to 2^53). */
  #t = 0;
  #done = false;

  constructor(outLength: number) {
    if (!Number.isInteger(outLength) || outLength < 1 || outLength > 64) throw new RangeError('BLAKE2b digest length must be 1 to 64 bytes');
    this.#outLength = outLength;
    this.#h.set(IV32);
    this.#h[0] = (this.#h[0] as number) ^ 0x01010000 ^ outLength;
  }

  update(data: Uint8Array): this {
    if (this.#done) throw new Error('BLAKE2b: update after digest');
    let i = 0;
    while (i < data.length) {
      // The last block is compressed only at the end (it carries the final flag).
      if (this.#c === BLOCK) {
        this.#t += BLOCK;
        this.#compress(false);
        this.#c = 0;
      }
      const n = Math.min(BLOCK - this.#c, data.length - i);
      this.#block.set(data.subarray(i, i + n), this.#c);
      this.#c += n;
      i += n;
    }
    return this;
  }

  digest(): Buffer {
    if (this.#done) throw new Error('BLAKE2b: digest twice');
    this.#done = true;
    this.#t += this.#c;
    this.#block.fill(0, this.#c);
    this.#compress(true);
    const out = Buffer.alloc(this.#outLength);
    for (let i = 0; i < this.#outLength; i++) out[i] = ((this.#h[i >> 2] as number) >>> (8 * (i & 3))) & 0xff;
    return out;
  }

  #compress(last: boolean): void {
    const v = this.#v;
    const m = this.#m;
    const h = this.#h;
    const b = this.#block;
    for (let i = 0; i < 16; i++) {
      v[i] = h[i] as number;
      v[i + 16] = IV32[i] as number;
    }
    v[24] = (v[24] as number) ^ (this.#t >>> 0);
    v[25] = (v[25] as number) ^ Math.floor(this.#t / 0x100000000);
    if (last) {
      v[28] = ~(v[28] as number);
      v[29] = ~(v[29] as number);
    }
    for (let i = 0; i < 32; i++) m[i] = (b[4 * i] as number) | ((b[4 * i + 1] as number) << 8) | ((b[4 * i + 2] as number) << 16) | ((b[4 * i + 3] as number) << 24);
    for (let r = 0; r < 12; r++) {
      const s = r * 16;
      g(v, m, 0, 8, 16, 24, SIGMA2[s] as number, SIGMA2[s + 1] as number);
      g(v, m, 2, 10, 18, 26, SIGMA2[s + 2] as number, SIGMA2[s + 3] as number);
      g(v, m, 4, 12, 20, 28, SIGMA2[s + 4] as number, SIGMA2[s + 5] as number);
      g(v, m, 6, 14, 22, 30, SIGMA2[s + 6] as number, SIGMA2[s + 7] as number);
      g(v, m, 0, 10, 20, 30, SIGMA2[s + 8] as number, SIGMA2[s + 9] as number);
      g(v, m, 2, 12, 22, 24, SIGMA2[s + 10] as number, SIGMA2[s + 11] as number);
      g(v, m, 4, 14, 16, 26, SIGMA2[s + 12] as number, SIGMA2[s + 13] as number);
      g(v, m, 6, 8, 18, 28, SIGMA2[s + 14] as number, SIGMA2[s + 15] as number);
    }
    for (let i = 0; i < 16; i++) h[i] = (h[i] as number) ^ (v[i] as number) ^ (v[i + 16] as number);
  }
}

/** v[a] += v[b] (64-bit). */
function add(v: Uint32Array, a: number, b: number): void {
  const lo = (v[a] as number) + (v[b] as number);
  v[a + 1] = (v[a + 1] as number) + (v[b + 1] as number) + (lo >= 0x100000000 ? 1 : 0);
  v[a] = lo;
}

/** v[a] += (hi, lo) (64-bit). */
function addWord(v: Uint32Array, a: number, lo: number, hi: number): void {
  const sum = (v[a] as number) + lo;
  v[a + 1] = (v[a + 1] as number) + hi + (sum >= 0x100000000 ? 1 : 0);
  v[a] = sum;
}

/** The mixing function G, on words a, b, c, d with message words x and y. */
function g(v: Uint32Array, m: Uint32Array, a: number, b: number, c: number, d: number, x: number, y: number): void {
  add(v, a, b);
  addWord(v, a, m[x] as number, m[x + 1] as number);
  let lo = (v[d] as number) ^ (v[a] as number);
  let hi = (v[d + 1] as number) ^ (v[a + 1] as number);
  v[d] = hi; // rotate right 32
  v[d + 1] = lo;
  add(v, c, d);
  lo = (v[b] as number) ^ (v[c] as number);
  hi = (v[b + 1] as number) ^ (v[c + 1] as number);
  v[b] = (lo >>> 24) ^ (hi << 8); // rotate right 24
  v[b + 1] = (hi >>> 24) ^ (lo << 8);
  add(v, a, b);
  addWord(v, a, m[y] as number, m[y + 1] as number);
  lo = (v[d] as number) ^ (v[a] as number);
  hi = (v[d + 1] as number) ^ (v[a + 1] as number);
  v[d] = (lo >>> 16) ^ (hi << 16); // rotate right 16
  v[d + 1] = (hi >>> 16) ^ (lo << 16);
  add(v, c, d);
  lo = (v[b] as number) ^ (v[c] as number);
  hi = (v[b + 1] as number) ^ (v[c + 1] as number);
  v[b] = (hi >>> 31) ^ (lo << 1); // rotate right 63
  v[b + 1] = (lo >>> 31) ^ (hi << 1);
}
