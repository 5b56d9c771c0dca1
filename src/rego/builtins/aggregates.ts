/** Aggregates: count, sum, product, max, min, sort, and the deprecated all/any. */
import { productNumbers, sumNumbers, type RNumber } from '../number.ts';
import { compareValues, RObject, RSet, type RArray, type Value } from '../value.ts';
import { anyOf, arrayOf, elementError, fn, isRNumber, iterableValues, objectOf, setOf, typeError } from './args.ts';
import type { BuiltinDecl } from './types.ts';

/** Number of Unicode code points (OPA counts runes, not UTF-16 units). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function count(args: readonly Value[]): Value {
  const v = args[0] as Value;
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'string') return codePointLength(v);
  if (v instanceof RObject || v instanceof RSet) return v.size;
  throw typeError('count', 1, v, 'array', 'object', 'set', 'string');
}

function numbers(name: string, v: Value): RNumber[] {
  const items = iterableValues(v);
  if (items === null) throw typeError(name, 1, v, 'set', 'array');
  const out: RNumber[] = [];
  for (const x of items) {
    if (!isRNumber(x)) throw elementError(name, 1, v, x, 'number');
    out.push(x);
  }
  return out;
}

function collection(name: string, v: Value): readonly Value[] {
  const items = iterableValues(v);
  if (items === null) throw typeError(name, 1, v, 'set', 'array');
  return items;
}

function extreme(name: string, sign: 1 | -1) {
  return (args: readonly Value[]): Value | undefined => {
    const items = collection(name, args[0] as Value);
    if (items.length === 0) return undefined;
    let best = items[0] as Value;
    for (let i = 1; i < items.length; i++) {
      const x = items[i] as Value;
      const c = compareValues(x, best);
      if (sign > 0 ? c >= 0 : c <= 0) best = x;
    }
    return best;
  };
}

function allAny(name: string, wantAll: boolean) {
  return (args: readonly Value[]): Value => {
    const v = args[0] as Value;
    const items = iterableValues(v);
    if (items === null) throw typeError(name, 1, v, 'array', 'set');
    for (const x of items) {
      if (wantAll && x !== true) return false;
      if (!wantAll && x === true) return true;
    }
    return wantAll;
  };
}

const COLLECTION = anyOf(arrayOf('any'), setOf('any'));
const NUMBERS = anyOf(arrayOf('number'), setOf('number'));

export const AGGREGATE_BUILTINS: readonly BuiltinDecl[] = [
  fn('count', [anyOf('string', arrayOf('any'), objectOf('any', 'any'), setOf('any'))], 'number', count),
  fn('sum', [NUMBERS], 'number', (args) => sumNumbers(numbers('sum', args[0] as Value))),
  fn('product', [NUMBERS], 'number', (args) => productNumbers(numbers('product', args[0] as Value))),
  fn('max', [COLLECTION], 'any', extreme('max', 1)),
  fn('min', [COLLECTION], 'any', extreme('min', -1)),
  fn('sort', [COLLECTION], arrayOf('any'), (args) => {
    const v = args[0] as Value;
    if (v instanceof RSet) return v.values().slice();
    const items = collection('sort', v);
    return (items as RArray).slice().sort(compareValues);
  }),
  { ...fn('all', [COLLECTION], 'boolean', allAny('all', true)), deprecated: true },
  { ...fn('any', [COLLECTION], 'boolean', allAny('any', false)), deprecated: true },
];
