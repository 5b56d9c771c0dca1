/**
 * The xz container (streams of blocks with LZMA2, optional BCJ x86/delta filters, index and
 * footer; concatenated streams and stream padding) and the legacy `.lzma` ("LZMA alone")
 * format. Input is read whole (bounded), output capped at the member limit.
 */
import type { ByteSource } from '../../types.ts';
import { ScanAbortedError, ScanFormatError, ScanLimitError, ScanUnscannableError } from '../../engine/errors.ts';
import { GrowableBuffer } from './growable-buffer.ts';
import { decodeLzma2 } from './lzma2.ts';
import { LzmaDecoder, parseLzmaProps } from './lzma.ts';
import { bcjX86Decode, deltaDecode } from './filters.ts';
import { crc64 } from './checks.ts';
import { crc32 } from 'node:zlib';
import { createHash } from 'node:crypto';

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

export function looksLikeXz(head: Uint8Array): boolean {
  return XZ_MAGIC.every((b, i) => head[i] === b);
}

/** `.lzma`: properties byte, 32-bit dictionary size, 64-bit size (all ones = unknown). */
export function looksLikeLzmaAlone(head: Uint8Array): boolean {
  if (head.length < 14) return false;
  const props = head[0] as number;
  if (props >= 225) return false;
  const dict = ((head[1] as number) | ((head[2] as number) << 8) | ((head[3] as number) << 16) | ((head[4] as number) << 24)) >>> 0;
  // Dictionary sizes are 2^n or 2^n + 2^(n-1) from 4 KiB; the first range-coder byte is 0.
  const pow2 = dict >= 4096 && (dict & (dict - 1)) === 0;
  const pow2half = dict >= 6144 && ((dict / 3) & (dict / 3 - 1)) === 0 && dict % 3 === 0;
  if (!pow2 && !pow2half && dict !== 0xffffffff) return false;
  let unknownSize = true;
  for (let i = 5; i < 13; i++) if (head[i] !== 0xff) unknownSize = false;
  if (!unknownSize && (head[12] as number) !== 0) return false; // sizes beyond 2^56 are not real
  return head[13] === 0;
}

function readAll(src: ByteSource, cap: number, what: string): Promise<Uint8Array> {
  // LZMA cannot expand input much either; far larger input cannot fit the cap decoded.
  if (src.size > cap + (cap >> 3) + (1 << 20)) {
    throw new ScanLimitError('maxMemberBytes', `${what} stream of ${src.size} bytes exceeds the member limit`, 'local');
  }
  return src.read(0, src.size);
}

function varint(b: Uint8Array, pos: { p: number }, rule: string): number {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    if (pos.p >= b.length) throw new ScanFormatError(`${rule}.corrupt`, 'truncated integer');
    const x = b[pos.p++] as number;
    v += (x & 0x7f) * 2 ** (7 * i);
    if ((x & 0x80) === 0) return v;
  }
  throw new ScanFormatError(`${rule}.corrupt`, 'integer too long');
}

export async function decodeXz(src: ByteSource, cap: number, signal: AbortSignal): Promise<Uint8Array> {
  const input = await readAll(src, cap, 'xz');
  const out = new GrowableBuffer(cap, 'xz');
  const check = (): void => {
    if (signal.aborted) throw new ScanAbortedError('timeout');
  };
  const bad = (msg: string, at: number): never => {
    throw new ScanFormatError('xz.corrupt', `xz data is corrupt: ${msg}`, at);
  };
  let p = 0;
  let streams = 0;
  while (p < input.length) {
    if (streams > 0) {
      while (p + 4 <= input.length && input[p] === 0 && input[p + 1] === 0 && input[p + 2] === 0 && input[p + 3] === 0) p += 4;
      if (p >= input.length) break;
    }
    if (!XZ_MAGIC.every((b, i) => input[p + i] === b)) bad('missing stream header', p);
    const checkType = (input[p + 7] as number) & 0x0f;
    const checkSize = CHECK_SIZES[checkType] as number;
    p += 12;
    streams++;
    for (;;) {
      if (p >= input.length) bad('truncated stream', p);
      const hsize = input[p] as number;
      if (hsize === 0) break; // index follows
      const headerEnd = p + (hsize + 1) * 4;
      if (headerEnd > input.length) bad('truncated block header', p);
      const flags = input[p + 1] as number;
      const pos = { p: p + 2 };
      if ((flags & 0x40) !== 0) varint(input, pos, 'xz');
      if ((flags & 0x80) !== 0) varint(input, pos, 'xz');
      const filters: { id: number; props: Uint8Array }[] = [];
      for (let f = 0; f <= (flags & 3); f++) {
        const id = varint(input, pos, 'xz');
        const n = varint(input, pos, 'xz');
        filters.push({ id, props: input.subarray(pos.p, pos.p + n) });
        pos.p += n;
      }
      const last = filters[filters.length - 1];
      if (last === undefined || last.id !== 0x21) {
        throw new ScanUnscannableError('xz.filter.unsupported', `xz block does not end with LZMA2 (filter 0x${(last?.id ?? 0).toString(16)})`);
      }
      const blockStart = out.length;
      let q = decodeLzma2(input, headerEnd, out, 'xz', check);
      for (const f of filters.slice(0, -1).reverse()) {
        const data = out.view.subarray(blockStart);
        if (f.id === 0x04) bcjX86Decode(data, 0);
        else if (f.id === 0x03) deltaDecode(data, ((f.props[0] ?? 0) as number) + 1);
        else throw new ScanUnscannableError('xz.filter.unsupported', `xz filter 0x${f.id.toString(16)} is not supported`);
      }
      while ((q - p) % 4 !== 0) q++; // block padding
      if (q + checkSize > input.length) bad('truncated block check', q);
      verifyCheck(checkType, out.view.subarray(blockStart), input.subarray(q, q + checkSize), q);
      p = q + checkSize;
    }
    // Index, then the 12-byte footer whose backward size locates the index.
    const pos = { p: p + 1 };
    const records = varint(input, pos, 'xz');
    for (let i = 0; i < records; i++) {
      varint(input, pos, 'xz');
      varint(input, pos, 'xz');
    }
    while (pos.p % 4 !== 0) pos.p++;
    p = pos.p + 4 + 12;
    if (p > input.length || input[p - 2] !== 0x59 || input[p - 1] !== 0x5a) bad('bad stream footer', p);
  }
  return out.result();
}

/** xz integrity check of one block (CRC32, CRC64, SHA-256; other types are not verified). */
function verifyCheck(type: number, data: Uint8Array, stored: Uint8Array, at: number): void {
  let actual: Uint8Array | undefined;
  if (type === 1) {
    const c = crc32(data) >>> 0;
    actual = Uint8Array.from([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24]);
  } else if (type === 4) actual = crc64(data);
  else if (type === 10) actual = createHash('sha256').update(data).digest();
  if (actual !== undefined && !actual.every((b, i) => b === stored[i])) {
    throw new ScanFormatError('xz.corrupt', 'xz block check does not match its data', at);
  }
}

export async function decodeLzmaAlone(src: ByteSource, cap: number, signal: AbortSignal): Promise<Uint8Array> {
  const input = await readAll(src, cap, 'lzma');
  if (input.length < 13) throw new ScanFormatError('lzma.corrupt', 'truncated .lzma header');
  const out = new GrowableBuffer(cap, 'lzma');
  const lz = new LzmaDecoder(out, 'lzma');
  lz.setProps(parseLzmaProps(input[0] as number, 'lzma'));
  lz.resetState();
  lz.resetDict();
  let unknownSize = true;
  let size = 0;
  for (let i = 12; i >= 5; i--) {
    if (input[i] !== 0xff) unknownSize = false;
  }
  if (!unknownSize) {
    for (let i = 12; i >= 5; i--) size = size * 256 + (input[i] as number);
    if (size > cap) throw new ScanLimitError('maxMemberBytes', `.lzma declares ${size} bytes`, 'local');
  }
  lz.initRange(input, 13, input.length);
  lz.decode(unknownSize ? undefined : size, () => {
    if (signal.aborted) throw new ScanAbortedError('timeout');
  });
  return out.result();
}
