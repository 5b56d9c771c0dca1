/**
 * Hot operators evaluated without the generic call path: comparisons (`== != < <= > >=`,
 * when the stock declarations are in use) and membership (`x in xs`). Semantics are exactly
 * those of the builtins: total order over values, value equality, membership by equality.
 */
import { BUILTINS } from '../builtins/index.ts';
import type { Callee } from '../compile/ir.ts';
import { compareValues, isArray, RObject, RSet, valuesEqual, type Value } from '../value.ts';

export type BinaryOp = (a: Value, b: Value) => boolean;

function compare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return compareValues(a, b);
}

function eq(a: Value, b: Value): boolean {
  return a === b || valuesEqual(a, b);
}

export function member(x: Value, xs: Value): boolean {
  if (xs instanceof RSet) return xs.has(x);
  if (isArray(xs)) {
    for (let i = 0; i < xs.length; i++) if (eq(xs[i] as Value, x)) return true;
    return false;
  }
  if (xs instanceof RObject) {
    for (const v of xs.sortedValues()) if (eq(v, x)) return true;
  }
  return false;
}

const COMPARISONS: Readonly<Record<string, BinaryOp>> = {
  equal: eq,
  neq: (a, b) => !eq(a, b),
  lt: (a, b) => compare(a, b) < 0,
  lte: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  gte: (a, b) => compare(a, b) >= 0,
};

/** A boolean binary operator to evaluate inline, or null when the callee needs the generic path. */
export function fastBinary(fn: Callee): BinaryOp | null {
  if (fn.kind === 'intrinsic') return fn.name === 'internal.member_2' ? member : null;
  if (fn.kind !== 'builtin') return null;
  const op = Object.hasOwn(COMPARISONS, fn.name) ? COMPARISONS[fn.name] : undefined;
  if (op === undefined || BUILTINS.get(fn.name) !== fn.decl) return null;
  return op;
}
