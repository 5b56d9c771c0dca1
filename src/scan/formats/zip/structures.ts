/** ZIP record layouts (APPNOTE 6.3): end of central directory (+zip64), central and local headers. */
import { decodeLatin1, decodeUtf8 } from '../pickle/text.ts';

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_DESCRIPTOR = 0x08074b50;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DESCRIPTOR = 0x0008;
export const FLAG_PATCHED = 0x0020;
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const FLAG_UTF8 = 0x0800;

export function u16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}

export function u32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}

export function u64(b: Uint8Array, i: number): number {
  const v = u32(b, i) + u32(b, i + 4) * 0x100000000;
  return Number.isSafeInteger(v) ? v : Number.MAX_SAFE_INTEGER;
}

export function name(b: Uint8Array, flags: number): string {
  // Names are CP437 unless the UTF-8 flag is set; latin-1 keeps every byte distinct.
  return (flags & FLAG_UTF8) !== 0 ? decodeUtf8(b) : decodeLatin1(b);
}

export interface Eocd {
  readonly offset: number;
  readonly entries: number;
  readonly cdSize: number;
  readonly cdOffset: number;
  readonly zip64: boolean;
}

export interface Zip64Sizes {
  usize: number;
  csize: number;
  offset: number;
}

/** Applies the zip64 extended-information extra field to values saturated at 0xFFFFFFFF. */
export function applyZip64(extra: Uint8Array, v: Zip64Sizes, hasOffset: boolean): void {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16(extra, p);
    const len = u16(extra, p + 2);
    const body = p + 4;
    if (id === 0x0001) {
      let q = body;
      const take = (): number | undefined => {
        if (q + 8 > body + len || q + 8 > extra.length) return undefined;
        const x = u64(extra, q);
        q += 8;
        return x;
      };
      if (v.usize === 0xffffffff) v.usize = take() ?? v.usize;
      if (v.csize === 0xffffffff) v.csize = take() ?? v.csize;
      if (hasOffset && v.offset === 0xffffffff) v.offset = take() ?? v.offset;
      return;
    }
    p = body + len;
  }
}

export interface LocalHeader {
  readonly offset: number;
  readonly flags: number;
  readonly method: number;
  readonly crc: number;
  readonly csize: number;
  readonly usize: number;
  readonly name: string;
  readonly dataOffset: number;
}

/** Parses a local header whose fixed part and variable fields are all in `b` (from `at`). */
export function parseLocal(b: Uint8Array, at: number, absolute: number): LocalHeader | 'short' | undefined {
  if (b.length - at < 30) return 'short';
  if (u32(b, at) !== SIG_LOCAL) return undefined;
  const flags = u16(b, at + 6);
  const n = u16(b, at + 26);
  const m = u16(b, at + 28);
  if (b.length - at < 30 + n + m) return 'short';
  const sizes: Zip64Sizes = { usize: u32(b, at + 22), csize: u32(b, at + 18), offset: 0 };
  applyZip64(b.subarray(at + 30 + n, at + 30 + n + m), sizes, false);
  return {
    offset: absolute,
    flags,
    method: u16(b, at + 8),
    crc: u32(b, at + 14),
    csize: sizes.csize,
    usize: sizes.usize,
    name: name(b.subarray(at + 30, at + 30 + n), flags),
    dataOffset: absolute + 30 + n + m,
  };
}
