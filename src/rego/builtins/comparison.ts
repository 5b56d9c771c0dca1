/** Comparison operators: `== != < <= > >=` are the builtins `equal neq lt lte gt gte`. */
import { compareValues, valuesEqual, type Value } from '../value.ts';
import { fn } from './args.ts';
import type { BuiltinDecl } from './types.ts';

function compare(a: Value, b: Value): number {
  // Fast path: plain doubles (the common case in policies: sizes, counts, scores).
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string' && a === b) return 0;
  return compareValues(a, b);
}

function cmp(name: string, test: (c: number) => boolean): BuiltinDecl {
  return fn(name, ['any', 'any'], 'boolean', (args) => test(compare(args[0] as Value, args[1] as Value)));
}

export const COMPARISON_BUILTINS: readonly BuiltinDecl[] = [
  fn('equal', ['any', 'any'], 'boolean', (args) => valuesEqual(args[0] as Value, args[1] as Value)),
  fn('neq', ['any', 'any'], 'boolean', (args) => !valuesEqual(args[0] as Value, args[1] as Value)),
  cmp('lt', (c) => c < 0),
  cmp('lte', (c) => c <= 0),
  cmp('gt', (c) => c > 0),
  cmp('gte', (c) => c >= 0),
];
