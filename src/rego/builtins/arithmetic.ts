/**
 * Arithmetic operators (`+ - * / %` are the builtins `plus minus mul div rem`) and the
 * rounding builtins. Number semantics live in `../number.ts`.
 */
import {
  absNumber,
  addNumbers,
  ceilNumber,
  divideNumbers,
  floorNumber,
  multiplyNumbers,
  NumberError,
  remainderNumbers,
  roundNumber,
  subtractNumbers,
  type RNumber,
} from '../number.ts';
import { RSet, type Value } from '../value.ts';
import { anyOf, builtinError, fn, isRNumber, num, setOf, typeError } from './args.ts';
import type { BuiltinDecl } from './types.ts';

function binary(name: string, op: (a: RNumber, b: RNumber) => RNumber): BuiltinDecl {
  return fn(name, ['number', 'number'], 'number', (args) => {
    const a = num(name, args, 0);
    const b = num(name, args, 1);
    try {
      return op(a, b);
    } catch (e) {
      if (e instanceof NumberError) throw builtinError(name, e.message);
      throw e;
    }
  });
}

function unary(name: string, op: (a: RNumber) => RNumber): BuiltinDecl {
  return fn(name, ['number'], 'number', (args) => op(num(name, args, 0)));
}

/** Set difference: members of a that are not in b. */
export function setDifference(a: RSet, b: RSet): RSet {
  const out = new RSet();
  for (const v of a.values()) if (!b.has(v)) out.add(v);
  return out;
}

function minus(args: readonly Value[]): Value {
  const a = args[0] as Value;
  const b = args[1] as Value;
  if (typeof a === 'number' && typeof b === 'number') return subtractNumbers(a, b);
  const n1 = isRNumber(a);
  const n2 = isRNumber(b);
  if (n1 && n2) return subtractNumbers(a, b);
  const s1 = a instanceof RSet;
  if (s1 && b instanceof RSet) return setDifference(a, b);
  if (!n1 && !s1) throw typeError('minus', 1, a, 'number', 'set');
  if (n1) throw typeError('minus', 2, b, 'number');
  throw typeError('minus', 2, b, 'set');
}

const NUMBER_OR_SET = anyOf('number', setOf('any'));

export const ARITHMETIC_BUILTINS: readonly BuiltinDecl[] = [
  fn('plus', ['number', 'number'], 'number', (args) => {
    const a = args[0] as Value;
    const b = args[1] as Value;
    if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
      const r = a + b;
      if (Number.isSafeInteger(r)) return r;
    }
    return addNumbers(num('plus', args, 0), num('plus', args, 1));
  }),
  fn('minus', [NUMBER_OR_SET, NUMBER_OR_SET], NUMBER_OR_SET, minus),
  binary('mul', multiplyNumbers),
  binary('div', divideNumbers),
  binary('rem', remainderNumbers),
  unary('abs', absNumber),
  unary('round', roundNumber),
  unary('ceil', ceilNumber),
  unary('floor', floorNumber),
];
