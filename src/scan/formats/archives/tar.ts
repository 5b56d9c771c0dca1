/**
 * tar (v7, ustar, GNU long names and link names, pax `path`, `linkpath` and `size` records):
 * entries are listed by walking 512-byte headers, decoded by core/tar; regular files are windows
 * on the archive. Checksums are reported, not trusted to hide an entry that `tar` or Python's
 * tarfile could still extract, and so are pax headers that do not parse.
 */
import type { ByteSource, ScanLimits } from '../../types.ts';
import { ScanFormatError, ScanLimitError } from '../../engine/errors.ts';
import { TAR_BLOCK, TarHeaderError, tarChecksum, tarName, tarPadding, tarSize } from '../../../core/tar/header.ts';
import { TarExtensions, tarExtensionKind } from '../../../core/tar/pax.ts';

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

async function* walkHeaders(src: ByteSource, limits: ScanLimits, anomalies: string[]): AsyncGenerator<TarEntry> {
  let count = 0;
  let p = 0;
  const ext = new TarExtensions(limits.maxHeaderBytes);
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
    let size = tarSize(h, p);
    if (kind === 'pax' || kind === 'gnu-longname' || kind === 'gnu-longlink') {
      try {
        ext.reserve(size, p);
      } catch (err) {
        if (!(err instanceof TarHeaderError)) throw err;
        throw new ScanLimitError('maxHeaderBytes', `tar extended headers of more than ${limits.maxHeaderBytes} bytes for one entry`, 'local', p);
      }
      try {
        ext.add(kind, await src.read(dataOffset, size), p);
      } catch (err) {
        if (!(err instanceof TarHeaderError)) throw err;
        anomalies.push(err.message);
      }
    } else if (kind === null) {
      size = ext.size(size, p);
      const name = ext.path(tarName(h));
      ext.clear();
      if (++count > limits.maxMembers) throw new ScanLimitError('maxMembers', `more than ${limits.maxMembers} tar entries`, 'local');
      if (dataOffset + size > src.size) anomalies.push(`entry ${name} is truncated`);
      yield { name, type: flag === 0 ? '0' : String.fromCharCode(flag), dataOffset, size };
    }
    p = dataOffset + size + tarPadding(size);
  }
}
