/** Opens a zip member's content: stored members are windows on the file, deflated ones inflate. */
import type { ByteSource, ScanContext } from '../../types.ts';
import { ScanAbortedError, ScanFormatError, ScanLimitError, ScanUnscannableError } from '../../engine/errors.ts';
import { GrowableBuffer } from '../archives/growable-buffer.ts';
import { LzmaDecoder, parseLzmaProps } from '../archives/lzma.ts';
import { SliceSource } from '../../sources/slice-source.ts';
import { MemorySource } from '../../sources/memory-source.ts';
import { inflateToMemory } from '../archives/inflate.ts';
import { InflateSource } from '../archives/inflate-source.ts';
import { decodeBzip2 } from '../archives/bzip2.ts';
import type { ZipEntry } from './reader.ts';

const STREAM_ABOVE = 16 << 20;

const METHODS: Readonly<Record<number, string>> = {
  1: 'shrink', 6: 'implode', 9: 'deflate64', 93: 'zstd', 95: 'xz', 96: 'jpeg', 98: 'ppmd', 99: 'aes',
};

/** Zip's LZMA (method 14): 2-byte version, 2-byte properties size, properties, raw LZMA. */
async function decodeZipLzma(src: ByteSource, e: ZipEntry, ctx: ScanContext): Promise<Uint8Array> {
  const cap = ctx.limits.maxMemberBytes;
  if (src.size > cap + (cap >> 3) + (1 << 20)) throw new ScanLimitError('maxMemberBytes', `LZMA member of ${src.size} bytes`, 'local');
  const input = await src.read(0, src.size);
  if (input.length < 9 || input[2] !== 5 || input[3] !== 0) throw new ScanFormatError('zip.member.corrupt', 'bad LZMA member header', e.dataOffset);
  if (e.usize > cap) throw new ScanLimitError('maxMemberBytes', `LZMA member declares ${e.usize} bytes`, 'local');
  const out = new GrowableBuffer(cap, 'zip lzma');
  const lz = new LzmaDecoder(out, 'zip.member');
  lz.setProps(parseLzmaProps(input[4] as number, 'zip.member'));
  lz.resetState();
  lz.resetDict();
  lz.initRange(input, 9, input.length);
  // Bit 1: the stream ends with an end marker; otherwise the declared size ends it.
  lz.decode((e.flags & 0x0002) !== 0 ? undefined : e.usize, () => {
    if (ctx.signal.aborted) throw new ScanAbortedError('timeout');
  });
  return out.result();
}

export async function openMember(src: ByteSource, e: ZipEntry, ctx: ScanContext): Promise<ByteSource> {
  const available = Math.max(0, Math.min(e.csize, src.size - e.dataOffset));
  switch (e.method) {
    case 0:
      return new SliceSource(src, e.dataOffset, available);
    case 8:
      // Large members decompress lazily: analyzers that only need a header never inflate it all.
      if (e.usize > STREAM_ABOVE) return new InflateSource(src, e.dataOffset, available, 'raw', e.usize, 'zip.member');
      return new MemorySource(
        await inflateToMemory(src, e.dataOffset, available, 'raw', {
          cap: ctx.limits.maxMemberBytes,
          signal: ctx.signal,
          rule: 'zip.member',
        }),
      );
    case 12:
      return new MemorySource(await decodeBzip2(new SliceSource(src, e.dataOffset, available), ctx.limits.maxMemberBytes, ctx.signal));
    case 14:
      return new MemorySource(await decodeZipLzma(new SliceSource(src, e.dataOffset, available), e, ctx));
    default:
      throw new ScanUnscannableError(
        'zip.member.method',
        `member ${e.name} uses compression method ${e.method} (${METHODS[e.method] ?? 'unknown'}), which the scanner does not decode`,
        e.localOffset,
      );
  }
}
