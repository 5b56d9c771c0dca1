/**
 * A buffer that owns exactly its bytes. Stream and zlib chunks are often views into larger
 * allocations (64 KiB read buffers, zlib output chunks, the 8 KiB pool); a long-lived cache entry
 * holding such a view pins the whole allocation, so caches keep exact copies instead.
 */
export function exactBuffer(buf: Buffer): Buffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return buf;
  const out = Buffer.allocUnsafeSlow(buf.byteLength);
  buf.copy(out);
  return out;
}
