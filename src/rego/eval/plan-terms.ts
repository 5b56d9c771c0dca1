/**
 * Planning terms into closures: `Ev` computes a term whose variables are all bound;
 * a `Pattern` matches a value against a term, binding its unbound variables.
 */
import { BuiltinError, type BuiltinDecl, type FunctionBuiltin } from '../builtins/types.ts';
import type { Callee, ICall, ICompr, ILit, IRef, ITemplate, ITerm } from '../compile/ir.ts';
import { termVars } from '../compile/ir.ts';
import { checkHeadSafety } from '../compile/safety.ts';
import { CompileFailure } from '../compile/scope.ts';
import type { FrameLayout } from '../compile/scope.ts';
import type { TreeNode } from '../compile/rule-tree.ts';
import { RegoError } from '../errors.ts';
import type { Loc } from '../syntax/ast.ts';
import { isArray, RObject, RSet, valuesEqual, type Value } from '../value.ts';
import { displayText } from '../value-text.ts';
import { dataGet, dataWalk, lookup, lookupBase, nodeValue } from './data.ts';
import { fastBinary } from './fast-ops.ts';
import { UnavailableBuiltin } from './unavailable.ts';
import { callIntrinsic } from './intrinsics.ts';
import { callFunction } from './rules.ts';
import { Ctx, evalError, type Ev, type Frame, type Mock, type Step } from './runtime.ts';

export type SlotSet = Set<number>;
export type Matcher = (f: Frame, v: Value) => boolean;

export interface Pattern {
  readonly match: Matcher;
  /** Slots the pattern may bind (to be reset after the continuation). */
  readonly binds: readonly number[];
  /** When the pattern is a single unbound variable: its slot (fast path), else -1. */
  readonly slot: number;
}

export interface PlanFrame {
  readonly layout: FrameLayout;
  naux: number;
}

export function isEvaluable(t: ITerm, bound: SlotSet): boolean {
  let ok = true;
  termVars(t, (v) => {
    if (!bound.has(v.slot)) ok = false;
  });
  return ok && !hasRelationCall(t);
}

function hasRelationCall(t: ITerm): boolean {
  switch (t.t) {
    case 'call':
      return (t.fn.kind === 'builtin' && t.fn.decl.kind === 'relation') || t.args.some(hasRelationCall);
    case 'ref':
      return (t.head !== 'data' && t.head !== 'input' && hasRelationCall(t.head)) || t.path.some(hasRelationCall);
    case 'array':
    case 'set':
      return t.items.some(hasRelationCall);
    case 'object':
      return t.keys.some(hasRelationCall) || t.values.some(hasRelationCall);
    default:
      return false;
  }
}

function isPrim(v: Value): v is null | boolean | number | string {
  return v === null || typeof v !== 'object';
}

/** Applies `rest` lookups to `v`. */
function lookupRest(
  evs: readonly Ev[],
  get: (v: Value | undefined, k: Value) => Value | undefined = lookup,
  consts: readonly (Value | undefined)[] = [],
): (f: Frame, v: Value | undefined) => Value | undefined {
  const n = evs.length;
  if (n === 0) return (_f, v) => v;
  if (consts.length === n && consts.every((c) => typeof c === 'string') && get === lookup) {
    const keys = consts as readonly string[];
    if (n === 1) {
      const k0 = keys[0] as string;
      return (_f, v) => (v instanceof RObject ? v.get(k0) : undefined);
    }
    return (_f, v) => {
      for (let i = 0; i < n; i++) {
        if (!(v instanceof RObject)) return undefined;
        v = v.get(keys[i] as string);
      }
      return v;
    };
  }
  if (n === 1) {
    const e0 = evs[0] as Ev;
    return (f, v) => {
      if (v === undefined) return undefined;
      const k = e0(f);
      return k === undefined ? undefined : get(v, k);
    };
  }
  return (f, v) => {
    for (let i = 0; i < n && v !== undefined; i++) {
      const k = (evs[i] as Ev)(f);
      if (k === undefined) return undefined;
      v = get(v, k);
    }
    return v;
  };
}

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

export abstract class TermPlanner {
  readonly root: TreeNode;

  constructor(root: TreeNode) {
    this.root = root;
  }

  /** Plans a closure body (comprehension) with `terminal` built once the body's bindings are known. */
  abstract planClosure(body: readonly ILit[], bound: SlotSet, pf: PlanFrame, terminal: (boundAfter: SlotSet) => Step): Step;

  ev(t: ITerm, bound: SlotSet, pf: PlanFrame): Ev {
    switch (t.t) {
      case 'const': {
        const v = t.v;
        return () => v;
      }
      case 'var': {
        const s = t.slot;
        return (f) => f.slots[s];
      }
      case 'ref':
        return this.refEv(t, bound, pf);
      case 'array': {
        const evs = t.items.map((x) => this.ev(x, bound, pf));
        const n = evs.length;
        return (f) => {
          const out = new Array<Value>(n);
          for (let i = 0; i < n; i++) {
            const v = (evs[i] as Ev)(f);
            if (v === undefined) return undefined;
            out[i] = v;
          }
          return out;
        };
      }
      case 'set': {
        const evs = t.items.map((x) => this.ev(x, bound, pf));
        return (f) => {
          const s = new RSet();
          for (const e of evs) {
            const v = e(f);
            if (v === undefined) return undefined;
            s.add(v);
          }
          return s;
        };
      }
      case 'object': {
        const ks = t.keys.map((x) => this.ev(x, bound, pf));
        const vs = t.values.map((x) => this.ev(x, bound, pf));
        const n = ks.length;
        return (f) => {
          const o = new RObject();
          for (let i = 0; i < n; i++) {
            const k = (ks[i] as Ev)(f);
            if (k === undefined) return undefined;
            const v = (vs[i] as Ev)(f);
            if (v === undefined) return undefined;
            o.set(k, v);
          }
          return o;
        };
      }
      case 'call':
        return this.callEv(t, bound, pf);
      case 'compr':
        return this.comprEv(t, bound, pf);
      case 'template':
        return this.templateEv(t, bound, pf);
    }
  }

  // ---- refs ---------------------------------------------------------------------------------

  refEv(t: IRef, bound: SlotSet, pf: PlanFrame): Ev {
    if (t.head === 'data') return this.dataEv(t.path, bound, pf, t.loc);
    const rest = lookupRest(
      t.path.map((p) => this.ev(p, bound, pf)),
      lookup,
      t.path.map((p) => (p.t === 'const' ? p.v : undefined)),
    );
    if (t.head === 'input') return (f) => rest(f, f.ctx.input);
    if (t.head.t === 'var') {
      const s = t.head.slot;
      return (f) => rest(f, f.slots[s]);
    }
    const h = this.ev(t.head, bound, pf);
    return (f) => rest(f, h(f));
  }

  /** `data.…`: resolved against the rule tree at plan time as far as the path is constant. */
  dataEv(path: readonly ITerm[], bound: SlotSet, pf: PlanFrame, loc: Loc): Ev {
    const root = this.root;
    let node = root;
    let i = 0;
    while (i < path.length) {
      if (node.leafKind === 'function') break;
      if (node.leafKind !== null || node.dynamicRules.length > 0 || !node.hasRules) break;
      const t = path[i] as ITerm;
      if (t.t !== 'const' || !isPrim(t.v)) break;
      const child = node.children.get(t.v);
      if (child === undefined) break;
      node = child;
      i++;
    }
    if (node.leafKind === 'function') {
      // Functions are not values (OPA: "undefined ref").
      throw new CompileFailure('rego_type_error', `undefined ref: ${node.pathText}`, loc);
    }
    const all = path.map((p) => this.ev(p, bound, pf));
    const restEvs = all.slice(i);
    const rest = lookupRest(restEvs);
    const slow: Ev = (f) => {
      const keys = new Array<Value>(all.length);
      for (let j = 0; j < all.length; j++) {
        const k = (all[j] as Ev)(f);
        if (k === undefined) return undefined;
        keys[j] = k;
      }
      return dataGet(f.ctx, root, keys);
    };
    const n = node;
    let fast: Ev;
    if (n.constValue !== undefined) {
      const c = n.constValue;
      if (restEvs.length === 0) return (f) => (f.ctx.overrides === null ? c : slow(f));
      fast = (f) => rest(f, c);
    } else if (n.leafKind !== null || n.dynamicRules.length > 0 || (i === path.length && n.hasRules)) {
      fast = (f) => rest(f, nodeValue(f.ctx, n));
    } else if (!n.hasRules) {
      const base = n.base;
      const baseRest = lookupRest(restEvs, lookupBase);
      fast = (f) => baseRest(f, base);
    } else {
      fast = (f) => {
        const keys = new Array<Value>(restEvs.length);
        for (let j = 0; j < restEvs.length; j++) {
          const k = (restEvs[j] as Ev)(f);
          if (k === undefined) return undefined;
          keys[j] = k;
        }
        return dataWalk(f.ctx, n, keys, 0);
      };
    }
    return (f) => (f.ctx.overrides === null ? fast(f) : slow(f));
  }

  // ---- calls --------------------------------------------------------------------------------

  callEv(t: ICall, bound: SlotSet, pf: PlanFrame): Ev {
    const evs = t.args.map((a) => this.ev(a, bound, pf));
    return this.calleeEv(t.fn, evs, t.loc);
  }

  /** A closure calling `fn` with the values of `evs`; undefined when an argument is. */
  calleeEv(fn: Callee, evs: readonly Ev[], loc: Loc): Ev {
    const invoke = this.invoker(fn, loc);
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
        return f.ctx.mocks === null ? op(a, b) : this.mockedCall(f, key, invoke, [a, b], loc);
      };
    }
    const mocked = (f: Frame, args: readonly Value[]): Value | undefined => {
      const m = (f.ctx.mocks as ReadonlyMap<string, Mock>).get(key);
      if (m === undefined) return invoke(f, args);
      if (m.kind === 'value') return m.value;
      return this.callMock(f, m.fn, args, loc);
    };
    // Builtins get a per-call-site argument buffer: they never retain it, and a call site is
    // not re-entered while its builtin runs (no recursion).
    const direct = fn.kind === 'builtin' && fn.decl.kind === 'function' ? this.directBuiltin(fn.decl, loc) : null;
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
  private directBuiltin(decl: FunctionBuiltin, loc: Loc): (f: Frame, args: readonly Value[]) => Value | undefined {
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

  private mockedCall(f: Frame, key: string, invoke: (f: Frame, args: readonly Value[]) => Value | undefined, args: readonly Value[], loc: Loc): Value | undefined {
    const m = (f.ctx.mocks as ReadonlyMap<string, Mock>).get(key);
    if (m === undefined) return invoke(f, args);
    if (m.kind === 'value') return m.value;
    return this.callMock(f, m.fn, args, loc);
  }

  /** A replacement runs without the mocks in effect (it may call the original). */
  private callMock(f: Frame, fn: Callee, args: readonly Value[], loc: Loc): Value | undefined {
    const saved = f.ctx;
    f.ctx = new Ctx(saved.state, saved.input, saved.overrides, null);
    try {
      return this.invoker(fn, loc)(f, args);
    } finally {
      f.ctx = saved;
    }
  }

  /** Calls a callee with evaluated arguments. */
  invoker(fn: Callee, loc: Loc): (f: Frame, args: readonly Value[]) => Value | undefined {
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

  // ---- closures ----------------------------------------------------------------------------

  comprEv(t: ICompr, bound: SlotSet, pf: PlanFrame): Ev {
    const aux = pf.naux++;
    const loc = t.loc;
    const chain = this.planClosure(t.body, bound, pf, (after) => {
      checkHeadSafety(t.key === null ? [t.value] : [t.key, t.value], after);
      const value = this.ev(t.value, after, pf);
      switch (t.kind) {
        case 'array':
          return (f) => {
            const v = value(f);
            if (v !== undefined) (f.aux[aux] as Value[]).push(v);
            return false;
          };
        case 'set':
          return (f) => {
            const v = value(f);
            if (v !== undefined) (f.aux[aux] as RSet).add(v);
            return false;
          };
        case 'object': {
          const key = this.ev(t.key as ITerm, after, pf);
          return (f) => {
            const k = key(f);
            if (k === undefined) return false;
            const v = value(f);
            if (v === undefined) return false;
            const o = f.aux[aux] as RObject;
            const prev = o.get(k);
            if (prev !== undefined && !valuesEqual(prev, v)) {
              throw evalError(f.ctx.state, 'eval_conflict_error', 'object keys must be unique', loc);
            }
            o.set(k, v);
            return false;
          };
        }
      }
    });
    const make: () => Value[] | RSet | RObject =
      t.kind === 'array' ? () => [] : t.kind === 'set' ? () => new RSet() : () => new RObject();
    return (f) => {
      const saved = f.aux[aux];
      const b = make();
      f.aux[aux] = b;
      chain(f);
      f.aux[aux] = saved;
      return b;
    };
  }

  templateEv(t: ITemplate, bound: SlotSet, pf: PlanFrame): Ev {
    const parts = t.parts.map((p) => (typeof p === 'string' ? p : this.comprEv(p, bound, pf)));
    const loc = t.loc;
    return (f) => {
      let out = '';
      for (const p of parts) {
        if (typeof p === 'string') {
          out += p;
          continue;
        }
        const s = p(f) as RSet;
        if (s.size === 0) out += '<undefined>';
        else if (s.size === 1) out += displayText(s.values()[0] as Value);
        else {
          if (!f.ctx.state.strict) return undefined;
          throw evalError(f.ctx.state, 'eval_builtin_error', 'template-strings must not produce multiple outputs', loc);
        }
      }
      return out;
    };
  }

  // ---- patterns -----------------------------------------------------------------------------

  /** Compiles `t` as a pattern; adds the variables it binds to `bound`. */
  pattern(t: ITerm, bound: SlotSet, pf: PlanFrame): Pattern {
    const binds: number[] = [];
    const match = this.matcher(t, bound, pf, binds);
    const slot = t.t === 'var' && binds.length === 1 ? t.slot : -1;
    return { match, binds, slot };
  }

  private matcher(t: ITerm, bound: SlotSet, pf: PlanFrame, binds: number[]): Matcher {
    if (isEvaluable(t, bound)) {
      if (t.t === 'const') {
        const c = t.v;
        if (isPrim(c)) return (_f, v) => v === c;
        return (_f, v) => valuesEqual(v, c);
      }
      const e = this.ev(t, bound, pf);
      return (f, v) => {
        const w = e(f);
        return w !== undefined && valuesEqual(v, w);
      };
    }
    switch (t.t) {
      case 'var': {
        const s = t.slot;
        bound.add(s);
        binds.push(s);
        return (f, v) => {
          f.slots[s] = v;
          return true;
        };
      }
      case 'array': {
        const ms = t.items.map((x) => this.matcher(x, bound, pf, binds));
        const n = ms.length;
        return (f, v) => {
          if (!isArray(v) || v.length !== n) return false;
          for (let i = 0; i < n; i++) if (!(ms[i] as Matcher)(f, v[i] as Value)) return false;
          return true;
        };
      }
      case 'object': {
        const ks = t.keys.map((k) => this.ev(k, bound, pf));
        const ms = t.values.map((x) => this.matcher(x, bound, pf, binds));
        const n = ms.length;
        return (f, v) => {
          if (!(v instanceof RObject) || v.size !== n) return false;
          for (let i = 0; i < n; i++) {
            const k = (ks[i] as Ev)(f);
            if (k === undefined) return false;
            const x = v.get(k);
            if (x === undefined || !(ms[i] as Matcher)(f, x)) return false;
          }
          return true;
        };
      }
      default:
        throw new Error(`internal: cannot match against ${t.t}`);
    }
  }
}
