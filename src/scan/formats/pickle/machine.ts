/**
 * The symbolic unpickler: executes the opcode stream over symbolic values exactly as CPython's
 * `_pickle.c` Unpickler manipulates its stack, mark stack and memo — but every import, call and
 * state mutation is handed to `hooks` instead of being performed. Errors end the run where the
 * real unpickler would stop; everything before has already been reported.
 */
import { ScanFormatError, ScanLimitError, ScanUnscannableError } from '../../engine/errors.ts';
import type { ScanLimits } from '../../types.ts';
import { DecodedOp, type PickleDecoder } from './decoder.ts';
import { HIGHEST_PROTOCOL, OP, opcodeName } from './opcodes.ts';
import { parseCStrtol, parsePyInt, toNumberIfSafe } from './text.ts';
import { py2Alias } from './aliases.ts';
import { isObj, pushKept, type CallVia, type PyCall, type PyGlobal, type PyValue } from './values.ts';

/** What the unpickler does after BUILD on a loader-specific object (joblib arrays). */
export type BuildEffect =
  | { readonly kind: 'none' }
  /** Raw bytes follow in the stream (optionally after a 1-byte padding length and padding). */
  | { readonly kind: 'skip'; readonly bytes: number; readonly padded: boolean }
  /** A complete pickle follows in the stream and is loaded by a fresh unpickler. */
  | { readonly kind: 'nested-pickle' }
  /** Raw bytes follow but their length cannot be known: the rest cannot be read. */
  | { readonly kind: 'unknowable'; readonly why: string };

export interface MachineHooks {
  /** Every name the unpickler would import (GLOBAL, STACK_GLOBAL, INST, resolved EXT). */
  onGlobal(g: PyGlobal, opcode: string): void;
  /** STACK_GLOBAL whose operands are not literal strings. */
  onDynamicGlobal(module: PyValue, name: PyValue, offset: number): void;
  onExt(code: number, offset: number): void;
  /** Every invocation; may return the call's value when it can be computed statically. */
  onCall(call: PyCall): PyValue | undefined;
  /** BUILD: `target.__setstate__(state)` or attribute assignment. */
  onBuild(target: PyValue, state: PyValue, offset: number): BuildEffect;
  /** APPEND(S)/SETITEM(S)/ADDITEMS on something that is not a fresh container. */
  onMutate(target: PyValue, opcode: string, offset: number): void;
  /** Persistent reference; may return what the loader's `persistent_load` yields. */
  onPersistentId(pid: PyValue, offset: number): PyValue | undefined;
  onOutOfBandBuffer(offset: number): void;
}

export interface RunResult {
  /** True when STOP was reached. */
  readonly stopped: boolean;
  /** The memo as the pickle left it. */
  readonly memo: Memo;
  readonly value: PyValue;
  readonly opcodes: number;
  readonly protocol: number;
}

export interface RunOptions {
  readonly limits: ScanLimits;
  /** The scan's `checkpoint` (ScanContext): a turn of the event loop when due, and its deadline. */
  readonly checkpoint: () => Promise<void>;
  /** Opcodes already spent by earlier pickles of the same source (limit is per source). */
  readonly spent: number;
  /**
   * Memo to start from. A fresh unpickler starts empty; an Unpickler object whose load() is
   * called again keeps the memo of the previous pickle.
   */
  readonly memo?: Memo;
}

const MARK_CHECK_INTERVAL = 0x3fff;
/** Every float: its value never matters to the judgement, so one shared placeholder. */
const FLOAT: PyValue = { t: 'unknown', why: 'float' };

function fail(rule: string, msg: string, offset: number): never {
  throw new ScanFormatError(rule, msg, offset);
}

/** Runs one pickle (up to and including STOP) from the decoder's position. */
export async function runPickle(dec: PickleDecoder, hooks: MachineHooks, opts: RunOptions): Promise<RunResult> {
  const { limits } = opts;
  let stack: PyValue[] = [];
  const metastack: PyValue[][] = [];
  let metaDepth = 0;
  const memo = opts.memo ?? new Memo();
  /** Attributes set on imported objects by BUILD: `path.attr` → value (numpy.prod.a = 'os'). */
  const overrides = new Map<string, PyValue>();
  let proto = 0;
  let ops = 0;
  const op = new DecodedOp();

  const underflow = (at: number): never => fail('pickle.stack.underflow', 'unpickling stack underflow', at);
  const pop = (at: number): PyValue => {
    if (stack.length === 0) underflow(at);
    return stack.pop() as PyValue;
  };
  const top = (at: number): PyValue => {
    if (stack.length === 0) underflow(at);
    return stack[stack.length - 1] as PyValue;
  };
  const popMark = (at: number): PyValue[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail('pickle.mark.missing', 'could not find MARK', at);
    metaDepth -= prev.length;
    stack = prev;
    return items;
  };
  const push = (v: PyValue, at: number): void => {
    stack.push(v);
    if (stack.length + metaDepth > limits.maxPickleStack) {
      throw new ScanLimitError('maxPickleStack', `pickle stack exceeds ${limits.maxPickleStack} items`, 'local', at);
    }
  };
  const memoPut = (idx: number, at: number): void => {
    memo.set(idx, top(at));
    if (memo.size > limits.maxPickleMemo) {
      throw new ScanLimitError('maxPickleMemo', `pickle memo exceeds ${limits.maxPickleMemo} entries`, 'local', at);
    }
  };
  const memoGet = (idx: number, at: number): PyValue => {
    const v = memo.get(idx);
    if (v === undefined) fail('pickle.memo.missing', `memo value not found at index ${idx}`, at);
    return v;
  };
  const resolve = (module: string, name: string, at: number, via: PyGlobal['via']): PyValue => {
    const [m, n] = proto < 3 ? py2Alias(module, name) : [module, name];
    const g: PyGlobal = { t: 'global', module: m, name: n, path: `${m}.${n}`, offset: at, via };
    hooks.onGlobal(g, via);
    if (proto >= 3) {
      // Loaders that alias regardless of protocol (or a Python 2 environment) import this:
      const [am, an] = py2Alias(module, name);
      if (am !== module || an !== name) hooks.onGlobal({ ...g, module: am, name: an, path: `${am}.${an}` }, via);
    }
    // An attribute assigned earlier by BUILD shadows what the module defines.
    return overrides.has(g.path) ? (overrides.get(g.path) as PyValue) : g;
  };
  const call = (fn: PyValue, args: PyValue, kwargs: PyValue, via: CallVia, at: number): PyValue => {
    const c: PyCall = { t: 'call', fn, args, kwargs, via, offset: at, state: undefined };
    const v = hooks.onCall(c);
    return v === undefined ? c : v;
  };
  const tuple = (items: PyValue[]): PyValue => ({ t: 'tuple', items: items.length > 4096 ? items.slice(0, 4096) : items, size: items.length });

  for (;;) {
    let got = dec.next(op);
    if (got !== true) got = await got;
    if (!got) {
      fail('pickle.truncated', 'pickle data was truncated (no STOP opcode)', dec.offset);
    }
    ops++;
    if ((ops & MARK_CHECK_INTERVAL) === 0) await opts.checkpoint();
    if (ops + opts.spent > limits.maxPickleOpcodes) {
      throw new ScanLimitError('maxPickleOpcodes', `more than ${limits.maxPickleOpcodes} pickle opcodes`, 'local', op.pos);
    }
    const at = op.pos;
    switch (op.code) {
      case OP.PROTO: {
        const p = op.arg as number;
        if (p > HIGHEST_PROTOCOL) fail('pickle.protocol', `unsupported pickle protocol: ${p}`, at);
        proto = p;
        break;
      }
      case OP.FRAME:
        break;
      case OP.STOP:
        return { stopped: true, value: pop(at), opcodes: ops, protocol: proto, memo };
      case OP.MARK:
        metastack.push(stack);
        metaDepth += stack.length;
        stack = [];
        break;
      case OP.POP:
        if (stack.length > 0) stack.pop();
        else popMark(at); // CPython pops the mark when the frame above it is empty
        break;
      case OP.POP_MARK:
        popMark(at);
        break;
      case OP.DUP:
        push(top(at), at);
        break;
      // ---- literals
      case OP.NONE:
        push(null, at);
        break;
      case OP.NEWTRUE:
        push(true, at);
        break;
      case OP.NEWFALSE:
        push(false, at);
        break;
      case OP.INT: {
        const text = op.arg as string;
        if (text === '00' || text === '01') {
          push(text === '01', at);
          break;
        }
        const v = parseCStrtol(text) ?? parsePyInt(text, 0);
        if (v === undefined) fail('pickle.arg.int', `invalid literal for int(): '${text.slice(0, 40)}'`, at);
        push(toNumberIfSafe(v), at);
        break;
      }
      case OP.BININT:
      case OP.BININT1:
      case OP.BININT2:
      case OP.LONG:
      case OP.LONG1:
      case OP.LONG4:
        push(op.arg as number | bigint, at);
        break;
      case OP.FLOAT:
      case OP.BINFLOAT:
        push(FLOAT, at);
        break;
      case OP.STRING:
      case OP.BINSTRING:
      case OP.SHORT_BINSTRING:
      case OP.UNICODE:
      case OP.SHORT_BINUNICODE:
      case OP.BINUNICODE:
      case OP.BINUNICODE8:
        push(typeof op.arg === 'string' ? op.arg : { t: 'text-ref', arg: op.arg as never }, at);
        break;
      case OP.BINBYTES:
      case OP.SHORT_BINBYTES:
      case OP.BINBYTES8:
      case OP.BYTEARRAY8:
        push({ t: 'bytes', arg: op.arg as never, mutable: op.code === OP.BYTEARRAY8 }, at);
        break;
      case OP.NEXT_BUFFER:
        hooks.onOutOfBandBuffer(at);
        push({ t: 'unknown', why: 'out-of-band buffer' }, at);
        break;
      case OP.READONLY_BUFFER:
        top(at);
        break;
      // ---- containers
      case OP.EMPTY_TUPLE:
        push({ t: 'tuple', items: [], size: 0 }, at);
        break;
      case OP.TUPLE:
        push(tuple(popMark(at)), at);
        break;
      case OP.TUPLE1: {
        const a = pop(at);
        push({ t: 'tuple', items: [a], size: 1 }, at);
        break;
      }
      case OP.TUPLE2: {
        const b = pop(at);
        const a = pop(at);
        push({ t: 'tuple', items: [a, b], size: 2 }, at);
        break;
      }
      case OP.TUPLE3: {
        const c = pop(at);
        const b = pop(at);
        const a = pop(at);
        push({ t: 'tuple', items: [a, b, c], size: 3 }, at);
        break;
      }
      case OP.EMPTY_LIST:
        push({ t: 'list', items: [], size: 0 }, at);
        break;
      case OP.LIST: {
        const items = popMark(at);
        push({ t: 'list', items: items.slice(0, 4096), size: items.length }, at);
        break;
      }
      case OP.EMPTY_DICT:
        push({ t: 'dict', keys: [], values: [], size: 0 }, at);
        break;
      case OP.DICT: {
        const items = popMark(at);
        if (items.length % 2 !== 0) fail('pickle.dict.odd', 'odd number of items for DICT', at);
        const d = { t: 'dict' as const, keys: [] as PyValue[], values: [] as PyValue[], size: 0 };
        for (let i = 0; i < items.length; i += 2) {
          pushKept(d.keys, items[i] as PyValue);
          pushKept(d.values, items[i + 1] as PyValue);
          d.size++;
        }
        push(d, at);
        break;
      }
      case OP.EMPTY_SET:
        push({ t: 'set', items: [], size: 0 }, at);
        break;
      case OP.FROZENSET: {
        const items = popMark(at);
        push({ t: 'frozenset', items: items.slice(0, 4096), size: items.length }, at);
        break;
      }
      case OP.APPEND: {
        const v = pop(at);
        const target = top(at);
        if (isObj(target) && target.t === 'list') {
          pushKept(target.items, v);
          target.size++;
        } else hooks.onMutate(target, 'APPEND', at);
        break;
      }
      case OP.APPENDS: {
        const items = popMark(at);
        const target = top(at);
        if (isObj(target) && target.t === 'list') {
          for (const v of items) pushKept(target.items, v);
          target.size += items.length;
        } else hooks.onMutate(target, 'APPENDS', at);
        break;
      }
      case OP.SETITEM: {
        const v = pop(at);
        const k = pop(at);
        const target = top(at);
        if (isObj(target) && target.t === 'dict') {
          pushKept(target.keys, k);
          pushKept(target.values, v);
          target.size++;
        } else hooks.onMutate(target, 'SETITEM', at);
        break;
      }
      case OP.SETITEMS: {
        const items = popMark(at);
        if (items.length % 2 !== 0) fail('pickle.dict.odd', 'odd number of items for SETITEMS', at);
        const target = top(at);
        if (isObj(target) && target.t === 'dict') {
          for (let i = 0; i < items.length; i += 2) {
            pushKept(target.keys, items[i] as PyValue);
            pushKept(target.values, items[i + 1] as PyValue);
          }
          target.size += items.length / 2;
        } else hooks.onMutate(target, 'SETITEMS', at);
        break;
      }
      case OP.ADDITEMS: {
        const items = popMark(at);
        const target = top(at);
        if (isObj(target) && (target.t === 'set')) {
          for (const v of items) pushKept(target.items, v);
          target.size += items.length;
        } else hooks.onMutate(target, 'ADDITEMS', at);
        break;
      }
      // ---- memo
      case OP.PUT: {
        const idx = parsePyInt(op.arg as string, 10);
        if (idx === undefined) fail('pickle.arg.int', 'invalid PUT index', at);
        if (idx < 0n) fail('pickle.memo.negative', 'negative PUT argument', at);
        memoPut(Number(idx), at);
        break;
      }
      case OP.BINPUT:
      case OP.LONG_BINPUT:
        memoPut(op.arg as number, at);
        break;
      case OP.MEMOIZE:
        memoPut(memo.size, at);
        break;
      case OP.GET: {
        const idx = parsePyInt(op.arg as string, 10);
        if (idx === undefined) fail('pickle.arg.int', 'invalid GET index', at);
        push(memoGet(Number(idx), at), at);
        break;
      }
      case OP.BINGET:
      case OP.LONG_BINGET:
        push(memoGet(op.arg as number, at), at);
        break;
      // ---- imports
      case OP.GLOBAL:
        push(resolve(op.arg as string, op.arg2, at, 'GLOBAL'), at);
        break;
      case OP.STACK_GLOBAL: {
        const name = pop(at);
        const module = pop(at);
        if (typeof module === 'string' && typeof name === 'string') {
          push(resolve(module, name, at, 'STACK_GLOBAL'), at);
        } else {
          hooks.onDynamicGlobal(module, name, at);
          push({ t: 'unknown', why: 'dynamic import' }, at);
        }
        break;
      }
      case OP.EXT1:
      case OP.EXT2:
      case OP.EXT4: {
        const code = op.arg as number;
        if (code <= 0) fail('pickle.ext.code', 'EXT specifies code <= 0', at);
        hooks.onExt(code, at);
        push({ t: 'ext', code, offset: at }, at);
        break;
      }
      // ---- calls
      case OP.REDUCE: {
        const args = pop(at);
        const fn = pop(at);
        push(call(fn, args, null, 'REDUCE', at), at);
        break;
      }
      case OP.NEWOBJ: {
        const args = pop(at);
        const cls = pop(at);
        push(call(cls, args, null, 'NEWOBJ', at), at);
        break;
      }
      case OP.NEWOBJ_EX: {
        const kwargs = pop(at);
        const args = pop(at);
        const cls = pop(at);
        push(call(cls, args, kwargs, 'NEWOBJ_EX', at), at);
        break;
      }
      case OP.INST: {
        const klass = resolve(op.arg as string, op.arg2, at, 'INST');
        const args = popMark(at);
        push(call(klass, tuple(args), null, 'INST', at), at);
        break;
      }
      case OP.OBJ: {
        const items = popMark(at);
        if (items.length === 0) underflow(at);
        const [cls, ...args] = items;
        push(call(cls as PyValue, tuple(args), null, 'OBJ', at), at);
        break;
      }
      case OP.BUILD: {
        const state = pop(at);
        const target = top(at);
        if (isObj(target) && target.t === 'call') target.state = state;
        if (isObj(target) && target.t === 'global') recordOverrides(overrides, target.path, state);
        const effect = hooks.onBuild(target, state, at);
        await applyBuildEffect(effect, dec, hooks, opts, ops, at, stack);
        break;
      }
      case OP.PERSID:
      case OP.BINPERSID: {
        const pid = op.code === OP.PERSID ? (op.arg as string) : pop(at);
        const loaded = hooks.onPersistentId(pid, at);
        push(loaded === undefined ? { t: 'persid', pid, offset: at } : loaded, at);
        break;
      }
      default:
        fail('pickle.opcode.unknown', `opcode ${opcodeName(op.code)} not handled`, at);
    }
  }
}

function recordOverrides(overrides: Map<string, PyValue>, path: string, state: PyValue): void {
  const apply = (d: PyValue): void => {
    if (!isObj(d) || d.t !== 'dict') return;
    d.keys.forEach((k, i) => {
      if (typeof k === 'string') overrides.set(`${path}.${k}`, d.values[i] as PyValue);
    });
  };
  if (isObj(state) && state.t === 'tuple' && state.items.length === 2) {
    apply(state.items[0] as PyValue);
    apply(state.items[1] as PyValue);
  } else apply(state);
}

async function applyBuildEffect(
  effect: BuildEffect,
  dec: PickleDecoder,
  hooks: MachineHooks,
  opts: RunOptions,
  ops: number,
  at: number,
  stack: PyValue[],
): Promise<void> {
  switch (effect.kind) {
    case 'none':
      return;
    case 'skip': {
      let skip = effect.bytes;
      if (effect.padded) {
        const pad = await dec.readRaw(1);
        if (pad.length !== 1) fail('pickle.truncated', 'array padding byte missing', at);
        skip += pad[0] as number;
      }
      if (dec.offset + skip > dec.source.size) fail('pickle.truncated', 'array data runs past the end of the file', at);
      dec.seek(dec.offset + skip);
      stack[stack.length - 1] = { t: 'unknown', why: 'array read from the stream' };
      return;
    }
    case 'nested-pickle': {
      const inner = await runPickle(dec, hooks, { ...opts, spent: opts.spent + ops });
      stack[stack.length - 1] = inner.value;
      return;
    }
    case 'unknowable':
      throw new ScanUnscannableError('pickle.stream.raw-data', `cannot tell how many raw bytes follow: ${effect.why}`, at);
    default:
      return;
  }
}

/**
 * The unpickler's memo: a dense array for the indices picklers actually write (0, 1, 2 …) and a
 * map for anything else. `size` is the number of distinct indices set, which is where MEMOIZE
 * writes — exactly `len(memo)` in CPython, whatever PUT indices came before.
 */
export class Memo {
  readonly #dense: PyValue[] = [];
  readonly #sparse = new Map<number, PyValue>();

  get size(): number {
    return this.#dense.length + this.#sparse.size;
  }

  clone(): Memo {
    const m = new Memo();
    for (const v of this.#dense) m.#dense.push(v);
    for (const [k, v] of this.#sparse) m.#sparse.set(k, v);
    return m;
  }

  get(i: number): PyValue | undefined {
    return i < this.#dense.length ? this.#dense[i] : this.#sparse.get(i);
  }

  set(i: number, v: PyValue): void {
    const d = this.#dense;
    if (i < d.length) {
      d[i] = v;
      return;
    }
    if (i === d.length) {
      this.#sparse.delete(i);
      d.push(v);
      // Keep the dense run contiguous: pull in entries that were set out of order.
      while (this.#sparse.size > 0 && this.#sparse.has(d.length)) {
        d.push(this.#sparse.get(d.length) as PyValue);
        this.#sparse.delete(d.length - 1);
      }
      return;
    }
    this.#sparse.set(i, v);
  }
}
