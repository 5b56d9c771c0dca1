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
/** Output chunks when the size is not known: each is a thread-pool round trip and a callback. */
const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 1024 * 1024;

export function gzipOutputChunk(data: Uint8Array, maxOutput: number, fallback: number): number {
  const n = data.length;
  if (n < 18 || data[0] !== 0x1f || data[1] !== 0x8b) return fallback;
  const isize = ((data[n - 4] as number) | ((data[n - 3] as number) << 8) | ((data[n - 2] as number) << 16) | ((data[n - 1] as number) << 24)) >>> 0;
  if (isize === 0 || isize + SLACK > maxOutput || isize > n * MAX_RATIO) return fallback;
  return isize + SLACK;
}

/**
 * The output chunk for undoing a content coding of `data` in one thread-pool job: the gzip
 * trailer's size when it is believable, else a size from the input (documents and tarballs
 * inflate several times over), so that a body takes a few round trips, not one per 64 KiB.
 */
export function oneShotChunkSize(data: Uint8Array, maxOutput: number): number {
  return gzipOutputChunk(data, maxOutput, Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, data.length * 4)));
}
