/**
 * Unification (`=`, `:=`, call outputs): matching against evaluated values, or element-wise
 * between two patterns in an order that binds as it goes (`[x, 1] = [2, y]`).
 */
import type { ITerm } from '../compile/ir.ts';
import { termVars } from '../compile/ir.ts';
import { sameKey } from '../compile/safety.ts';
import { CompileFailure } from '../compile/scope.ts';
import type { Loc } from '../syntax/ast.ts';
import { valuesEqual } from '../value.ts';
import type { Cont } from './plan-body.ts';
import { unbind } from './plan-iter.ts';
import { isEvaluable, type PlanFrame, type SlotSet, type TermPlanner } from './plan-terms.ts';
import type { Ev, Step } from './runtime.ts';

const FAIL: Step = () => false;

function isConstComposite(t: ITerm): boolean {
  return t.t === 'const' || t.t === 'set' || t.t === 'compr' || t.t === 'template';
}

function decomposable(x: ITerm, y: ITerm): boolean {
  return (x.t === 'array' && y.t === 'array') || (x.t === 'object' && y.t === 'object');
}

/** Evaluates `e` and matches the value against `pattern`. */
export function matchStep(p: TermPlanner, pattern: ITerm, e: Ev, bound: SlotSet, pf: PlanFrame, next: Cont): Step {
  const b = new Set(bound);
  const pat = p.pattern(pattern, b, pf);
  const cont = next(b);
  if (pat.binds.length === 0) {
    const m = pat.match;
    return (f) => {
      const v = e(f);
      if (v === undefined || !m(f, v)) return false;
      return cont(f);
    };
  }
  if (pat.slot >= 0) {
    const s = pat.slot;
    return (f) => {
      const v = e(f);
      if (v === undefined) return false;
      f.slots[s] = v;
      const r = cont(f);
      f.slots[s] = undefined;
      return r;
    };
  }
  const { match, binds } = pat;
  return (f) => {
    const v = e(f);
    if (v === undefined) return false;
    const r = match(f, v) ? cont(f) : false;
    unbind(f, binds);
    return r;
  };
}

export function unifyStep(p: TermPlanner, a: ITerm, b: ITerm, bound: SlotSet, pf: PlanFrame, next: Cont, loc: Loc): Step {
  const ea = isEvaluable(a, bound);
  const eb = isEvaluable(b, bound);
  if (ea && eb) {
    const x = p.ev(a, bound, pf);
    const y = p.ev(b, bound, pf);
    const cont = next(bound);
    return (f) => {
      const u = x(f);
      if (u === undefined) return false;
      const v = y(f);
      if (v === undefined || !valuesEqual(u, v)) return false;
      return cont(f);
    };
  }
  if (eb) return matchStep(p, a, p.ev(b, bound, pf), bound, pf, next);
  if (ea) return matchStep(p, b, p.ev(a, bound, pf), bound, pf, next);
  // Both sides have unbound variables: unify element-wise, in an order that binds as it goes.
  const pairs: [ITerm, ITerm][] = [];
  if (a.t === 'array' && b.t === 'array') {
    if (a.items.length !== b.items.length) return FAIL;
    a.items.forEach((x, i) => pairs.push([x, b.items[i] as ITerm]));
  } else if (a.t === 'object' && b.t === 'object') {
    if (a.keys.length !== b.keys.length) return FAIL;
    for (let i = 0; i < a.keys.length; i++) {
      const k = a.keys[i] as ITerm;
      const j = b.keys.findIndex((bk) => sameKey(bk, k));
      if (j < 0) {
        if (k.t !== 'const') throw new CompileFailure('rego_unsafe_var_error', 'object keys must be ground in unification', loc);
        return FAIL;
      }
      pairs.push([a.values[i] as ITerm, b.values[j] as ITerm]);
    }
  } else if (isConstComposite(a) || isConstComposite(b)) {
    return FAIL;
  } else {
    throw new CompileFailure('rego_unsafe_var_error', 'unification of unbound terms', loc);
  }
  const ordered: [ITerm, ITerm][] = [];
  const sim = new Set(bound);
  const rest = [...pairs];
  while (rest.length > 0) {
    const idx = rest.findIndex(([x, y]) => isEvaluable(x, sim) || isEvaluable(y, sim) || decomposable(x, y));
    if (idx < 0) throw new CompileFailure('rego_unsafe_var_error', 'unification of unbound terms', loc);
    const [pair] = rest.splice(idx, 1) as [[ITerm, ITerm]];
    ordered.push(pair);
    termVars(pair[0], (v) => sim.add(v.slot));
    termVars(pair[1], (v) => sim.add(v.slot));
  }
  const go = (i: number, bb: SlotSet): Step => {
    if (i === ordered.length) return next(bb);
    const [x, y] = ordered[i] as [ITerm, ITerm];
    return unifyStep(p, x, y, bb, pf, (after) => go(i + 1, after), loc);
  };
  return go(0, bound);
}
