/**
 * Pickles PyTorch itself unpickles (an archive's data.pkl, a legacy file's pickles): scanned
 * with PyTorch's persistent-load semantics, and their storage references collected so the
 * tensor bytes can be skipped without being read.
 */
import { ownMember } from '../../../core/index.ts';
import type { FormatAnalyzer } from '../../types.ts';
import { scanPickles, type StreamResult } from '../pickle/stream.ts';
import { isObj, type PyValue } from '../pickle/values.ts';

export interface StorageRef {
  readonly key: string;
  /** Storage class name (`torch.FloatStorage`) or dtype name, when known. */
  readonly type: string | undefined;
  readonly numel: number | undefined;
}

/** ('storage', storage_type, key, location, numel[, view_metadata]) persistent ids. */
export function storageRefs(pids: readonly PyValue[]): StorageRef[] {
  const out: StorageRef[] = [];
  for (const pid of pids) {
    if (!isObj(pid) || pid.t !== 'tuple' || pid.items[0] !== 'storage') continue;
    const key = pid.items[2];
    const type = pid.items[1];
    const numel = pid.items[4];
    if (typeof key !== 'string') continue;
    out.push({
      key,
      type: isObj(type ?? null) && (type as { t: string }).t === 'global' ? (type as { path: string }).path : undefined,
      numel: typeof numel === 'number' ? numel : undefined,
    });
  }
  return out;
}

/** An analyzer that scans its source as one PyTorch pickle and keeps the result. */
export function torchPickleAnalyzer(sink: (r: StreamResult) => void, opts: { readonly torchscript: boolean }): FormatAnalyzer {
  return {
    format: 'pickle',
    detect: () => true,
    async analyze(source, ctx) {
      sink(await scanPickles(source, 0, ctx, { torch: true, torchscript: opts.torchscript, stacked: false }));
    },
  };
}

const ELEMENT_SIZES: Readonly<Record<string, number>> = {
  Double: 8, Float: 4, Half: 2, BFloat16: 2, Long: 8, Int: 4, Short: 2, Char: 1, Byte: 1, Bool: 1,
  ComplexFloat: 8, ComplexDouble: 16, QInt8: 1, QUInt8: 1, QInt32: 4, QUInt4x2: 1, QUInt2x4: 1,
};

/** Element size of a legacy storage class (`torch.FloatStorage` → 4). */
export function elementSize(storageType: string | undefined): number | undefined {
  const m = storageType === undefined ? null : /^torch\.(?:cuda\.)?(\w+)Storage$/.exec(storageType);
  // Own members only: `torch.constructorStorage` sizes nothing (it gave a function, and offsets of NaN).
  return m === null ? undefined : ownMember(ELEMENT_SIZES, m[1] as string);
}
