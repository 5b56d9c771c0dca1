/**
 * tar as Python's tarfile reads it, the loader of tar-based model files (torch.load's legacy tar
 * checkpoints): v7, ustar, GNU long names and link names (`L`, `K`), local (`x`, `X`) and global
 * (`g`) pax `path` and `size` records. Entries are listed by walking 512-byte headers, decoded by
 * core/tar; a regular file is the window of the archive tarfile extracts for it.
 *
 * What tarfile does, checked by hand against CPython 3.11.7, 3.12.1 and 3.13.0:
 * - Global records stay for the rest of the archive (a later one of a key replaces an earlier)
 *   and apply to every entry after them, the one right after the `g` header included; a local
 *   record wins over them. So a global `path` renames every later entry without a name of its
 *   own; no record unsets it (an empty one names the entries '').
 * - A `size` record gives the entry's size, but tarfile finds the next header by it only when
 *   the entry has a local pax header (its records are the global ones as they were when it was
 *   read, updated by its own). Under a global size alone the next header is where the header's
 *   own size puts it, and the data is still read for the global size, past its blocks.
 * - Several extended headers before one entry: the first (outermost) one that names or sizes it
 *   wins, a long name after a pax path loses to it and before one wins; so `g path=G`, `x`,
 *   `x path=P` names the entry G, the first `x` bringing the global path back.
 * - Extended data is read to the end of its last block: records or name bytes in the padding
 *   count (tar reads the header's size only).
 * - Data follows regular files and unknown types only: after a link, device or directory (a v7
 *   file whose name ends in a slash is one) the next header comes at once, whatever its size.
 * - A pax header that does not parse: tarfile 3.11.7 and 3.12.1 read it leniently (core/tar's
 *   pax-tarfile.ts); 3.13.0 refuses it, which ends its archive there (or refuses the archive, at
 *   the start or after a long name). The walk takes the lenient reading, the wider one: 3.13
 *   loads nothing from that header on. Where the lenient parser refuses it too (a record length
 *   of 0), the records before the bad one apply, as GNU tar applies them, and the walk goes on,
 *   so no entry after it is hidden from the scan.
 * Where tar and tarfile read the bytes differently (records in padding, several extended names,
 * a global path or size, data after a non-file, a path prefix without the ustar magic, a pax
 * header that does not parse) the walk follows tarfile and records an anomaly. A prefix without
 * the magic is not joined, though tarfile joins it: the joined name has a slash, so it names no
 * member torch extracts, and every file is scanned by its content. GNU sparse files (type `S`,
 * `GNU.sparse.*` records) are unscannable: tarfile rebuilds their data from a map the scanner
 * does not read. Checksums are reported, not trusted to hide an entry; each other kind of
 * anomaly once, at its first place. Bounds: each entry's extended headers, and all global
 * records together, to maxHeaderBytes.
 */
import type { ByteSource, ScanLimits } from '../../types.ts';
import { ScanFormatError, ScanLimitError, ScanUnscannableError } from '../../engine/errors.ts';
import { TAR_BLOCK, TarHeaderError, tarChecksum, tarPadding, tarSize, tarString } from '../../../core/tar/header.ts';
import { tarExtensionKind } from '../../../core/tar/pax.ts';
import { TarfileHeaders } from './tar-extended.ts';

export interface TarEntry {
  readonly name: string;
  readonly type: string;
  readonly dataOffset: number;
  readonly size: number;
}

export interface TarListing {
  readonly entries: readonly TarEntry[];
  readonly anomalies: readonly string[];
}

export function looksLikeTar(head: Uint8Array): boolean {
  if (head.length < TAR_BLOCK) return false;
  // ustar (`ustar\0`) or GNU (`ustar `) magic.
  if (head[257] === 0x75 && head[258] === 0x73 && head[259] === 0x74 && head[260] === 0x61 && head[261] === 0x72 && (head[262] === 0 || head[262] === 0x20)) return true;
  // v7 tar: no magic, but a valid header checksum and a readable size field.
  if (head[0] === 0 || tarChecksum(head) === 'mismatch') return false;
  try {
    tarSize(head, 0);
    return true;
  } catch {
    return false;
  }
}

export async function listTar(src: ByteSource, limits: ScanLimits): Promise<TarListing> {
  const entries: TarEntry[] = [];
  const anomalies: string[] = [];
  for await (const e of walkTar(src, limits, anomalies)) entries.push(e);
  return { entries, anomalies };
}

/**
 * Yields entries in archive order while walking forward only, so a compressed tar (tar.gz) is
 * read in one pass when each entry is processed as it comes.
 */
export async function* walkTar(src: ByteSource, limits: ScanLimits, anomalies: string[]): AsyncGenerator<TarEntry> {
  try {
    yield* walkHeaders(src, limits, anomalies);
  } catch (err) {
    // A size that cannot be read: where the next header is is unknown.
    if (err instanceof TarHeaderError) throw new ScanFormatError('tar.header.size', err.message, err.offset);
    throw err;
  }
}

const NO_DATA = new Set(['1', '2', '3', '4', '5', '6']);

/**
 * Whether tarfile reads data after an entry of this type and extracts it: not for hard and
 * symbolic links, devices, FIFOs and directories; for every other type, one it does not know
 * (`V`, `Z`, …) included, which it extracts as a regular file.
 */
export function tarTypeHasData(type: string): boolean {
  return !NO_DATA.has(type);
}

async function* walkHeaders(src: ByteSource, limits: ScanLimits, anomalies: string[]): AsyncGenerator<TarEntry> {
  const headers = new TarfileHeaders(limits.maxHeaderBytes, anomalies);
  let count = 0;
  let p = 0;
  let zeros = 0;
  while (p + TAR_BLOCK <= src.size) {
    const h = await src.read(p, TAR_BLOCK);
    if (h.every((x) => x === 0)) {
      zeros++;
      p += TAR_BLOCK;
      if (zeros === 2) break;
      continue;
    }
    zeros = 0;
    if (tarChecksum(h) === 'mismatch') {
      if (count === 0 && p === 0) throw new ScanFormatError('tar.header.checksum', 'first tar header has a bad checksum', p);
      anomalies.push(`bad header checksum at ${p}`);
    }
    const flag = h[156] as number;
    const kind = tarExtensionKind(flag);
    const dataOffset = p + TAR_BLOCK;
    const own = tarSize(h, p);
    if (kind !== null) {
      headers.reserve(kind, own, p);
      headers.take(kind, await src.read(dataOffset, own + tarPadding(own)), own, p);
      p = dataOffset + own + tarPadding(own);
      continue;
    }
    // tarfile reads a v7 file whose name ends with a slash as a directory.
    const type = flag === 0 ? (tarString(h, 0, 100).endsWith('/') ? '5' : '0') : String.fromCharCode(flag);
    if (type === 'S') throw new ScanUnscannableError('tar.sparse', `tar entry at ${p} is a GNU sparse file: Python's tarfile rebuilds it from a sparse map the scanner does not read`, p);
    const { name, size, framed } = headers.entry(h, p, type, own);
    const data = tarTypeHasData(type);
    if (!data && framed > 0) headers.once('no-data', `entry ${name} (type ${type}) at ${p} claims ${framed} bytes of data: Python's tarfile reads the next header right after it`);
    if (++count > limits.maxMembers) throw new ScanLimitError('maxMembers', `more than ${limits.maxMembers} tar entries`, 'local');
    if (data && dataOffset + size > src.size) anomalies.push(`entry ${name} is truncated`);
    yield { name, type, dataOffset, size };
    p = dataOffset + (data ? framed + tarPadding(framed) : 0);
  }
}
