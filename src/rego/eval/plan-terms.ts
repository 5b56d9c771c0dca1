/**
 * Planning terms into closures: `Ev` computes a term whose variables are all bound;
 * a `Pattern` matches a value against a term, binding its unbound variables.
 */
import type { Callee, ICall, ICompr, ILit, IRef, ITemplate, ITerm } from '../compile/ir.ts';
import { termVars } from '../compile/ir.ts';
import { checkHeadSafety } from '../compile/safety.ts';
import { CompileFailure } from '../compile/scope.ts';
import type { FrameLayout } from '../compile/scope.ts';
import type { TreeNode } from '../compile/rule-tree.ts';
import type { Loc } from '../syntax/ast.ts';
import { RObject, RSet, valuesEqual, type Value } from '../value.ts';
import { displayText } from '../value-text.ts';
import { calleeEv } from './calls.ts';
import { dataGet, dataWalk, lookup, lookupBase, nodeValue } from './data.ts';
import { compilePattern, type Pattern } from './patterns.ts';
import { evalError, type Ev, type Frame, type Step } from './runtime.ts';

export { builtinFailure, invokeBuiltin, UNDEFINED_CALL } from './calls.ts';
export type { Matcher, Pattern } from './patterns.ts';

export type SlotSet = Set<number>;

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
      return (_f, v) => (v instanceof RObject ? v.get(k0) : lookup(v, k0));
    }
    return (_f, v) => {
      for (let i = 0; i < n && v !== undefined; i++) {
        const k = keys[i] as string;
        v = v instanceof RObject ? v.get(k) : lookup(v, k);
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
    // `x.a`, `x.a.b`, `input.a.b`: fused reads of constant string keys (the most common refs).
    const keys = t.path.every((p) => p.t === 'const' && typeof p.v === 'string') ? t.path.map((p) => (p as { v: string }).v) : null;
    if (keys !== null && keys.length >= 1 && keys.length <= 2) {
      const k0 = keys[0] as string;
      const k1 = keys[1] as string;
      const one = keys.length === 1;
      if (t.head === 'input') {
        return (f) => {
          const v = f.ctx.input;
          const a = v instanceof RObject ? v.get(k0) : lookup(v, k0);
          if (one || a === undefined) return a;
          return a instanceof RObject ? a.get(k1) : lookup(a, k1);
        };
      }
      if (t.head.t === 'var') {
        const s = t.head.slot;
        return (f) => {
          const v = f.slots[s];
          const a = v instanceof RObject ? v.get(k0) : lookup(v, k0);
          if (one || a === undefined) return a;
          return a instanceof RObject ? a.get(k1) : lookup(a, k1);
        };
      }
    }
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

  calleeEv(fn: Callee, evs: readonly Ev[], loc: Loc): Ev {
    return calleeEv(fn, evs, loc);
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
    return compilePattern((x, b, p) => this.ev(x, b, p), t, bound, pf);
  }
}
