/**
 * 7z archives: the (possibly compressed) header is decoded to list the files, each folder is
 * decoded under the member limit and every file scanned by content. Anything that cannot be
 * decoded (encryption, unsupported codecs) is an `unscannable` finding, never a pass.
 */
import type { FormatAnalyzer } from '../../../types.ts';
import { ScanFormatError, ScanLimitError, ScanUnscannableError } from '../../../engine/errors.ts';
import { finding } from '../../../engine/findings.ts';
import { MemorySource } from '../../../sources/memory-source.ts';
import { HeaderReader, ID, type FileEntry, type StreamsInfo } from './header.ts';
import { decodeFolder } from './folder.ts';

const MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

function u64(b: Uint8Array, i: number): number {
  const v = Number(new DataView(b.buffer, b.byteOffset + i, 8).getBigUint64(0, true));
  if (!Number.isSafeInteger(v)) throw new ScanFormatError('7z.header', 'offset out of range', i);
  return v;
}

function packOffsets(si: StreamsInfo): number[] {
  const out: number[] = [];
  let p = 32 + si.packPos;
  for (const s of si.packSizes) {
    out.push(p);
    p += s;
  }
  return out;
}

export const sevenZipAnalyzer: FormatAnalyzer = {
  format: '7z',
  detect: (head) => MAGIC.every((b, i) => head[i] === b),
  async analyze(source, ctx) {
    const sig = await source.read(0, 32);
    if (sig.length < 32) throw new ScanFormatError('7z.truncated', '7z signature header truncated', 0);
    const nextOffset = u64(sig, 12);
    const nextSize = u64(sig, 20);
    if (nextSize > ctx.limits.maxHeaderBytes) throw new ScanLimitError('maxHeaderBytes', `7z header of ${nextSize} bytes`, 'local', 32);
    if (32 + nextOffset + nextSize > source.size) throw new ScanFormatError('7z.truncated', '7z header lies past the end of the file', 32);
    let header = await source.read(32 + nextOffset, nextSize);
    const cap = ctx.limits.maxMemberBytes;
    // An encoded header is itself a folder to decode (usually LZMA).
    for (let rounds = 0; header[0] === ID.EncodedHeader; rounds++) {
      if (rounds > 4) throw new ScanFormatError('7z.header', 'too many nested encoded headers');
      const r = new HeaderReader(header, ctx.limits.maxMembers);
      r.p = 1;
      const si = r.streamsInfo();
      const folder = si.folders[0];
      const offsets = packOffsets(si);
      if (folder === undefined || offsets[0] === undefined) throw new ScanFormatError('7z.header', 'encoded header without data');
      header = await decodeFolder(source, folder, offsets[0], si.packSizes[0] ?? 0, Math.min(cap, ctx.limits.maxHeaderBytes), ctx.signal);
    }
    if (header.length === 0) return; // empty archive
    const r = new HeaderReader(header, ctx.limits.maxMembers);
    r.expect(ID.Header);
    let main: StreamsInfo | undefined;
    let files: FileEntry[] = [];
    for (;;) {
      const id = r.byte();
      if (id === ID.End) break;
      if (id === ID.ArchiveProperties) {
        for (let t = r.byte(); t !== ID.End; t = r.byte()) r.skipProperty();
      } else if (id === ID.AdditionalStreamsInfo) r.streamsInfo();
      else if (id === ID.MainStreamsInfo) main = r.streamsInfo();
      else if (id === ID.FilesInfo) files = r.filesInfo();
      else r.bad(`unexpected property 0x${id.toString(16)}`);
    }
    const withData = files.filter((f) => f.hasStream);
    if (main === undefined) {
      if (withData.length > 0) throw new ScanFormatError('7z.header', 'files with data but no streams');
      return;
    }
    const offsets = packOffsets(main);
    let fileIndex = 0;
    let packIndex = 0;
    for (let fi = 0; fi < main.folders.length; fi++) {
      const folder = main.folders[fi];
      const sizes = main.substreams[fi] ?? [];
      if (folder === undefined) continue;
      const names = withData.slice(fileIndex, fileIndex + sizes.length).map((f) => f.name);
      fileIndex += sizes.length;
      const offset = offsets[packIndex];
      const packSize = main.packSizes[packIndex] ?? 0;
      packIndex += folder.packedStreams.length;
      if (offset === undefined) throw new ScanFormatError('7z.header', 'folder without a packed stream');
      let out: Uint8Array;
      try {
        out = await decodeFolder(source, folder, offset, packSize, cap, ctx.signal);
      } catch (err) {
        if (err instanceof ScanLimitError && err.scope === 'local') {
          ctx.report(finding('scan.limit.maxMemberBytes', 'unscannable', `${names.join(', ')}: ${err.message}`, {}));
          continue;
        }
        if (err instanceof ScanUnscannableError) {
          ctx.report(finding(err.rule, 'unscannable', `${err.message} (${names.join(', ')} not scanned)`, { files: names }));
          continue;
        }
        throw err;
      }
      let p = 0;
      for (let k = 0; k < sizes.length; k++) {
        const size = sizes[k] as number;
        await ctx.scanNested(new MemorySource(out.subarray(p, p + size)), names[k] ?? `stream${k}`, { lenient: true });
        p += size;
      }
    }
  },
};
