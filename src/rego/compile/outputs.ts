/**
 * Which variables an expression binds, given those already bound: outputs of refs (their
 * path variables are bound by iteration) and OPA's unifier for `=` between terms.
 */
import { valuesEqual } from '../value.ts';
import type { IRef, ITerm, IVar } from './ir.ts';
import { termVars } from './ir.ts';

export type SlotSet = Set<number>;

export function refOutputs(t: ITerm, safe: SlotSet, out: SlotSet): void {
  switch (t.t) {
    case 'ref':
      if (refHeadSafe(t, safe)) {
        for (const p of t.path) termVars(p, (v) => out.add(v.slot));
        if (t.head !== 'data' && t.head !== 'input') refOutputs(t.head, safe, out);
        return;
      }
      if (t.head !== 'data' && t.head !== 'input') refOutputs(t.head, safe, out);
      for (const p of t.path) refOutputs(p, safe, out);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) refOutputs(x, safe, out);
      return;
    case 'object':
      for (const x of t.keys) refOutputs(x, safe, out);
      for (const x of t.values) refOutputs(x, safe, out);
      return;
    case 'call':
      for (const x of t.args) refOutputs(x, safe, out);
      return;
    default:
      return;
  }
}

export function allSafe(t: ITerm, safe: SlotSet): boolean {
  let ok = true;
  termVars(t, (v) => {
    if (!safe.has(v.slot)) ok = false;
  });
  return ok;
}

function refHeadSafe(r: IRef, safe: SlotSet): boolean {
  if (r.head === 'data' || r.head === 'input') return true;
  return allSafe(r.head, safe);
}

/** Port of OPA's unifier: which variables become bound by unifying a and b. */
export class Unifier {
  readonly safe: SlotSet;
  private readonly unknown = new Map<number, Set<number>>();

  constructor(safe: SlotSet) {
    this.safe = safe;
  }

  private markSafe(slot: number): void {
    if (this.safe.has(slot)) return;
    this.safe.add(slot);
    const deps = this.unknown.get(slot);
    this.unknown.delete(slot);
    if (deps !== undefined) for (const d of deps) this.markSafe(d);
    for (const [v, ds] of [...this.unknown]) {
      if (ds.delete(slot) && ds.size === 0) this.markSafe(v);
    }
  }

  private markUnknown(a: number, b: number): void {
    let s = this.unknown.get(a);
    if (s === undefined) this.unknown.set(a, (s = new Set()));
    s.add(b);
  }

  private markAllSafe(t: ITerm): void {
    termVars(t, (v) => this.markSafe(v.slot));
  }

  private unifyAll(v: IVar, t: ITerm): void {
    if (this.safe.has(v.slot)) {
      this.markAllSafe(t);
      return;
    }
    const unsafe: number[] = [];
    termVars(t, (w) => {
      if (!this.safe.has(w.slot)) unsafe.push(w.slot);
    });
    if (unsafe.length === 0) this.markSafe(v.slot);
    else for (const w of unsafe) this.markUnknown(v.slot, w);
  }

  /** A term that evaluates to a value once its inputs are bound. */
  private isValue(t: ITerm): boolean {
    switch (t.t) {
      case 'const':
      case 'compr':
      case 'template':
        return true;
      case 'ref':
        return refHeadSafe(t, this.safe);
      case 'call':
        return t.args.every((a) => allSafe(a, this.safe));
      case 'set':
        return allSafe(t, this.safe);
      default:
        return false;
    }
  }

  unify(a: ITerm, b: ITerm): void {
    if (a.t === 'var') {
      if (b.t === 'var') {
        if (this.safe.has(b.slot)) this.markSafe(a.slot);
        else if (this.safe.has(a.slot)) this.markSafe(b.slot);
        else {
          this.markUnknown(a.slot, b.slot);
          this.markUnknown(b.slot, a.slot);
        }
      } else if (b.t === 'array' || b.t === 'object') this.unifyAll(a, b);
      else if (this.isValue(b)) this.markSafe(a.slot);
      return;
    }
    if (b.t === 'var') {
      this.unify(b, a);
      return;
    }
    if (a.t === 'array' && b.t === 'array') {
      if (a.items.length === b.items.length) a.items.forEach((x, i) => this.unify(x, b.items[i] as ITerm));
      return;
    }
    if (a.t === 'object' && b.t === 'object') {
      a.keys.forEach((k, i) => {
        const j = b.keys.findIndex((bk) => sameKey(bk, k));
        if (j >= 0) this.unify(a.values[i] as ITerm, b.values[j] as ITerm);
      });
      return;
    }
    if (a.t === 'array' || a.t === 'object') {
      if (this.isValue(b)) this.markAllSafe(a);
      else if (b.t === 'const') this.markAllSafe(a);
      return;
    }
    if (b.t === 'array' || b.t === 'object') {
      if (this.isValue(a)) this.markAllSafe(b);
    }
  }
}

/** Object keys match structurally: equal constants, or the same variable. */
export function sameKey(a: ITerm, b: ITerm): boolean {
  if (a.t === 'const' && b.t === 'const') return valuesEqual(a.v, b.v);
  if (a.t === 'var' && b.t === 'var') return a.slot === b.slot;
  return false;
}
