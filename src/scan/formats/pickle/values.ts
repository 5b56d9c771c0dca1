/**
 * Symbolic Python values of the pickle machine. Literals are JS primitives (str → string,
 * int → number | bigint, float → number, bool, None → null); everything the unpickler would
 * build or call is an object recording where it came from. Containers keep at most
 * `KEEP_ITEMS` items (the rest only counted): data is not what is judged, callables are.
 */
import type { BytesArg } from './decoder.ts';

export const KEEP_ITEMS = 4096;

export type PyValue = null | boolean | number | bigint | string | PyObject;

export type PyObject =
  | PyBytes
  | PyTextRef
  | PyGlobal
  | PyTuple
  | PyList
  | PyDict
  | PySet
  | PyCall
  | PyPersistent
  | PyExt
  | PyUnknown;

export interface PyBytes {
  readonly t: 'bytes';
  readonly arg: BytesArg;
  readonly mutable: boolean;
}

/** A str too large to keep in memory; re-readable from its source offset. */
export interface PyTextRef {
  readonly t: 'text-ref';
  readonly arg: BytesArg;
}

/** A name the unpickler imports (`find_class`) or a name derived from one (getattr …). */
export interface PyGlobal {
  readonly t: 'global';
  readonly module: string;
  readonly name: string;
  /** `module.name` as the unpickler resolves it (Python 2 aliases applied when they apply). */
  readonly path: string;
  readonly offset: number;
  readonly via: 'GLOBAL' | 'STACK_GLOBAL' | 'INST' | 'EXT' | 'derived';
}

export interface PyTuple {
  readonly t: 'tuple';
  readonly items: PyValue[];
  readonly size: number;
}

export interface PyList {
  readonly t: 'list';
  readonly items: PyValue[];
  size: number;
}

export interface PyDict {
  readonly t: 'dict';
  readonly keys: PyValue[];
  readonly values: PyValue[];
  size: number;
}

export interface PySet {
  readonly t: 'set' | 'frozenset';
  readonly items: PyValue[];
  size: number;
}

export type CallVia = 'REDUCE' | 'NEWOBJ' | 'NEWOBJ_EX' | 'INST' | 'OBJ';

/** The object an invocation returns: `fn(*args)`, `cls.__new__(cls, *args)` … */
export interface PyCall {
  readonly t: 'call';
  readonly fn: PyValue;
  readonly args: PyValue;
  readonly kwargs: PyValue;
  readonly via: CallVia;
  readonly offset: number;
  /** State applied by BUILD, when one was. */
  state: PyValue | undefined;
}

export interface PyPersistent {
  readonly t: 'persid';
  readonly pid: PyValue;
  readonly offset: number;
}

/** A callable named by number through copyreg's extension registry (EXT1/2/4). */
export interface PyExt {
  readonly t: 'ext';
  readonly code: number;
  readonly offset: number;
}

export interface PyUnknown {
  readonly t: 'unknown';
  readonly why: string;
}

export function isObj(v: PyValue): v is PyObject {
  return typeof v === 'object' && v !== null;
}

export function typeName(v: PyValue): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'int';
    case 'bigint':
      return 'int';
    case 'string':
      return 'str';
    default:
      return v.t === 'unknown' && v.why === 'float' ? 'float' : v.t;
  }
}

/** The str a value denotes, if it is a literal str (or text the decoder kept). */
export function strOf(v: PyValue): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Literal bytes of a value, when known and kept. */
export function bytesOf(v: PyValue): Uint8Array | undefined {
  return isObj(v) && v.t === 'bytes' ? v.arg.data : undefined;
}

export function tupleItems(v: PyValue): readonly PyValue[] | undefined {
  return isObj(v) && v.t === 'tuple' && v.items.length === v.size ? v.items : undefined;
}

/**
 * `d[key]` as Python sees it: the *last* entry with that key wins (a dict built with the key
 * twice keeps the later value). A dict too large to keep in full gives no answer.
 */
export function dictGet(v: PyValue, key: string): PyValue | undefined {
  if (!isObj(v) || v.t !== 'dict' || v.keys.length !== v.size) return undefined;
  const i = v.keys.lastIndexOf(key);
  return i < 0 ? undefined : v.values[i];
}

export function pushKept(items: PyValue[], v: PyValue): void {
  if (items.length < KEEP_ITEMS) items.push(v);
}
