/**
 * Iteration steps: refs with unbound variables (`data.a[i].b[j]`), `some k, v in xs`.
 * Collections are walked in OPA order (arrays by index, objects and sets sorted).
 */
import type { IRef, ITerm } from '../compile/ir.ts';
import { isArray, RObject, RSet, type Value } from '../value.ts';
import { lookup } from './data.ts';
import { isEvaluable, type Pattern, type PlanFrame, type SlotSet, type TermPlanner } from './plan-terms.ts';
import type { Ev, Frame, Step } from './runtime.ts';

function unbind(f: Frame, binds: readonly number[]): void {
  for (let i = 0; i < binds.length; i++) f.slots[binds[i] as number] = undefined;
}

interface KeySpec {
  readonly ev: Ev | null;
  readonly pat: Pattern | null;
}

/**
 * Plans `ref` as an iteration, then matches each value against `out` (or, when null, requires
 * it to be truthy) before running `next`.
 */
export function iterateStep(p: TermPlanner, ref: IRef, bound: SlotSet, pf: PlanFrame, out: ITerm | null, next: (b: SlotSet) => Step): Step {
  const b = new Set(bound);
  let j = 0;
  while (j < ref.path.length && isEvaluable(ref.path[j] as ITerm, b)) j++;
  const base = p.ev({ ...ref, path: ref.path.slice(0, j) }, b, pf);
  const specs: KeySpec[] = [];
  for (let i = j; i < ref.path.length; i++) {
    const t = ref.path[i] as ITerm;
    if (isEvaluable(t, b)) specs.push({ ev: p.ev(t, b, pf), pat: null });
    else specs.push({ ev: null, pat: p.pattern(t, b, pf) });
  }
  const outPat = out === null ? null : p.pattern(out, b, pf);
  const cont = next(b);
  const n = specs.length;
  const finish: (f: Frame, v: Value) => boolean =
    outPat === null
      ? (f, v) => (v === false ? false : cont(f))
      : outPat.slot >= 0
        ? (f, v) => {
            const s = outPat.slot;
            f.slots[s] = v;
            const r = cont(f);
            f.slots[s] = undefined;
            return r;
          }
        : (f, v) => {
            const r = outPat.match(f, v) ? cont(f) : false;
            unbind(f, outPat.binds);
            return r;
          };
  const walk = (f: Frame, v: Value, i: number): boolean => {
    if (i === n) return finish(f, v);
    const spec = specs[i] as KeySpec;
    if (spec.ev !== null) {
      const k = spec.ev(f);
      if (k === undefined) return false;
      const c = lookup(v, k);
      return c === undefined ? false : walk(f, c, i + 1);
    }
    const pat = spec.pat as Pattern;
    const st = f.ctx.state;
    const slot = pat.slot;
    if (isArray(v)) {
      for (let x = 0; x < v.length; x++) {
        st.tick();
        if (slot >= 0) f.slots[slot] = x;
        else if (!pat.match(f, x)) {
          unbind(f, pat.binds);
          continue;
        }
        const r = walk(f, v[x] as Value, i + 1);
        unbind(f, pat.binds);
        if (r) return true;
      }
      return false;
    }
    if (v instanceof RObject) {
      const keys = v.sortedKeys();
      const vals = v.sortedValues();
      for (let x = 0; x < keys.length; x++) {
        st.tick();
        const k = keys[x] as Value;
        if (slot >= 0) f.slots[slot] = k;
        else if (!pat.match(f, k)) {
          unbind(f, pat.binds);
          continue;
        }
        const r = walk(f, vals[x] as Value, i + 1);
        unbind(f, pat.binds);
        if (r) return true;
      }
      return false;
    }
    if (v instanceof RSet) {
      const items = v.values();
      for (let x = 0; x < items.length; x++) {
        st.tick();
        const k = items[x] as Value;
        if (slot >= 0) f.slots[slot] = k;
        else if (!pat.match(f, k)) {
          unbind(f, pat.binds);
          continue;
        }
        const r = walk(f, k, i + 1);
        unbind(f, pat.binds);
        if (r) return true;
      }
      return false;
    }
    return false;
  };
  return (f) => {
    const v = base(f);
    if (v === undefined) return false;
    return walk(f, v, 0);
  };
}

/**
 * Calls `body(f, key, value)` for each member of a collection (array: index/element, object:
 * key/value, set: element/element) until it returns true.
 */
export function forEachMember(f: Frame, coll: Value, body: (f: Frame, k: Value, v: Value) => boolean): boolean {
  const st = f.ctx.state;
  if (isArray(coll)) {
    for (let x = 0; x < coll.length; x++) {
      st.tick();
      if (body(f, x, coll[x] as Value)) return true;
    }
    return false;
  }
  if (coll instanceof RObject) {
    const keys = coll.sortedKeys();
    const vals = coll.sortedValues();
    for (let x = 0; x < keys.length; x++) {
      st.tick();
      if (body(f, keys[x] as Value, vals[x] as Value)) return true;
    }
    return false;
  }
  if (coll instanceof RSet) {
    const items = coll.values();
    for (let x = 0; x < items.length; x++) {
      st.tick();
      const e = items[x] as Value;
      if (body(f, e, e)) return true;
    }
    return false;
  }
  return false;
}

export { unbind };
