/**
 * Patterns: matching a value against a term, binding the term's unbound variables (the
 * caller resets the bound slots after its continuation).
 */
import type { ITerm } from '../compile/ir.ts';
import { isArray, RObject, valuesEqual, type Value } from '../value.ts';
import { isEvaluable, type PlanFrame, type SlotSet } from './plan-terms.ts';
import type { Ev, Frame } from './runtime.ts';

export type Matcher = (f: Frame, v: Value) => boolean;

export interface Pattern {
  readonly match: Matcher;
  /** Slots the pattern may bind (to be reset after the continuation). */
  readonly binds: readonly number[];
  /** When the pattern is a single unbound variable: its slot (fast path), else -1. */
  readonly slot: number;
}

export type EvCompiler = (t: ITerm, bound: SlotSet, pf: PlanFrame) => Ev;

function isPrim(v: Value): v is null | boolean | number | string {
  return v === null || typeof v !== 'object';
}

/** Compiles `t` as a pattern; adds the variables it binds to `bound`. */
export function compilePattern(ev: EvCompiler, t: ITerm, bound: SlotSet, pf: PlanFrame): Pattern {
  const binds: number[] = [];
  const match = matcher(ev, t, bound, pf, binds);
  const slot = t.t === 'var' && binds.length === 1 ? t.slot : -1;
  return { match, binds, slot };
}

function matcher(ev: EvCompiler, t: ITerm, bound: SlotSet, pf: PlanFrame, binds: number[]): Matcher {
  if (isEvaluable(t, bound)) {
    if (t.t === 'const') {
      const c = t.v;
      if (isPrim(c)) return (_f, v) => v === c;
      return (_f, v) => valuesEqual(v, c);
    }
    const e = ev(t, bound, pf);
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
      const ms = t.items.map((x) => matcher(ev, x, bound, pf, binds));
      const n = ms.length;
      return (f, v) => {
        if (!isArray(v) || v.length !== n) return false;
        for (let i = 0; i < n; i++) if (!(ms[i] as Matcher)(f, v[i] as Value)) return false;
        return true;
      };
    }
    case 'object': {
      const ks = t.keys.map((k) => ev(k, bound, pf));
      const ms = t.values.map((x) => matcher(ev, x, bound, pf, binds));
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
