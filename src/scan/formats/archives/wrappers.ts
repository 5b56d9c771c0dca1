/**
 * Single-stream compression wrappers (gzip, zlib, bzip2, xz, legacy .lzma): the decompressed
 * content, materialised under the member limit, is identified and scanned like a file.
 */
import type { ByteSource, FormatAnalyzer, FormatId, ScanContext } from '../../types.ts';
import { MemorySource } from '../../sources/memory-source.ts';
import { inflateToMemory, type ZlibKind } from './inflate.ts';
import { InflateSource, inflatedSize } from './inflate-source.ts';
import { ScanLimitError } from '../../engine/errors.ts';
import { decodeBzip2, looksLikeBzip2 } from './bzip2.ts';
import { decodeLzmaAlone, decodeXz, looksLikeLzmaAlone, looksLikeXz } from './xz.ts';

type Decoder = (src: ByteSource, ctx: ScanContext) => Promise<Uint8Array>;

function wrapper(format: FormatId, member: string, detect: (head: Uint8Array) => boolean, decode: Decoder, stream?: ZlibKind): FormatAnalyzer {
  return {
    format,
    detect,
    async analyze(source, ctx) {
      let content: ByteSource;
      try {
        content = new MemorySource(await decode(source, ctx));
      } catch (err) {
        // Too large to hold: gzip/zlib content is streamed instead (its size learnt first).
        if (stream === undefined || !(err instanceof ScanLimitError) || err.limit !== 'maxMemberBytes') throw err;
        const size = await inflatedSize(source, stream, ctx.limits.maxBytesRead, ctx.signal);
        content = new InflateSource(source, 0, source.size, stream, size, format);
      }
      await ctx.scanNested(content, member, { unknownFormat: 'unscannable' });
    },
  };
}

export const gzipAnalyzer = wrapper(
  'gzip',
  'gunzip',
  (h) => h[0] === 0x1f && h[1] === 0x8b && h[2] === 0x08,
  (src, ctx) => inflateToMemory(src, 0, src.size, 'gzip', { cap: ctx.limits.maxMemberBytes, signal: ctx.signal, rule: 'gzip' }),
  'gzip',
);

/**
 * zlib: the 32 KiB-window header every common writer emits (0x78, checksum, no preset
 * dictionary) and a first deflate block of a valid type. Smaller windows are not sniffed: their
 * header bytes are printable and collide with text formats.
 */
export function looksLikeZlib(h: Uint8Array): boolean {
  if (h.length < 3) return false;
  const flg = h[1] as number;
  return h[0] === 0x78 && (0x78 * 256 + flg) % 31 === 0 && (flg & 0x20) === 0 && (((h[2] as number) >>> 1) & 3) !== 3;
}

export const zlibAnalyzer = wrapper(
  'zlib',
  'inflate',
  looksLikeZlib,
  (src, ctx) => inflateToMemory(src, 0, src.size, 'zlib', { cap: ctx.limits.maxMemberBytes, signal: ctx.signal, rule: 'zlib' }),
  'zlib',
);

export const bzip2Analyzer = wrapper('bzip2', 'bunzip2', looksLikeBzip2, (src, ctx) =>
  decodeBzip2(src, ctx.limits.maxMemberBytes, ctx.signal),
);

export const xzAnalyzer = wrapper('xz', 'unxz', looksLikeXz, (src, ctx) => decodeXz(src, ctx.limits.maxMemberBytes, ctx.signal));

export const lzmaAnalyzer = wrapper('lzma', 'unlzma', looksLikeLzmaAlone, (src, ctx) =>
  decodeLzmaAlone(src, ctx.limits.maxMemberBytes, ctx.signal),
);
