/** Opens a zip member's content: stored members are windows on the file, deflated ones inflate. */
import type { ByteSource, ScanContext } from '../../types.ts';
import { ScanUnscannableError } from '../../engine/errors.ts';
import { SliceSource } from '../../sources/slice-source.ts';
import { MemorySource } from '../../sources/memory-source.ts';
import { inflateToMemory } from '../archives/inflate.ts';
import { decodeBzip2 } from '../archives/bzip2.ts';
import type { ZipEntry } from './reader.ts';

const METHODS: Readonly<Record<number, string>> = {
  1: 'shrink', 6: 'implode', 9: 'deflate64', 14: 'lzma', 93: 'zstd', 95: 'xz', 96: 'jpeg', 98: 'ppmd', 99: 'aes',
};

export async function openMember(src: ByteSource, e: ZipEntry, ctx: ScanContext): Promise<ByteSource> {
  const available = Math.max(0, Math.min(e.csize, src.size - e.dataOffset));
  switch (e.method) {
    case 0:
      return new SliceSource(src, e.dataOffset, available);
    case 8:
      return new MemorySource(
        await inflateToMemory(src, e.dataOffset, available, 'raw', {
          cap: ctx.limits.maxMemberBytes,
          signal: ctx.signal,
          rule: 'zip.member',
        }),
      );
    case 12:
      return new MemorySource(await decodeBzip2(new SliceSource(src, e.dataOffset, available), ctx.limits.maxMemberBytes, ctx.signal));
    default:
      throw new ScanUnscannableError(
        'zip.member.method',
        `member ${e.name} uses compression method ${e.method} (${METHODS[e.method] ?? 'unknown'}), which the scanner does not decode`,
        e.localOffset,
      );
  }
}
