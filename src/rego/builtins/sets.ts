/** Set operators (`&` is `and`, `|` is `or`) and `intersection`/`union` over sets of sets. */
import { RSet, type Value } from '../value.ts';
import { fn, set, setOf, typeError } from './args.ts';
import { setDifference } from './arithmetic.ts';
import type { BuiltinDecl } from './types.ts';

export function setIntersect(a: RSet, b: RSet): RSet {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const out = new RSet();
  for (const v of small.values()) if (large.has(v)) out.add(v);
  return out;
}

export function setUnion(a: RSet, b: RSet): RSet {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  const out = new RSet();
  for (const v of a.values()) out.add(v);
  for (const v of b.values()) out.add(v);
  return out;
}

function memberSet(name: string, v: Value): RSet {
  if (v instanceof RSet) return v;
  throw typeError(name, 1, v, 'set');
}

const SET = setOf('any');

export const SET_BUILTINS: readonly BuiltinDecl[] = [
  fn('and', [SET, SET], SET, (args) => setIntersect(set('and', args, 0), set('and', args, 1))),
  fn('or', [SET, SET], SET, (args) => setUnion(set('or', args, 0), set('or', args, 1))),
  fn('intersection', [setOf(SET)], SET, (args) => {
    const sets = set('intersection', args, 0);
    let result: RSet | null = null;
    for (const x of sets.values()) {
      const s = memberSet('intersection', x);
      result = result === null ? s : setIntersect(result, s);
    }
    return result ?? new RSet();
  }),
  fn('union', [setOf(SET)], SET, (args) => {
    const sets = set('union', args, 0);
    const out = new RSet();
    for (const x of sets.values()) for (const v of memberSet('union', x).values()) out.add(v);
    return out;
  }),
  { ...fn('set_diff', [SET, SET], SET, (args) => setDifference(set('set_diff', args, 0), set('set_diff', args, 1))), deprecated: true },
];
