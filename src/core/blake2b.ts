/**
 * BLAKE2b (RFC 7693), unkeyed, with any digest length from 1 to 64 bytes, hashed incrementally.
 * Node's crypto offers only BLAKE2b-512, and BLAKE2b-256 is not its truncation (the length is a
 * parameter of the hash, mixed into the first state word): the Python upload API's
 * `blake2_256_digest` needs this. The compression function is in `blake2b-compress.ts`; this
 * class buffers and feeds it without allocating per block: whole blocks of an aligned input are
 * read in place on little-endian machines, unaligned ones copied in runs into reused scratch.
 */
import { compress, IV } from './blake2b-compress.ts';

const BLOCK = 128;
/** Bytes of unaligned input copied at once. */
const SCRATCH = 64 * BLOCK;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class Blake2b {
  /** The chaining state, eight 64-bit words as (low, high) int32 halves. */
  readonly #h = new Int32Array(16);
  /** The pending block as bytes, and as message words once loaded. */
  readonly #block = new Uint8Array(BLOCK);
  readonly #m = new Int32Array(BLOCK / 4);
  readonly #scratch = new Uint8Array(SCRATCH);
  readonly #scratch32 = new Int32Array(this.#scratch.buffer);
  readonly #outLength: number;
  /** Bytes in the pending block. */
  #c = 0;
  /** Bytes compressed so far (exact up to 2^53). */
  #t = 0;
  #done = false;

  constructor(outLength: number) {
    if (!Number.isInteger(outLength) || outLength < 1 || outLength > 64) throw new RangeError('BLAKE2b digest length must be 1 to 64 bytes');
    this.#outLength = outLength;
    this.#h.set(IV);
    // Parameter block: digest length, key length 0, fanout 1, depth 1.
    this.#h[0] = (this.#h[0] as number) ^ 0x01010000 ^ outLength;
  }

  update(data: Uint8Array): this {
    if (this.#done) throw new Error('BLAKE2b: update after digest');
    const n = data.length;
    let i = 0;
    while (i < n) {
      // A block is compressed only once more input follows it: the last one carries the final flag.
      if (this.#c === BLOCK) {
        this.#t += BLOCK;
        load(this.#m, this.#block, 0);
        compress(this.#h, this.#m, 0, this.#t, false);
        this.#c = 0;
      }
      if (this.#c === 0 && n - i > BLOCK) i = this.#blocks(data, i);
      const take = Math.min(BLOCK - this.#c, n - i);
      this.#block.set(data.subarray(i, i + take), this.#c);
      this.#c += take;
      i += take;
    }
    return this;
  }

  digest(): Buffer {
    if (this.#done) throw new Error('BLAKE2b: digest twice');
    this.#done = true;
    this.#t += this.#c;
    this.#block.fill(0, this.#c);
    load(this.#m, this.#block, 0);
    compress(this.#h, this.#m, 0, this.#t, true);
    const out = Buffer.alloc(this.#outLength);
    for (let i = 0; i < this.#outLength; i++) out[i] = ((this.#h[i >> 2] as number) >>> (8 * (i & 3))) & 0xff;
    return out;
  }

  /** Compresses whole blocks of `data` from `i` while more than a block remains; returns where it stopped. */
  #blocks(data: Uint8Array, i: number): number {
    const n = data.length;
    if (!LITTLE_ENDIAN) {
      for (; n - i > BLOCK; i += BLOCK) {
        this.#t += BLOCK;
        load(this.#m, data, i);
        compress(this.#h, this.#m, 0, this.#t, false);
      }
      return i;
    }
    const at = data.byteOffset + i;
    if (at % 4 === 0) {
      const words = new Int32Array(data.buffer, at, (n - i) >> 2);
      for (let o = 0; n - i > BLOCK; i += BLOCK, o += BLOCK / 4) {
        this.#t += BLOCK;
        compress(this.#h, words, o, this.#t, false);
      }
      return i;
    }
    // Unaligned: runs of whole blocks are copied into aligned scratch and read there.
    while (n - i > BLOCK) {
      const run = Math.min(SCRATCH, Math.floor((n - i - 1) / BLOCK) * BLOCK);
      this.#scratch.set(data.subarray(i, i + run));
      for (let o = 0; o < run / 4; o += BLOCK / 4) {
        this.#t += BLOCK;
        compress(this.#h, this.#scratch32, o, this.#t, false);
      }
      i += run;
    }
    return i;
  }
}

/** Reads the 128 bytes at `at` of `bytes` into `m` as little-endian words. */
function load(m: Int32Array, bytes: Uint8Array, at: number): void {
  for (let w = 0; w < BLOCK / 4; w++, at += 4) {
    m[w] = (bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24);
  }
}
