/**
 * A bounded, read-only zip reader for feed archives. It reads the central directory (zip64
 * included), then each entry's data on demand through a random-access source, and checks
 * everything a hostile archive can lie about: sizes, offsets inside the file, overlapping
 * entries, compression ratio, CRC-32, encryption, unsupported methods and multi-disk archives.
 * Entries are yielded one at a time, so memory is bounded by the largest entry.
 */
import { crc32, inflateRawSync } from 'node:zlib';

export interface RandomAccessSource {
  readonly size: number;
  /** Exactly `length` bytes at `position` (throws when the source is shorter). */
  read(position: number, length: number): Promise<Uint8Array>;
}

export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxCentralDirectoryBytes: number;
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
  /** Uncompressed / compressed size above which an entry is treated as a bomb. */
  readonly maxCompressionRatio: number;
  readonly maxNameBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1_000_000,
  maxCentralDirectoryBytes: 256 * 1024 * 1024,
  maxEntryBytes: 8 * 1024 * 1024,
  maxTotalBytes: 4 * 1024 * 1024 * 1024,
  maxCompressionRatio: 1000,
  maxNameBytes: 4096,
};

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

export interface ZipEntry {
  readonly name: string;
  readonly method: 0 | 8;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc: number;
  readonly localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;

function fail(why: string): never {
  throw new ZipFormatError(why);
}

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('64-bit field out of range');
  return Number(v);
}

interface Directory {
  readonly count: number;
  readonly size: number;
  readonly offset: number;
}

async function findDirectory(src: RandomAccessSource): Promise<Directory> {
  if (src.size < 22) fail('too short to be a zip archive');
  const tailLength = Math.min(src.size, 22 + U16_MAX);
  const tailStart = src.size - tailLength;
  const tail = await src.read(tailStart, tailLength);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD_SIG && i + 22 + view.getUint16(i + 20, true) === tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) fail('no end-of-central-directory record (not a zip archive, or trailing data)');
  if (view.getUint16(at + 4, true) !== 0 || view.getUint16(at + 6, true) !== 0) fail('multi-disk archives are not supported');
  let count = view.getUint16(at + 10, true);
  let size = view.getUint32(at + 12, true);
  let offset = view.getUint32(at + 16, true);
  if (count === U16_MAX || size === U32_MAX || offset === U32_MAX) {
    const locAt = tailStart + at - 20;
    if (locAt < 0) fail('zip64 locator missing');
    const loc = await src.read(locAt, 20);
    const lv = new DataView(loc.buffer, loc.byteOffset, 20);
    if (lv.getUint32(0, true) !== ZIP64_LOCATOR_SIG) fail('zip64 locator missing');
    const recAt = u64(lv, 8);
    if (recAt + 56 > src.size) fail('zip64 end record outside the file');
    const rec = await src.read(recAt, 56);
    const rv = new DataView(rec.buffer, rec.byteOffset, 56);
    if (rv.getUint32(0, true) !== ZIP64_EOCD_SIG) fail('bad zip64 end record');
    count = u64(rv, 32);
    size = u64(rv, 40);
    offset = u64(rv, 48);
  }
  if (offset + size > src.size) fail('central directory lies outside the file');
  return { count, size, offset };
}

function zip64Extra(extra: DataView, need: { size: boolean; csize: boolean; offset: boolean }): { size?: number; csize?: number; offset?: number } {
  for (let p = 0; p + 4 <= extra.byteLength; ) {
    const id = extra.getUint16(p, true);
    const len = extra.getUint16(p + 2, true);
    if (p + 4 + len > extra.byteLength) fail('extra field overruns its record');
    if (id === 0x0001) {
      let q = p + 4;
      const out: { size?: number; csize?: number; offset?: number } = {};
      const take = (): number => {
        if (q + 8 > p + 4 + len) fail('zip64 extra field too short');
        const v = u64(extra, q);
        q += 8;
        return v;
      };
      if (need.size) out.size = take();
      if (need.csize) out.csize = take();
      if (need.offset) out.offset = take();
      return out;
    }
    p += 4 + len;
  }
  fail('zip64 sizes announced but no zip64 extra field');
}

/** Reads and validates the central directory. */
export async function readZipDirectory(src: RandomAccessSource, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipEntry[]> {
  const dir = await findDirectory(src);
  if (dir.count > limits.maxEntries) fail(`archive has ${dir.count} entries (limit ${limits.maxEntries})`);
  if (dir.size > limits.maxCentralDirectoryBytes) fail(`central directory is ${dir.size} bytes (limit ${limits.maxCentralDirectoryBytes})`);
  const bytes = await src.read(dir.offset, dir.size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < dir.count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CDH_SIG) fail(`central directory entry ${i} is malformed`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let csize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let offset = view.getUint32(p + 42, true);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > bytes.length) fail(`central directory entry ${i} overruns the directory`);
    if (nameLen > limits.maxNameBytes) fail(`entry ${i} name is longer than ${limits.maxNameBytes} bytes`);
    const rawName = bytes.subarray(p + 46, p + 46 + nameLen);
    let name: string;
    try {
      name = (flags & 0x0800) !== 0 ? decoder.decode(rawName) : Buffer.from(rawName).toString('latin1');
    } catch {
      fail(`entry ${i} name is not valid UTF-8`);
    }
    if (name.includes('\u0000')) fail(`entry ${i} name contains NUL`);
    if (size === U32_MAX || csize === U32_MAX || offset === U32_MAX) {
      const extra = new DataView(bytes.buffer, bytes.byteOffset + p + 46 + nameLen, extraLen);
      const z = zip64Extra(extra, { size: size === U32_MAX, csize: csize === U32_MAX, offset: offset === U32_MAX });
      size = z.size ?? size;
      csize = z.csize ?? csize;
      offset = z.offset ?? offset;
    }
    p = end;
    if (name.endsWith('/')) continue; // directory
    if ((flags & 0x0001) !== 0) fail(`entry ${JSON.stringify(name)} is encrypted`);
    if (method !== 0 && method !== 8) fail(`entry ${JSON.stringify(name)} uses unsupported compression method ${method}`);
    if (offset + 30 + csize > dir.offset) fail(`entry ${JSON.stringify(name)} lies outside the data area`);
    if (method === 0 && csize !== size) fail(`stored entry ${JSON.stringify(name)} has different sizes`);
    entries.push({ name, method: method as 0 | 8, compressedSize: csize, size, crc, localHeaderOffset: offset });
  }
  // Entries must not overlap (overlapping entries are the classic zip-bomb construction).
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1] as ZipEntry;
    const cur = byOffset[i] as ZipEntry;
    if (prev.localHeaderOffset + 30 + prev.compressedSize > cur.localHeaderOffset) fail(`entries ${JSON.stringify(prev.name)} and ${JSON.stringify(cur.name)} overlap`);
  }
  return entries;
}

/** Reads, inflates and verifies one entry. */
export async function readZipEntry(src: RandomAccessSource, entry: ZipEntry, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<Uint8Array> {
  if (entry.size > limits.maxEntryBytes) fail(`entry ${JSON.stringify(entry.name)} is ${entry.size} bytes (limit ${limits.maxEntryBytes})`);
  if (entry.compressedSize > 0 && entry.size / entry.compressedSize > limits.maxCompressionRatio) {
    fail(`entry ${JSON.stringify(entry.name)} has a compression ratio above ${limits.maxCompressionRatio}`);
  }
  const header = await src.read(entry.localHeaderOffset, 30);
  const hv = new DataView(header.buffer, header.byteOffset, 30);
  if (hv.getUint32(0, true) !== LFH_SIG) fail(`entry ${JSON.stringify(entry.name)} has no local header`);
  const dataAt = entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
  if (dataAt + entry.compressedSize > src.size) fail(`entry ${JSON.stringify(entry.name)} data lies outside the file`);
  const raw = await src.read(dataAt, entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) {
    data = raw;
  } else {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (err) {
      fail(`entry ${JSON.stringify(entry.name)} does not inflate to its declared size: ${(err as Error).message}`);
    }
  }
  if (data.length !== entry.size) fail(`entry ${JSON.stringify(entry.name)} inflates to ${data.length} bytes, not the declared ${entry.size}`);
  if (crc32(data) !== entry.crc) fail(`entry ${JSON.stringify(entry.name)} fails its CRC-32 check`);
  return data;
}

/** Every file entry whose name passes `filter`, one at a time, within the total-size limit. */
export async function* zipEntries(
  src: RandomAccessSource,
  filter: (name: string) => boolean,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): AsyncGenerator<{ readonly name: string; readonly bytes: Uint8Array }> {
  const entries = await readZipDirectory(src, limits);
  let total = 0;
  for (const entry of entries) {
    if (!filter(entry.name)) continue;
    total += entry.size;
    if (total > limits.maxTotalBytes) fail(`archive content exceeds ${limits.maxTotalBytes} bytes`);
    yield { name: entry.name, bytes: await readZipEntry(src, entry, limits) };
  }
}
