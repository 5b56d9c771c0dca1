/**
 * tar (v7, ustar, GNU long names, PAX path records): entries are listed by walking 512-byte
 * headers; regular files are windows on the archive. Checksums are reported, not trusted to
 * hide an entry that `tar` or Python's tarfile could still extract.
 */
import type { ByteSource, ScanLimits } from '../../types.ts';
import { ScanFormatError, ScanLimitError } from '../../engine/errors.ts';
import { decodeLatin1, decodeUtf8 } from '../pickle/text.ts';

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

function cstr(b: Uint8Array, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const z = s.indexOf(0);
  return decodeUtf8(z < 0 ? s : s.subarray(0, z));
}

function octal(b: Uint8Array, start: number, len: number): number | undefined {
  const first = b[start] as number;
  if ((first & 0x80) !== 0) {
    // GNU base-256 for sizes ≥ 8 GiB.
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (b[start + i] as number);
    return Number.isSafeInteger(v) ? v : undefined;
  }
  const t = decodeLatin1(b.subarray(start, start + len)).replace(/[\0 ]+$/, '').trim();
  if (t === '') return 0;
  if (!/^[0-7]+$/.test(t)) return undefined;
  return Number.parseInt(t, 8);
}

export function checksumOk(h: Uint8Array): boolean {
  const stored = octal(h, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : (h[i] as number);
    unsigned += c;
    signed += c >= 128 ? c - 256 : c;
  }
  return stored === unsigned || stored === signed;
}

export function looksLikeTar(head: Uint8Array): boolean {
  if (head.length < 512) return false;
  const magic = decodeLatin1(head.subarray(257, 263));
  if (magic === 'ustar\0' || magic === 'ustar ') return true;
  // v7 tar: no magic, but a valid header checksum and an octal size field.
  return head[0] !== 0 && checksumOk(head) && octal(head, 124, 12) !== undefined;
}

function paxPath(data: Uint8Array): string | undefined {
  const text = decodeUtf8(data);
  let path: string | undefined;
  for (const rec of text.split('\n')) {
    const m = /^\d+ ([^=]+)=(.*)$/s.exec(rec);
    if (m !== null && m[1] === 'path') path = m[2];
  }
  return path;
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
  let count = 0;
  let p = 0;
  let longName: string | undefined;
  let zeros = 0;
  while (p + 512 <= src.size) {
    const h = await src.read(p, 512);
    if (h.every((x) => x === 0)) {
      zeros++;
      p += 512;
      if (zeros === 2) break;
      continue;
    }
    zeros = 0;
    if (!checksumOk(h)) {
      if (count === 0 && p === 0) throw new ScanFormatError('tar.header.checksum', 'first tar header has a bad checksum', p);
      anomalies.push(`bad header checksum at ${p}`);
    }
    const size = octal(h, 124, 12);
    if (size === undefined) throw new ScanFormatError('tar.header.size', `unreadable size field at ${p}`, p);
    const type = String.fromCharCode(h[156] as number) === '\0' ? '0' : String.fromCharCode(h[156] as number);
    const prefix = decodeLatin1(h.subarray(257, 263)).startsWith('ustar') ? cstr(h, 345, 155) : '';
    let name = cstr(h, 0, 100);
    if (prefix !== '') name = `${prefix}/${name}`;
    const dataOffset = p + 512;
    if (type === 'L' || type === 'x' || type === 'g') {
      if (size > limits.maxHeaderBytes) throw new ScanLimitError('maxHeaderBytes', `tar extended header of ${size} bytes`, 'local', p);
      const data = await src.read(dataOffset, size);
      if (type === 'L') longName = cstr(data, 0, data.length);
      else if (type === 'x') longName = paxPath(data) ?? longName;
    } else {
      if (longName !== undefined) name = longName;
      longName = undefined;
      if (++count > limits.maxMembers) throw new ScanLimitError('maxMembers', `more than ${limits.maxMembers} tar entries`, 'local');
      if (dataOffset + size > src.size) anomalies.push(`entry ${name} is truncated`);
      yield { name, type, dataOffset, size };
    }
    p = dataOffset + Math.ceil(size / 512) * 512;
  }
}
