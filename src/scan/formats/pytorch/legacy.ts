/**
 * Legacy (non-zip) torch.save files: five stacked pickles — magic number, protocol version,
 * sys_info, the object (storages as persistent ids), the storage keys — then raw storage data
 * (per key: int64 element count, then the elements). torch.load unpickles all five; each is
 * scanned. The raw data is skipped by the sizes the pickles declare, never parsed.
 */
import type { FormatAnalyzer } from '../../types.ts';
import { finding } from '../../engine/findings.ts';
import { SliceSource } from '../../sources/slice-source.ts';
import { scanPickles } from '../pickle/stream.ts';
import { isObj } from '../pickle/values.ts';
import { elementSize, storageRefs } from './torch-pickle.ts';

const MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

export function looksLikeLegacyTorch(head: Uint8Array): boolean {
  if (head[0] !== 0x80) return false;
  for (let i = 2; i + MAGIC.length <= Math.min(head.length, 24); i++) {
    if (MAGIC.every((b, k) => head[i + k] === b)) return true;
  }
  return false;
}

export const legacyTorchAnalyzer: FormatAnalyzer = {
  format: 'pytorch-legacy',
  detect: looksLikeLegacyTorch,
  async analyze(source, ctx) {
    const r = await scanPickles(source, 0, ctx, { torch: true, maxPickles: 5 });
    if (r.pickles.length < 5) {
      ctx.report(finding('pytorch.legacy.incomplete', 'invalid', `legacy PyTorch file holds ${r.pickles.length} of 5 pickles`, { offset: r.end }));
      return;
    }
    // Storage data: for each key of the last pickle, 8 bytes count + count * element size.
    const keys = r.pickles[4]?.value;
    const refs = new Map(storageRefs(r.analysis.persistentIds).map((s) => [s.key, s]));
    let pos = r.end;
    let known = isObj(keys ?? null) && (keys as { t: string }).t === 'list';
    if (known) {
      for (const k of (keys as { items: unknown[] }).items) {
        const ref = typeof k === 'string' ? refs.get(k) : undefined;
        const size = elementSize(ref?.type);
        if (ref === undefined || size === undefined) {
          known = false;
          break;
        }
        const head = await source.read(pos, 8);
        // A count cut short: the file ends inside the storage data (reported below).
        if (head.length < 8) {
          pos += 8;
          break;
        }
        const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
        pos += 8 + n * size;
      }
    }
    if (!known) {
      ctx.report(finding('pytorch.legacy.storages', 'info', 'storage data layout not verified', { offset: r.end }));
      return;
    }
    if (pos > source.size) {
      ctx.report(finding('pytorch.legacy.truncated', 'invalid', `legacy PyTorch storage data ends at ${source.size}, ${pos - source.size} bytes short of what its pickles declare`, { offset: source.size }));
      return;
    }
    if (pos < source.size) {
      // torch.load never reads past the storages; whatever is appended is scanned anyway.
      await ctx.scanNested(new SliceSource(source, pos, source.size - pos), `@${pos}`, { lenient: true, unknownFormat: 'info' });
    }
  },
};
