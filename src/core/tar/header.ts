/**
 * The fields of one 512-byte tar header, decoded as POSIX ustar and GNU tar define them: numbers
 * in octal or GNU base-256, the header checksum, NUL-terminated names and the ustar prefix. Pure
 * and bounded: each function reads one field of one block, allocates no more than the string it
 * returns, and throws a `TarHeaderError` naming the header's byte offset where a field cannot be
 * read. What an archive may hold (which types, links, limits) is each reader's own decision.
 */
import { Buffer } from 'node:buffer';

export const TAR_BLOCK = 512;

/** A header (or extended header) that cannot be decoded; `offset` is where its block starts. */
export class TarHeaderError extends Error {
  readonly offset: number;

  constructor(offset: number, message: string) {
    super(`tar header at byte ${offset}: ${message}`);
    this.name = 'TarHeaderError';
    this.offset = offset;
  }
}

/** Zero bytes from the end of `size` bytes of data to the next block. */
export function tarPadding(size: number): number {
  return (TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK;
}

export function isZeroBlock(h: Uint8Array): boolean {
  for (let i = 0; i < TAR_BLOCK; i++) if (h[i] !== 0) return false;
  return true;
}

const NOT_A_NUMBER = -1;
const OUT_OF_RANGE = -2;

/**
 * A numeric field, or NOT_A_NUMBER / OUT_OF_RANGE. Octal: optional leading spaces, digits, then
 * only NULs and spaces to the end of the field (an empty field is 0); what GNU tar, Python's
 * tarfile and node-tar all read alike. Base-256 (GNU, first byte 0x80): the other bytes
 * big-endian; 0xff marks a negative number, which no size or checksum is.
 */
function decodeNumber(h: Uint8Array, start: number, len: number): number {
  const end = start + len;
  const first = h[start] as number;
  if (first === 0x80) {
    let v = 0;
    for (let i = start + 1; i < end; i++) v = v * 256 + (h[i] as number);
    return Number.isSafeInteger(v) ? v : OUT_OF_RANGE;
  }
  if (first === 0xff) return OUT_OF_RANGE;
  let i = start;
  while (i < end && h[i] === 0x20) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = h[i] as number;
    if (c < 0x30 || c > 0x37) break;
    v = v * 8 + (c - 0x30);
  }
  for (; i < end; i++) if (h[i] !== 0 && h[i] !== 0x20) return NOT_A_NUMBER;
  return Number.isSafeInteger(v) ? v : OUT_OF_RANGE;
}

/** The size field of the header at `offset` (octal, or base-256 past 8 GiB). */
export function tarSize(h: Uint8Array, offset: number): number {
  const v = decodeNumber(h, 124, 12);
  if (v === NOT_A_NUMBER) throw new TarHeaderError(offset, 'the size field is not an octal or base-256 number');
  if (v === OUT_OF_RANGE) throw new TarHeaderError(offset, 'the size field is out of range');
  return v;
}

/** True when the size field is in GNU's base-256 form (not every reader reads it). */
export function isBase256Size(h: Uint8Array): boolean {
  return ((h[124] as number) & 0x80) !== 0;
}

/**
 * Which sum the checksum field holds: POSIX's unsigned sum of the block (the field counted as
 * spaces), the signed one some old archivers wrote (GNU tar and Python's tarfile accept it,
 * node-tar does not), or neither (an unreadable field is neither).
 */
export function tarChecksum(h: Uint8Array): 'unsigned' | 'signed' | 'mismatch' {
  const stored = decodeNumber(h, 148, 8);
  let unsigned = 0;
  let high = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : (h[i] as number);
    unsigned += c;
    if (c >= 0x80) high++;
  }
  if (stored === unsigned) return 'unsigned';
  return stored >= 0 && stored === unsigned - 256 * high ? 'signed' : 'mismatch';
}

/** Bytes up to the first NUL (or `len`), as UTF-8 (malformed sequences as U+FFFD). */
export function tarString(b: Uint8Array, start: number, len: number): string {
  let end = start;
  const max = Math.min(start + len, b.length);
  while (end < max && b[end] !== 0) end++;
  return end === start ? '' : Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
}

/** POSIX ustar magic (`ustar\0`): only then do bytes 345–499 hold a path prefix (GNU's `ustar  \0` holds times there). */
export function isUstar(h: Uint8Array): boolean {
  return h[257] === 0x75 && h[258] === 0x73 && h[259] === 0x74 && h[260] === 0x61 && h[261] === 0x72 && h[262] === 0;
}

/** The header's own path: the ustar prefix, when there is one, joined to the name by `/`. */
export function tarName(h: Uint8Array): string {
  const name = tarString(h, 0, 100);
  if (!isUstar(h) || h[345] === 0) return name;
  return `${tarString(h, 345, 155)}/${name}`;
}

/** The header's own link target. */
export function tarLinkName(h: Uint8Array): string {
  return tarString(h, 157, 100);
}
