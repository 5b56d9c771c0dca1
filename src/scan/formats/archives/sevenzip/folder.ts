/**
 * Decodes one 7z folder: a chain of single-stream coders (Copy, LZMA, LZMA2, Deflate, BZip2,
 * BCJ x86, Delta) fed by one packed stream. Encrypted folders (AES) and codecs the scanner does
 * not implement (PPMd, BCJ2, ARM filters …) are unscannable, never skipped.
 */
import type { ByteSource } from '../../../types.ts';
import { ScanAbortedError, ScanFormatError, ScanLimitError, ScanUnscannableError } from '../../../engine/errors.ts';
import { MemorySource } from '../../../sources/memory-source.ts';
import { GrowableBuffer } from '../growable-buffer.ts';
import { LzmaDecoder, parseLzmaProps } from '../lzma.ts';
import { decodeLzma2 } from '../lzma2.ts';
import { bunzip2 } from '../bzip2.ts';
import { inflateToMemory } from '../inflate.ts';
import { bcjX86Decode, deltaDecode } from '../filters.ts';
import { mainUnpackSize, type Coder, type Folder } from './header.ts';

const NAMES: Readonly<Record<string, string>> = {
  '00': 'Copy', '21': 'LZMA2', '030101': 'LZMA', '040108': 'Deflate', '040202': 'BZip2', '03030103': 'BCJ',
  '03': 'Delta', '0303011b': 'BCJ2', '030401': 'PPMd', '06f10701': 'AES-256', '03030501': 'ARM', '03030701': 'ARMT',
  '03030205': 'PPC', '03030805': 'SPARC', '03030401': 'IA64', '0a': 'ARM64', '040109': 'Deflate64',
};

async function runCoder(c: Coder, input: Uint8Array, size: number, cap: number, signal: AbortSignal): Promise<Uint8Array> {
  if (size > cap) throw new ScanLimitError('maxMemberBytes', `7z folder unpacks to ${size} bytes`, 'local');
  const check = (): void => {
    if (signal.aborted) throw new ScanAbortedError('timeout');
  };
  switch (c.method) {
    case '00':
      return input;
    case '21': {
      const out = new GrowableBuffer(cap, '7z');
      decodeLzma2(input, 0, out, '7z', check);
      return out.result();
    }
    case '030101': {
      if (c.props.length < 5) throw new ScanFormatError('7z.header', 'LZMA coder without properties');
      const out = new GrowableBuffer(cap, '7z');
      const lz = new LzmaDecoder(out, '7z');
      lz.setProps(parseLzmaProps(c.props[0] as number, '7z'));
      lz.resetState();
      lz.resetDict();
      lz.initRange(input, 0, input.length);
      lz.decode(size, check);
      return out.result();
    }
    case '040108':
      return inflateToMemory(new MemorySource(input), 0, input.length, 'raw', { cap, signal, rule: '7z' });
    case '040202':
      return bunzip2(input, cap, signal);
    case '03030103': {
      const copy = input.slice();
      bcjX86Decode(copy, 0);
      return copy;
    }
    case '03': {
      const copy = input.slice();
      deltaDecode(copy, (c.props[0] ?? 0) + 1);
      return copy;
    }
    default: {
      const name = NAMES[c.method] ?? `method ${c.method}`;
      throw new ScanUnscannableError(
        '7z.codec.unsupported',
        c.method === '06f10701' ? '7z content is encrypted (AES-256)' : `7z codec ${name} is not supported`,
      );
    }
  }
}

/** The folder's output bytes, from its packed stream at `packOffset` of `packSize` bytes. */
export async function decodeFolder(
  src: ByteSource,
  folder: Folder,
  packOffset: number,
  packSize: number,
  cap: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  if (folder.coders.some((c) => c.numIn !== 1 || c.numOut !== 1) || folder.packedStreams.length !== 1) {
    const c = folder.coders.find((x) => x.numIn !== 1 || x.numOut !== 1) ?? folder.coders[0];
    throw new ScanUnscannableError('7z.codec.unsupported', `7z coder graph (${NAMES[c?.method ?? ''] ?? c?.method}) is not supported`);
  }
  if (packSize > cap + (cap >> 3) + (1 << 20)) throw new ScanLimitError('maxMemberBytes', `7z packed stream of ${packSize} bytes`, 'local');
  const packed = await src.read(packOffset, packSize);
  if (packed.length < packSize) throw new ScanFormatError('7z.truncated', '7z packed stream runs past the end of the file', packOffset);
  // With one in/out per coder, coder i reads in-stream i and writes out-stream i.
  const decodeFrom = async (i: number, depth: number): Promise<Uint8Array> => {
    if (depth > folder.coders.length) throw new ScanFormatError('7z.header', '7z coder graph has a cycle');
    const coder = folder.coders[i];
    if (coder === undefined) throw new ScanFormatError('7z.header', '7z bind pair names a missing coder');
    const bound = folder.bindPairs.find((bp) => bp.inIndex === i);
    const input = bound === undefined ? packed : await decodeFrom(bound.outIndex, depth + 1);
    const size = folder.unpackSizes[i] ?? 0;
    const out = await runCoder(coder, input, size, cap, signal);
    if (out.length !== size) throw new ScanFormatError('7z.size', `7z coder output is ${out.length} bytes, header says ${size}`);
    return out;
  };
  let main = -1;
  for (let i = 0; i < folder.coders.length; i++) if (!folder.bindPairs.some((bp) => bp.outIndex === i)) main = i;
  if (main < 0) throw new ScanFormatError('7z.header', '7z folder has no final coder');
  const out = await decodeFrom(main, 0);
  if (out.length !== mainUnpackSize(folder)) throw new ScanFormatError('7z.size', '7z folder size mismatch');
  return out;
}
