/**
 * Tolerant ZIP reading, the way loaders read it: the central directory is not trusted alone.
 * Entries come from the central directory *and* from walking the local headers from the start,
 * merged by local-header offset, so a member hidden from one view is still found in the other.
 * What PyTorch tolerates is tolerated here (bad CRCs, flag bits, local/central name mismatch);
 * each oddity is recorded as an anomaly for the report.
 */
import type { ByteSource, ScanLimits } from '../../types.ts';
import { ScanFormatError, ScanLimitError } from '../../engine/errors.ts';
import {
  applyZip64,
  FLAG_DESCRIPTOR,
  name as decodeName,
  parseLocal,
  SIG_CENTRAL,
  SIG_DESCRIPTOR,
  SIG_EOCD,
  SIG_LOCAL,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  u16,
  u32,
  u64,
  type Eocd,
  type Zip64Sizes,
} from './structures.ts';

export interface ZipEntry {
  /** Name from the central directory when it lists the entry, else from the local header. */
  readonly name: string;
  /** The local header's name when it differs from the central directory's. */
  readonly localName: string | undefined;
  readonly localOffset: number;
  readonly dataOffset: number;
  readonly method: number;
  /** Union of the central and local general-purpose flags. */
  readonly flags: number;
  readonly csize: number;
  readonly usize: number;
  readonly crc: number;
  readonly inCentral: boolean;
  readonly inLocalWalk: boolean;
  /** Index in the central directory, when listed there. */
  readonly centralIndex: number | undefined;
}

export interface ZipListing {
  readonly entries: readonly ZipEntry[];
  readonly anomalies: readonly string[];
  readonly hasCentral: boolean;
}

const EOCD_WINDOW = 22 + 0xffff;

async function findEocd(src: ByteSource): Promise<Eocd | undefined> {
  if (src.size < 22) return undefined;
  const start = Math.max(0, src.size - EOCD_WINDOW);
  const tail = await src.read(start, src.size - start);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) !== SIG_EOCD) continue;
    const commentLen = u16(tail, i + 20);
    if (i + 22 + commentLen > tail.length) continue;
    let eocd: Eocd = {
      offset: start + i,
      entries: u16(tail, i + 10),
      cdSize: u32(tail, i + 12),
      cdOffset: u32(tail, i + 16),
      zip64: false,
    };
    // zip64: the locator sits just before the EOCD and points at the zip64 EOCD record.
    if (i >= 20 && u32(tail, i - 20) === SIG_ZIP64_LOCATOR) {
      const recOffset = u64(tail, i - 20 + 8);
      const rec = await src.read(recOffset, 56);
      if (rec.length === 56 && u32(rec, 0) === SIG_ZIP64_EOCD) {
        eocd = { offset: eocd.offset, entries: u64(rec, 32), cdSize: u64(rec, 40), cdOffset: u64(rec, 48), zip64: true };
      }
    }
    return eocd;
  }
  return undefined;
}

interface CentralEntry {
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly crc: number;
  readonly csize: number;
  readonly usize: number;
  readonly localOffset: number;
  /** Position in the central directory (what readers call the file index). */
  readonly index: number;
}

async function readCentral(src: ByteSource, eocd: Eocd, limits: ScanLimits, anomalies: string[]): Promise<CentralEntry[]> {
  if (eocd.cdSize > limits.maxHeaderBytes) {
    throw new ScanLimitError('maxHeaderBytes', `central directory of ${eocd.cdSize} bytes`, 'local', eocd.cdOffset);
  }
  // Data prepended to the archive shifts every offset: find the directory where it really is.
  let delta = 0;
  const expectedEnd = eocd.zip64 ? undefined : eocd.offset;
  if (expectedEnd !== undefined && eocd.cdOffset + eocd.cdSize < expectedEnd) delta = expectedEnd - (eocd.cdOffset + eocd.cdSize);
  let cd = await src.read(eocd.cdOffset + delta, eocd.cdSize);
  if (cd.length < 4 || u32(cd, 0) !== SIG_CENTRAL) {
    if (delta !== 0) {
      const plain = await src.read(eocd.cdOffset, eocd.cdSize);
      if (plain.length >= 4 && u32(plain, 0) === SIG_CENTRAL) {
        cd = plain;
        delta = 0;
      }
    }
  }
  if (delta !== 0) anomalies.push(`${delta} bytes precede the archive`);
  const out: CentralEntry[] = [];
  let p = 0;
  while (p + 46 <= cd.length && u32(cd, p) === SIG_CENTRAL) {
    const flags = u16(cd, p + 8);
    const n = u16(cd, p + 28);
    const m = u16(cd, p + 30);
    const k = u16(cd, p + 32);
    if (p + 46 + n + m + k > cd.length) break;
    const sizes: Zip64Sizes = { csize: u32(cd, p + 20), usize: u32(cd, p + 24), offset: u32(cd, p + 42) };
    applyZip64(cd.subarray(p + 46 + n, p + 46 + n + m), sizes, true);
    out.push({
      name: decodeName(cd.subarray(p + 46, p + 46 + n), flags),
      flags,
      method: u16(cd, p + 10),
      crc: u32(cd, p + 16),
      csize: sizes.csize,
      usize: sizes.usize,
      localOffset: sizes.offset + delta,
      index: out.length,
    });
    if (out.length > limits.maxMembers) {
      throw new ScanLimitError('maxMembers', `more than ${limits.maxMembers} zip entries`, 'local');
    }
    p += 46 + n + m + k;
  }
  if (out.length !== eocd.entries) anomalies.push(`end record announces ${eocd.entries} entries, directory holds ${out.length}`);
  return out;
}

/** Finds where the data of a member with a data descriptor and no known size ends. */
async function findDescriptor(src: ByteSource, from: number, limits: ScanLimits): Promise<number | undefined> {
  const CH = 1 << 20;
  for (let p = from; p < src.size && p - from <= limits.maxMemberBytes; p += CH - 16) {
    const b = await src.read(p, CH);
    for (let i = 0; i + 16 <= b.length; i++) {
      if (u32(b, i) === SIG_DESCRIPTOR && u32(b, i + 8) === p + i - from) return p + i - from;
    }
    if (b.length < CH) break;
  }
  return undefined;
}

interface Walked {
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly crc: number;
  readonly csize: number;
  readonly usize: number;
  readonly dataOffset: number;
}

/** Walks local headers back to back from `start`, as streaming unzippers read. */
async function walkLocal(
  src: ByteSource,
  start: number,
  central: ReadonlyMap<number, CentralEntry>,
  limits: ScanLimits,
  anomalies: string[],
): Promise<Map<number, Walked>> {
  const out = new Map<number, Walked>();
  let p = start;
  while (p + 30 <= src.size) {
    let head = await src.read(p, 30 + 512);
    let h = parseLocal(head, 0, p);
    if (h === 'short') {
      const n = u16(head, 26) + u16(head, 28);
      head = await src.read(p, 30 + n);
      h = parseLocal(head, 0, p);
    }
    if (h === undefined || h === 'short') break;
    let csize = h.csize;
    const known = central.get(p);
    let descriptor = 0;
    if ((h.flags & FLAG_DESCRIPTOR) !== 0) {
      if (csize === 0 && known !== undefined) csize = known.csize;
      else if (csize === 0) {
        const found = await findDescriptor(src, h.dataOffset, limits);
        if (found === undefined) {
          anomalies.push(`cannot find the end of streamed member ${h.name}`);
          out.set(p, { ...h, csize: src.size - h.dataOffset });
          break;
        }
        csize = found;
      }
      const d = await src.read(h.dataOffset + csize, 24);
      descriptor = d.length >= 4 && u32(d, 0) === SIG_DESCRIPTOR ? 16 : 12;
    }
    out.set(p, { name: h.name, flags: h.flags, method: h.method, crc: h.crc, csize, usize: h.usize, dataOffset: h.dataOffset });
    if (out.size > limits.maxMembers) throw new ScanLimitError('maxMembers', `more than ${limits.maxMembers} zip entries`, 'local');
    const next = h.dataOffset + csize + descriptor;
    if (next <= p) break;
    p = next;
  }
  return out;
}

export async function listZip(src: ByteSource, limits: ScanLimits): Promise<ZipListing> {
  const anomalies: string[] = [];
  const eocd = await findEocd(src);
  const central = eocd === undefined ? [] : await readCentral(src, eocd, limits, anomalies);
  if (eocd === undefined) anomalies.push('no end of central directory record: entries found from local headers only');
  const byOffset = new Map<number, CentralEntry>();
  for (const c of central) {
    if (byOffset.has(c.localOffset)) anomalies.push(`two directory entries share local header at ${c.localOffset}`);
    byOffset.set(c.localOffset, c);
  }
  // The walk starts at the first local header: 0, or after prepended data.
  let start = 0;
  const first = await src.read(0, 4);
  if (first.length < 4 || u32(first, 0) !== SIG_LOCAL) {
    const offsets = [...byOffset.keys()].sort((a, b) => a - b);
    start = offsets[0] ?? src.size;
  }
  const walked = await walkLocal(src, start, byOffset, limits, anomalies);
  const entries: ZipEntry[] = [];
  const offsets = new Set<number>([...byOffset.keys(), ...walked.keys()]);
  for (const off of [...offsets].sort((a, b) => a - b)) {
    const c = byOffset.get(off);
    let w = walked.get(off);
    if (w === undefined && c !== undefined) {
      // Listed in the directory but off the sequential chain: read its local header directly.
      const head = await src.read(off, 30 + 0xffff * 2);
      const h = parseLocal(head, 0, off);
      if (h === undefined || h === 'short') {
        anomalies.push(`directory entry ${c.name} points at ${off}, where there is no local header`);
        continue;
      }
      w = { name: h.name, flags: h.flags, method: h.method, crc: h.crc, csize: h.csize, usize: h.usize, dataOffset: h.dataOffset };
    }
    if (w === undefined) continue;
    if (c === undefined && eocd !== undefined) anomalies.push(`local entry ${w.name} is not in the central directory`);
    if (c !== undefined && c.name !== w.name) anomalies.push(`name mismatch: directory says ${c.name}, local header says ${w.name}`);
    if (c !== undefined && c.method !== w.method) anomalies.push(`method mismatch for ${c.name}`);
    entries.push({
      name: c?.name ?? w.name,
      localName: c !== undefined && c.name !== w.name ? w.name : undefined,
      localOffset: off,
      dataOffset: w.dataOffset,
      method: c?.method ?? w.method,
      flags: (c?.flags ?? 0) | w.flags,
      csize: c !== undefined && c.csize !== 0 ? c.csize : w.csize,
      usize: c !== undefined && c.usize !== 0 ? c.usize : w.usize,
      crc: c?.crc ?? w.crc,
      inCentral: c !== undefined,
      inLocalWalk: walked.has(off),
      centralIndex: c?.index,
    });
  }
  for (const e of entries) {
    for (const n of [e.name, e.localName]) {
      if (n !== undefined && (/^([a-zA-Z]:)?[\\/]/.test(n) || /(^|[\\/])\.\.([\\/]|$)/.test(n))) {
        anomalies.push(`unsafe member name ${JSON.stringify(n)} escapes the archive`);
      }
    }
  }
  if (entries.length === 0 && eocd === undefined) {
    throw new ScanFormatError('zip.truncated', 'no readable zip entries (truncated or not a zip)', 0);
  }
  return { entries, anomalies, hasCentral: eocd !== undefined };
}
