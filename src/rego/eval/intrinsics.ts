/**
 * Builtins implemented by the evaluator because they need its state: `print`, membership
 * (`in`), `trace`, `opa.runtime`. (`rego.metadata.*` are resolved at compile time.)
 */
import type { Loc } from '../syntax/ast.ts';
import { isArray, RObject, RSet, valuesEqual, type Value } from '../value.ts';
import { displayText } from '../value-text.ts';
import type { Frame } from './runtime.ts';

function member(x: Value, xs: Value): boolean {
  if (isArray(xs)) {
    for (const e of xs) if (valuesEqual(e, x)) return true;
    return false;
  }
  if (xs instanceof RSet) return xs.has(x);
  if (xs instanceof RObject) {
    for (const v of xs.sortedValues()) if (valuesEqual(v, x)) return true;
    return false;
  }
  return false;
}

function memberWithKey(k: Value, v: Value, xs: Value): boolean {
  if (isArray(xs)) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= xs.length) return false;
    return valuesEqual(xs[k] as Value, v);
  }
  if (xs instanceof RObject) {
    const w = xs.get(k);
    return w !== undefined && valuesEqual(w, v);
  }
  if (xs instanceof RSet) return valuesEqual(k, v) && xs.has(v);
  return false;
}

/** Formats one `print` operand: a set of its values (empty when undefined). */
function printOperand(v: Value): string {
  if (!(v instanceof RSet)) return displayText(v);
  if (v.size === 0) return '<undefined>';
  return v.values().map(displayText).join(', ');
}

export function callIntrinsic(f: Frame, name: string, args: readonly Value[], loc: Loc): Value | undefined {
  switch (name) {
    case 'internal.member_2':
      return member(args[0] as Value, args[1] as Value);
    case 'internal.member_3':
      return memberWithKey(args[0] as Value, args[1] as Value, args[2] as Value);
    case 'print':
    case 'internal.print': {
      const hook = f.ctx.state.print;
      if (hook !== null) hook(args.map(printOperand).join(' '), { file: loc.file, row: loc.row, col: loc.col });
      return true;
    }
    case 'trace':
      return true;
    case 'opa.runtime':
      return new RObject();
    default:
      return undefined;
  }
}
