/**
 * joblib writes NumPy arrays as a `NumpyArrayWrapper` object followed, inside the pickle
 * stream, by the raw array bytes (after a 1-byte padding length and padding since joblib 1.2)
 * or, for object arrays, by a complete nested pickle. joblib's unpickler reads them in BUILD;
 * the scanner must do the same to stay in step with the opcodes that follow.
 */
import type { BuildEffect } from '../pickle/machine.ts';
import { dictGet, isObj, strOf, tupleItems, type PyCall, type PyValue } from '../pickle/values.ts';

const WRAPPERS = new Set([
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
]);

/** The class a call instantiates (`cls(...)`, `cls.__new__(cls)`, `copyreg._reconstructor(cls, …)`). */
export function classOf(c: PyCall): string | undefined {
  if (!isObj(c.fn) || c.fn.t !== 'global') return undefined;
  const p = c.fn.path;
  if (p === 'copyreg._reconstructor' || p === 'copyreg.__newobj__' || p === 'copyreg.__newobj_ex__') {
    const first = isObj(c.args) && c.args.t === 'tuple' ? c.args.items[0] : undefined;
    return first !== undefined && isObj(first) && first.t === 'global' ? first.path : undefined;
  }
  return p;
}

export function isArrayWrapper(target: PyValue): target is PyCall {
  if (!isObj(target) || target.t !== 'call') return false;
  const cls = classOf(target);
  return cls !== undefined && WRAPPERS.has(cls);
}

interface DtypeInfo {
  readonly itemsize: number;
  readonly hasObject: boolean;
}

function num(v: PyValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return undefined;
}

/** A `numpy.dtype(typestr, align, copy)` call with its BUILD state, as numpy pickles dtypes. */
export function dtypeInfo(v: PyValue | undefined, depth = 0): DtypeInfo | undefined {
  if (v === undefined || depth > 8 || !isObj(v) || v.t !== 'call') return undefined;
  if (!isObj(v.fn) || v.fn.t !== 'global' || !/^numpy(\._core|\.core)?(\.multiarray)?\.dtype$/.test(v.fn.path)) return undefined;
  const typestr = strOf(tupleItems(v.args)?.[0] ?? null);
  if (typestr === undefined) return undefined;
  const m = /^([biufcmMOSUVa?])(\d*)$/.exec(typestr);
  if (m === null) return undefined;
  const kind = m[1] as string;
  const digits = m[2] === '' ? undefined : Number(m[2]);
  const state = tupleItems(v.state ?? null);
  const elsize = num(state?.[5]);
  let hasObject = kind === 'O';
  // Structured dtypes: fields {name: (dtype, offset[, title])}; subarrays: (base, shape).
  const fields = state?.[4];
  if (isObj(fields ?? null) && (fields as { t: string }).t === 'dict') {
    for (const f of (fields as { values: PyValue[] }).values) {
      const sub = dtypeInfo(tupleItems(f)?.[0], depth + 1);
      if (sub === undefined) return undefined;
      if (sub.hasObject) hasObject = true;
    }
  }
  const subarray = tupleItems(state?.[2] ?? null);
  if (subarray !== undefined) {
    const sub = dtypeInfo(subarray[0], depth + 1);
    if (sub === undefined) return undefined;
    if (sub.hasObject) hasObject = true;
  }
  // numpy's dtype.__setstate__ takes elsize from the state only for flexible kinds (bytes, str,
  // void — including 0); fixed-size kinds keep the size their type string says, whatever the
  // state claims. Reading it any other way desynchronises the scan from joblib's reads.
  let itemsize: number | undefined;
  const flexible = kind === 'S' || kind === 'U' || kind === 'V' || kind === 'a';
  if (flexible && elsize !== undefined) itemsize = elsize;
  else if (kind === 'U') itemsize = digits === undefined ? undefined : digits * 4;
  else if (kind === 'O') itemsize = 8;
  else if (kind === '?') itemsize = 1;
  else itemsize = digits;
  if (itemsize !== undefined && itemsize < 0) return undefined;
  if (itemsize === undefined) return hasObject ? { itemsize: 0, hasObject } : undefined;
  return { itemsize, hasObject };
}

/** What joblib's unpickler reads after BUILD on an array wrapper. */
export function arrayWrapperEffect(wrapper: PyCall): BuildEffect {
  const state = wrapper.state ?? null;
  const dtype = dtypeInfo(dictGet(state, 'dtype'));
  if (dtype === undefined) return { kind: 'unknowable', why: 'array dtype not understood' };
  if (dtype.hasObject) return { kind: 'nested-pickle' };
  const shapeValue = dictGet(state, 'shape') ?? null;
  const shape = tupleItems(shapeValue);
  if (shape === undefined) return { kind: 'unknowable', why: 'array shape not understood' };
  let count = 1;
  for (const d of shape) {
    const n = num(d);
    if (n === undefined || n < 0) return { kind: 'unknowable', why: 'array shape not understood' };
    count *= n;
    if (!Number.isSafeInteger(count)) return { kind: 'unknowable', why: 'array too large' };
  }
  const bytes = count * dtype.itemsize;
  if (!Number.isSafeInteger(bytes)) return { kind: 'unknowable', why: 'array too large' };
  const align = dictGet(state, 'numpy_array_alignment_bytes');
  return { kind: 'skip', bytes, padded: align !== undefined && align !== null };
}

const COMPAT_WRAPPERS = new Set([
  'joblib.numpy_pickle.NDArrayWrapper',
  'joblib.numpy_pickle.ZNDArrayWrapper',
  'joblib.numpy_pickle_compat.NDArrayWrapper',
  'joblib.numpy_pickle_compat.ZNDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle_compat.NDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle_compat.ZNDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.ZNDArrayWrapper',
]);

/**
 * joblib < 0.10 stored arrays in companion files; today's joblib still reads them: BUILD on an
 * `NDArrayWrapper` makes the unpickler `numpy.load(dirname/filename, allow_pickle=True)` (a
 * second, unscanned pickle), a `ZNDArrayWrapper` reads the file into an array. Returns the
 * `filename` the state names (a string, or `null` when it is not a literal), or undefined when
 * `target` is not such a wrapper.
 */
export function compatWrapperFile(target: PyValue, state: PyValue): { readonly cls: string; readonly filename: string | null } | undefined {
  if (!isObj(target) || target.t !== 'call') return undefined;
  const cls = classOf(target);
  if (cls === undefined || !COMPAT_WRAPPERS.has(cls)) return undefined;
  const f = dictGet(state, 'filename') ?? dictGet(tupleItems(state)?.[0] ?? null, 'filename');
  return { cls, filename: f === undefined ? null : (strOf(f) ?? null) };
}
