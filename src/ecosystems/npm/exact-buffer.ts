/**
 * A buffer that owns (nearly) exactly its bytes. Stream and zlib chunks are often views into
 * larger allocations (64 KiB read buffers, zlib output chunks, the 8 KiB pool); a long-lived cache
 * entry holding such a view pins the whole allocation, so caches keep exact copies instead. A
 * view covering all but a sliver of its allocation (a zlib chunk sized from the gzip trailer) is
 * kept as it is: copying megabytes to save 64 bytes costs more than it saves.
 */
export function exactBuffer(buf: Buffer): Buffer {
  const slack = buf.buffer.byteLength - buf.byteLength;
  if (slack === 0 || (slack <= Math.max(64, buf.byteLength >> 6) && buf.byteLength >= 4096)) return buf;
  const out = Buffer.allocUnsafeSlow(buf.byteLength);
  buf.copy(out);
  return out;
}
