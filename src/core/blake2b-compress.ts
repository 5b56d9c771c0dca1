/**
 * The BLAKE2b compression function F (RFC 7693 §3.2), written for V8: the sixteen 64-bit words of
 * the work vector are thirty-two int32 locals (low and high halves), G (§3.1) is inlined eight
 * times in the round loop, additions carry from the low half into the high one by an unsigned
 * comparison, and nothing is allocated. Measured on Node 24 (`npm run bench:blake2b`): the work
 * vector in a typed array with G a function ran at ~22 MB/s, this at ~155; unrolling the twelve
 * rounds as well (message words as locals or constant indices) was slower, 70 to 130 MB/s.
 * Change it only with `src/core/blake2b.test.ts` and the benchmark at hand.
 */

/** The initialisation vector (RFC 7693 §2.6) as (low, high) int32 halves. */
export const IV = new Int32Array([
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
/** The message schedule as indices of the low halves of message words. */
const SIGMA2 = new Uint8Array(SIGMA.map((x) => x * 2));

/**
 * Compresses the 128-byte block at int32 offset `o` of `m` (little-endian words) into the state
 * `h` (8 words as 16 int32 halves), `count` bytes hashed so far including this block (< 2^53).
 */
export function compress(h: Int32Array, m: Int32Array, o: number, count: number, last: boolean): void {
  let v0l = h[0] as number, v0h = h[1] as number, v1l = h[2] as number, v1h = h[3] as number;
  let v2l = h[4] as number, v2h = h[5] as number, v3l = h[6] as number, v3h = h[7] as number;
  let v4l = h[8] as number, v4h = h[9] as number, v5l = h[10] as number, v5h = h[11] as number;
  let v6l = h[12] as number, v6h = h[13] as number, v7l = h[14] as number, v7h = h[15] as number;
  let v8l = IV[0] as number, v8h = IV[1] as number, v9l = IV[2] as number, v9h = IV[3] as number;
  let v10l = IV[4] as number, v10h = IV[5] as number, v11l = IV[6] as number, v11h = IV[7] as number;
  let v12l = (IV[8] as number) ^ (count | 0), v12h = (IV[9] as number) ^ ((count / 0x100000000) | 0);
  let v13l = IV[10] as number, v13h = IV[11] as number;
  const final = last ? -1 : 0;
  let v14l = (IV[12] as number) ^ final, v14h = (IV[13] as number) ^ final;
  let v15l = IV[14] as number, v15h = IV[15] as number;
  const s = SIGMA2;
  let i = 0;
  let x = 0;
  let t = 0;
  // Twelve rounds of sixteen schedule entries; rotations by 32, 24, 16 and 63 of (low, high) pairs.
  for (let r = 0; r < 192; r += 16) {
    // G(v0, v4, v8, v12) with message words σ[0], σ[1]
    i = o + (s[r] as number);
    t = (v0l + v4l) | 0; x = (t + (m[i] as number)) | 0;
    v0h = (v0h + v4h + (m[i + 1] as number) + +((t >>> 0) < (v0l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v0l = x;
    t = v12l ^ v0l; v12l = v12h ^ v0h; v12h = t;
    t = (v8l + v12l) | 0; v8h = (v8h + v12h + +((t >>> 0) < (v8l >>> 0))) | 0; v8l = t;
    t = v4l ^ v8l; x = v4h ^ v8h; v4l = (t >>> 24) | (x << 8); v4h = (x >>> 24) | (t << 8);
    i = o + (s[r + 1] as number);
    t = (v0l + v4l) | 0; x = (t + (m[i] as number)) | 0;
    v0h = (v0h + v4h + (m[i + 1] as number) + +((t >>> 0) < (v0l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v0l = x;
    t = v12l ^ v0l; x = v12h ^ v0h; v12l = (t >>> 16) | (x << 16); v12h = (x >>> 16) | (t << 16);
    t = (v8l + v12l) | 0; v8h = (v8h + v12h + +((t >>> 0) < (v8l >>> 0))) | 0; v8l = t;
    t = v4l ^ v8l; x = v4h ^ v8h; v4l = (x >>> 31) | (t << 1); v4h = (t >>> 31) | (x << 1);
    // G(v1, v5, v9, v13) with message words σ[2], σ[3]
    i = o + (s[r + 2] as number);
    t = (v1l + v5l) | 0; x = (t + (m[i] as number)) | 0;
    v1h = (v1h + v5h + (m[i + 1] as number) + +((t >>> 0) < (v1l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v1l = x;
    t = v13l ^ v1l; v13l = v13h ^ v1h; v13h = t;
    t = (v9l + v13l) | 0; v9h = (v9h + v13h + +((t >>> 0) < (v9l >>> 0))) | 0; v9l = t;
    t = v5l ^ v9l; x = v5h ^ v9h; v5l = (t >>> 24) | (x << 8); v5h = (x >>> 24) | (t << 8);
    i = o + (s[r + 3] as number);
    t = (v1l + v5l) | 0; x = (t + (m[i] as number)) | 0;
    v1h = (v1h + v5h + (m[i + 1] as number) + +((t >>> 0) < (v1l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v1l = x;
    t = v13l ^ v1l; x = v13h ^ v1h; v13l = (t >>> 16) | (x << 16); v13h = (x >>> 16) | (t << 16);
    t = (v9l + v13l) | 0; v9h = (v9h + v13h + +((t >>> 0) < (v9l >>> 0))) | 0; v9l = t;
    t = v5l ^ v9l; x = v5h ^ v9h; v5l = (x >>> 31) | (t << 1); v5h = (t >>> 31) | (x << 1);
    // G(v2, v6, v10, v14) with message words σ[4], σ[5]
    i = o + (s[r + 4] as number);
    t = (v2l + v6l) | 0; x = (t + (m[i] as number)) | 0;
    v2h = (v2h + v6h + (m[i + 1] as number) + +((t >>> 0) < (v2l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v2l = x;
    t = v14l ^ v2l; v14l = v14h ^ v2h; v14h = t;
    t = (v10l + v14l) | 0; v10h = (v10h + v14h + +((t >>> 0) < (v10l >>> 0))) | 0; v10l = t;
    t = v6l ^ v10l; x = v6h ^ v10h; v6l = (t >>> 24) | (x << 8); v6h = (x >>> 24) | (t << 8);
    i = o + (s[r + 5] as number);
    t = (v2l + v6l) | 0; x = (t + (m[i] as number)) | 0;
    v2h = (v2h + v6h + (m[i + 1] as number) + +((t >>> 0) < (v2l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v2l = x;
    t = v14l ^ v2l; x = v14h ^ v2h; v14l = (t >>> 16) | (x << 16); v14h = (x >>> 16) | (t << 16);
    t = (v10l + v14l) | 0; v10h = (v10h + v14h + +((t >>> 0) < (v10l >>> 0))) | 0; v10l = t;
    t = v6l ^ v10l; x = v6h ^ v10h; v6l = (x >>> 31) | (t << 1); v6h = (t >>> 31) | (x << 1);
    // G(v3, v7, v11, v15) with message words σ[6], σ[7]
    i = o + (s[r + 6] as number);
    t = (v3l + v7l) | 0; x = (t + (m[i] as number)) | 0;
    v3h = (v3h + v7h + (m[i + 1] as number) + +((t >>> 0) < (v3l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v3l = x;
    t = v15l ^ v3l; v15l = v15h ^ v3h; v15h = t;
    t = (v11l + v15l) | 0; v11h = (v11h + v15h + +((t >>> 0) < (v11l >>> 0))) | 0; v11l = t;
    t = v7l ^ v11l; x = v7h ^ v11h; v7l = (t >>> 24) | (x << 8); v7h = (x >>> 24) | (t << 8);
    i = o + (s[r + 7] as number);
    t = (v3l + v7l) | 0; x = (t + (m[i] as number)) | 0;
    v3h = (v3h + v7h + (m[i + 1] as number) + +((t >>> 0) < (v3l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v3l = x;
    t = v15l ^ v3l; x = v15h ^ v3h; v15l = (t >>> 16) | (x << 16); v15h = (x >>> 16) | (t << 16);
    t = (v11l + v15l) | 0; v11h = (v11h + v15h + +((t >>> 0) < (v11l >>> 0))) | 0; v11l = t;
    t = v7l ^ v11l; x = v7h ^ v11h; v7l = (x >>> 31) | (t << 1); v7h = (t >>> 31) | (x << 1);
    // G(v0, v5, v10, v15) with message words σ[8], σ[9]
    i = o + (s[r + 8] as number);
    t = (v0l + v5l) | 0; x = (t + (m[i] as number)) | 0;
    v0h = (v0h + v5h + (m[i + 1] as number) + +((t >>> 0) < (v0l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v0l = x;
    t = v15l ^ v0l; v15l = v15h ^ v0h; v15h = t;
    t = (v10l + v15l) | 0; v10h = (v10h + v15h + +((t >>> 0) < (v10l >>> 0))) | 0; v10l = t;
    t = v5l ^ v10l; x = v5h ^ v10h; v5l = (t >>> 24) | (x << 8); v5h = (x >>> 24) | (t << 8);
    i = o + (s[r + 9] as number);
    t = (v0l + v5l) | 0; x = (t + (m[i] as number)) | 0;
    v0h = (v0h + v5h + (m[i + 1] as number) + +((t >>> 0) < (v0l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v0l = x;
    t = v15l ^ v0l; x = v15h ^ v0h; v15l = (t >>> 16) | (x << 16); v15h = (x >>> 16) | (t << 16);
    t = (v10l + v15l) | 0; v10h = (v10h + v15h + +((t >>> 0) < (v10l >>> 0))) | 0; v10l = t;
    t = v5l ^ v10l; x = v5h ^ v10h; v5l = (x >>> 31) | (t << 1); v5h = (t >>> 31) | (x << 1);
    // G(v1, v6, v11, v12) with message words σ[10], σ[11]
    i = o + (s[r + 10] as number);
    t = (v1l + v6l) | 0; x = (t + (m[i] as number)) | 0;
    v1h = (v1h + v6h + (m[i + 1] as number) + +((t >>> 0) < (v1l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v1l = x;
    t = v12l ^ v1l; v12l = v12h ^ v1h; v12h = t;
    t = (v11l + v12l) | 0; v11h = (v11h + v12h + +((t >>> 0) < (v11l >>> 0))) | 0; v11l = t;
    t = v6l ^ v11l; x = v6h ^ v11h; v6l = (t >>> 24) | (x << 8); v6h = (x >>> 24) | (t << 8);
    i = o + (s[r + 11] as number);
    t = (v1l + v6l) | 0; x = (t + (m[i] as number)) | 0;
    v1h = (v1h + v6h + (m[i + 1] as number) + +((t >>> 0) < (v1l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v1l = x;
    t = v12l ^ v1l; x = v12h ^ v1h; v12l = (t >>> 16) | (x << 16); v12h = (x >>> 16) | (t << 16);
    t = (v11l + v12l) | 0; v11h = (v11h + v12h + +((t >>> 0) < (v11l >>> 0))) | 0; v11l = t;
    t = v6l ^ v11l; x = v6h ^ v11h; v6l = (x >>> 31) | (t << 1); v6h = (t >>> 31) | (x << 1);
    // G(v2, v7, v8, v13) with message words σ[12], σ[13]
    i = o + (s[r + 12] as number);
    t = (v2l + v7l) | 0; x = (t + (m[i] as number)) | 0;
    v2h = (v2h + v7h + (m[i + 1] as number) + +((t >>> 0) < (v2l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v2l = x;
    t = v13l ^ v2l; v13l = v13h ^ v2h; v13h = t;
    t = (v8l + v13l) | 0; v8h = (v8h + v13h + +((t >>> 0) < (v8l >>> 0))) | 0; v8l = t;
    t = v7l ^ v8l; x = v7h ^ v8h; v7l = (t >>> 24) | (x << 8); v7h = (x >>> 24) | (t << 8);
    i = o + (s[r + 13] as number);
    t = (v2l + v7l) | 0; x = (t + (m[i] as number)) | 0;
    v2h = (v2h + v7h + (m[i + 1] as number) + +((t >>> 0) < (v2l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v2l = x;
    t = v13l ^ v2l; x = v13h ^ v2h; v13l = (t >>> 16) | (x << 16); v13h = (x >>> 16) | (t << 16);
    t = (v8l + v13l) | 0; v8h = (v8h + v13h + +((t >>> 0) < (v8l >>> 0))) | 0; v8l = t;
    t = v7l ^ v8l; x = v7h ^ v8h; v7l = (x >>> 31) | (t << 1); v7h = (t >>> 31) | (x << 1);
    // G(v3, v4, v9, v14) with message words σ[14], σ[15]
    i = o + (s[r + 14] as number);
    t = (v3l + v4l) | 0; x = (t + (m[i] as number)) | 0;
    v3h = (v3h + v4h + (m[i + 1] as number) + +((t >>> 0) < (v3l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v3l = x;
    t = v14l ^ v3l; v14l = v14h ^ v3h; v14h = t;
    t = (v9l + v14l) | 0; v9h = (v9h + v14h + +((t >>> 0) < (v9l >>> 0))) | 0; v9l = t;
    t = v4l ^ v9l; x = v4h ^ v9h; v4l = (t >>> 24) | (x << 8); v4h = (x >>> 24) | (t << 8);
    i = o + (s[r + 15] as number);
    t = (v3l + v4l) | 0; x = (t + (m[i] as number)) | 0;
    v3h = (v3h + v4h + (m[i + 1] as number) + +((t >>> 0) < (v3l >>> 0)) + +((x >>> 0) < (t >>> 0))) | 0; v3l = x;
    t = v14l ^ v3l; x = v14h ^ v3h; v14l = (t >>> 16) | (x << 16); v14h = (x >>> 16) | (t << 16);
    t = (v9l + v14l) | 0; v9h = (v9h + v14h + +((t >>> 0) < (v9l >>> 0))) | 0; v9l = t;
    t = v4l ^ v9l; x = v4h ^ v9h; v4l = (x >>> 31) | (t << 1); v4h = (t >>> 31) | (x << 1);
  }
  h[0] = (h[0] as number) ^ v0l ^ v8l;
  h[1] = (h[1] as number) ^ v0h ^ v8h;
  h[2] = (h[2] as number) ^ v1l ^ v9l;
  h[3] = (h[3] as number) ^ v1h ^ v9h;
  h[4] = (h[4] as number) ^ v2l ^ v10l;
  h[5] = (h[5] as number) ^ v2h ^ v10h;
  h[6] = (h[6] as number) ^ v3l ^ v11l;
  h[7] = (h[7] as number) ^ v3h ^ v11h;
  h[8] = (h[8] as number) ^ v4l ^ v12l;
  h[9] = (h[9] as number) ^ v4h ^ v12h;
  h[10] = (h[10] as number) ^ v5l ^ v13l;
  h[11] = (h[11] as number) ^ v5h ^ v13h;
  h[12] = (h[12] as number) ^ v6l ^ v14l;
  h[13] = (h[13] as number) ^ v6h ^ v14h;
  h[14] = (h[14] as number) ^ v7l ^ v15l;
  h[15] = (h[15] as number) ^ v7h ^ v15h;
}
