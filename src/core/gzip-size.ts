/**
 * Sizing a one-piece gzip inflation from the member's trailer. zlib fills output chunks of a
 * fixed size and the pieces are then copied into one buffer; a chunk just larger than the
 * declared size (ISIZE, the last four bytes, little-endian) makes the first chunk the result,
 * with no copy and no garbage. The trailer is only a hint: a wrong one (hostile, or a
 * multi-member stream whose last member is small) costs chunks and a copy, never correctness,
 * and a chunk is never larger than the caller's output cap.
 */

/** Deflate's best compression ratio is about 1032:1; a claim beyond it is not believed. */
const MAX_RATIO = 1032;
const SLACK = 64;

export function gzipOutputChunk(data: Uint8Array, maxOutput: number, fallback: number): number {
  const n = data.length;
  if (n < 18 || data[0] !== 0x1f || data[1] !== 0x8b) return fallback;
  const isize = ((data[n - 4] as number) | ((data[n - 3] as number) << 8) | ((data[n - 2] as number) << 16) | ((data[n - 1] as number) << 24)) >>> 0;
  if (isize === 0 || isize + SLACK > maxOutput || isize > n * MAX_RATIO) return fallback;
  return isize + SLACK;
}
