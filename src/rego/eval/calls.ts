/**
 * Calling builtins, evaluator intrinsics and user functions from planned code, including
 * `with` mocks (a replacement runs with the mocks lifted) and OPA's builtin error policy:
 * strict mode halts, otherwise the call is undefined.
 */
import { BuiltinError, type BuiltinDecl, type FunctionBuiltin } from '../builtins/types.ts';
import type { Callee } from '../compile/ir.ts';
import { RegoError } from '../errors.ts';
import type { Loc } from '../syntax/ast.ts';
import type { Value } from '../value.ts';
import { fastBinary } from './fast-ops.ts';
import { callIntrinsic } from './intrinsics.ts';
import { callFunction } from './rules.ts';
import { Ctx, evalError, type Ev, type Frame, type Mock } from './runtime.ts';
import { UnavailableBuiltin } from './unavailable.ts';

export function invokeBuiltin(f: Frame, decl: BuiltinDecl, args: readonly Value[], loc: Loc): Value | undefined {
  const state = f.ctx.state;
  try {
    if (decl.kind === 'function') return decl.impl(args, state.builtinCtx);
    // A relation used as a value: its first answer.
    for (const v of decl.impl(args, state.builtinCtx)) return v;
    return undefined;
  } catch (e) {
    throw builtinFailure(f, decl.name, e, loc);
  }
}

/** Converts a builtin's exception: undefined (non-strict builtin error) is signalled by returning null. */
export function builtinFailure(f: Frame, name: string, e: unknown, loc: Loc): unknown {
  const state = f.ctx.state;
  if (e instanceof BuiltinError) {
    if (!state.strict) return UNDEFINED_CALL;
    return evalError(state, e.code, e.message, loc);
  }
  if (e instanceof RegoError) return e;
  if (e instanceof UnavailableBuiltin) return evalError(state, 'eval_builtin_error', e.message, loc);
  if (e instanceof RangeError) return evalError(state, 'eval_limit_error', `${name}: input too large or too deeply nested`, loc);
  const msg = e instanceof Error ? e.message : String(e);
  return evalError(state, 'eval_builtin_error', `${name}: ${msg}`, loc);
}

/** Thrown (and caught by callers) when a non-strict builtin error makes a call undefined. */
export const UNDEFINED_CALL = { undefinedCall: true } as const;

/** A closure calling `fn` with the values of `evs`; undefined when an argument is. */
export function calleeEv(fn: Callee, evs: readonly Ev[], loc: Loc): Ev {
  const invoke = invoker(fn, loc);
  const key = fn.name;
  const op = evs.length === 2 ? fastBinary(fn) : null;
  if (op !== null) {
    const e0 = evs[0] as Ev;
    const e1 = evs[1] as Ev;
    return (f) => {
      const a = e0(f);
      if (a === undefined) return undefined;
      const b = e1(f);
      if (b === undefined) return undefined;
      return f.ctx.mocks === null ? op(a, b) : mockedCall(f, key, invoke, [a, b], loc);
    };
  }
  const mocked = (f: Frame, args: readonly Value[]): Value | undefined => {
    const m = (f.ctx.mocks as ReadonlyMap<string, Mock>).get(key);
    if (m === undefined) return invoke(f, args);
    if (m.kind === 'value') return m.value;
    return callMock(f, m.fn, args, loc);
  };
  // Builtins get a per-call-site argument buffer: they never retain it, and a call site is
  // not re-entered while its builtin runs (no recursion).
  const direct = fn.kind === 'builtin' && fn.decl.kind === 'function' ? directBuiltin(fn.decl, loc) : null;
  switch (evs.length) {
    case 0:
      return (f) => (f.ctx.mocks === null ? invoke(f, []) : mocked(f, []));
    case 1: {
      const e0 = evs[0] as Ev;
      if (direct !== null) {
        const buf: Value[] = [null];
        return (f) => {
          const a = e0(f);
          if (a === undefined) return undefined;
          if (f.ctx.mocks !== null) return mocked(f, [a]);
          buf[0] = a;
          return direct(f, buf);
        };
      }
      return (f) => {
        const a = e0(f);
        if (a === undefined) return undefined;
        return f.ctx.mocks === null ? invoke(f, [a]) : mocked(f, [a]);
      };
    }
    case 2: {
      const e0 = evs[0] as Ev;
      const e1 = evs[1] as Ev;
      if (direct !== null) {
        const buf: Value[] = [null, null];
        return (f) => {
          const a = e0(f);
          if (a === undefined) return undefined;
          const b = e1(f);
          if (b === undefined) return undefined;
          if (f.ctx.mocks !== null) return mocked(f, [a, b]);
          buf[0] = a;
          buf[1] = b;
          return direct(f, buf);
        };
      }
      return (f) => {
        const a = e0(f);
        if (a === undefined) return undefined;
        const b = e1(f);
        if (b === undefined) return undefined;
        return f.ctx.mocks === null ? invoke(f, [a, b]) : mocked(f, [a, b]);
      };
    }
    default: {
      const n = evs.length;
      return (f) => {
        const args = new Array<Value>(n);
        for (let i = 0; i < n; i++) {
          const v = (evs[i] as Ev)(f);
          if (v === undefined) return undefined;
          args[i] = v;
        }
        return f.ctx.mocks === null ? invoke(f, args) : mocked(f, args);
      };
    }
  }
}

/** Calls a function builtin; a non-strict builtin error makes the call undefined. */
function directBuiltin(decl: FunctionBuiltin, loc: Loc): (f: Frame, args: readonly Value[]) => Value | undefined {
  const impl = decl.impl;
  const name = decl.name;
  return (f, args) => {
    try {
      return impl(args, f.ctx.state.builtinCtx);
    } catch (e) {
      const err = builtinFailure(f, name, e, loc);
      if (err === UNDEFINED_CALL) return undefined;
      throw err;
    }
  };
}

function mockedCall(f: Frame, key: string, invoke: (f: Frame, args: readonly Value[]) => Value | undefined, args: readonly Value[], loc: Loc): Value | undefined {
  const m = (f.ctx.mocks as ReadonlyMap<string, Mock>).get(key);
  if (m === undefined) return invoke(f, args);
  if (m.kind === 'value') return m.value;
  return callMock(f, m.fn, args, loc);
}

/** A replacement runs without the mocks in effect (it may call the original). */
function callMock(f: Frame, fn: Callee, args: readonly Value[], loc: Loc): Value | undefined {
  const saved = f.ctx;
  f.ctx = new Ctx(saved.state, saved.input, saved.overrides, null);
  try {
    return invoker(fn, loc)(f, args);
  } finally {
    f.ctx = saved;
  }
}

/** Calls a callee with evaluated arguments. */
export function invoker(fn: Callee, loc: Loc): (f: Frame, args: readonly Value[]) => Value | undefined {
  switch (fn.kind) {
    case 'builtin': {
      const decl = fn.decl;
      return (f, args) => {
        try {
          return invokeBuiltin(f, decl, args, loc);
        } catch (e) {
          if (e === UNDEFINED_CALL) return undefined;
          throw e;
        }
      };
    }
    case 'func': {
      const node = fn.node;
      return (f, args) => callFunction(f.ctx, node, args);
    }
    case 'intrinsic': {
      const name = fn.name;
      return (f, args) => callIntrinsic(f, name, args, loc);
    }
  }
}
