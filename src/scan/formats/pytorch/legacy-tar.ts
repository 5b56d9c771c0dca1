/**
 * PyTorch's legacy tar checkpoints (before 0.4): `sys_info` and `pickle` are pickles; `storages`
 * and `tensors` interleave pickles with raw records, which torch.load reads one by one:
 *   storages: count, then per storage (key, location, storage_type) + int64 numel + data,
 *             then the storage views pickle;
 *   tensors:  count, then per tensor (key, storage_id, type) + ndim, sizes, strides, offset.
 * Every pickle torch.load would unpickle is scanned; raw records are skipped by their sizes.
 */
import type { ByteSource, FormatAnalyzer, ScanContext } from '../../types.ts';
import { ScanFormatError, ScanUnscannableError } from '../../engine/errors.ts';
import { scanPickles } from '../pickle/stream.ts';
import { isObj, type PyValue } from '../pickle/values.ts';
import { elementSize } from './torch-pickle.ts';

function i64(b: Uint8Array, i: number): number {
  const v = new DataView(b.buffer, b.byteOffset + i, 8).getBigInt64(0, true);
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ScanFormatError('pytorch.tar.record', 'bad record size');
  return Number(v);
}

function count(v: PyValue): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ScanUnscannableError('pytorch.tar.layout', 'legacy tar member does not start with a record count');
  }
  return v;
}

async function walk(src: ByteSource, name: string, ctx: ScanContext): Promise<void> {
  let pos = 0;
  const one = async (): Promise<PyValue> => {
    const r = await scanPickles(src, pos, ctx, { torch: true, stacked: false, maxPickles: 1 });
    const first = r.pickles[0];
    if (first === undefined) throw new ScanFormatError('pytorch.tar.layout', `${name}: expected a pickle at ${pos}`, pos);
    pos = r.end;
    return first.value;
  };
  if (name === 'sys_info' || name === 'pickle') {
    await one();
    return;
  }
  const n = count(await one());
  for (let i = 0; i < n; i++) {
    const args = await one();
    const items = isObj(args) && args.t === 'tuple' ? args.items : [];
    if (name === 'storages') {
      const t = items[2];
      const size = elementSize(isObj(t ?? null) && (t as { t: string }).t === 'global' ? (t as { path: string }).path : undefined);
      if (size === undefined) throw new ScanUnscannableError('pytorch.tar.layout', 'unknown storage type in legacy tar checkpoint');
      const head = await src.read(pos, 8);
      if (head.length < 8) throw new ScanFormatError('pytorch.tar.record', 'storage record truncated', pos);
      pos += 8 + i64(head, 0) * size;
    } else {
      const head = await src.read(pos, 8);
      if (head.length < 8) throw new ScanFormatError('pytorch.tar.record', 'tensor record truncated', pos);
      const ndim = new DataView(head.buffer, head.byteOffset, 4).getInt32(0, true);
      if (ndim < 0 || ndim > 64) throw new ScanFormatError('pytorch.tar.record', 'bad tensor rank', pos);
      pos += 8 + 16 * ndim + 8;
    }
  }
  if (name === 'storages') await one(); // storage views
}

function memberAnalyzer(name: string): FormatAnalyzer {
  return {
    format: 'pickle',
    detect: () => true,
    analyze: (src, ctx) => walk(src, name, ctx),
  };
}

export async function scanLegacyTarMember(src: ByteSource, name: string, ctx: ScanContext): Promise<void> {
  await ctx.scanNested(src, name, { analyzer: memberAnalyzer(name) });
}
