/** `to_number` and the deprecated `cast_*` builtins. */
import { parseNumber } from '../number.ts';
import { RObject, RSet, type Value } from '../value.ts';
import { anyOf, arrayOf, builtinError, fn, isRNumber, objectOf, setOf, typeError } from './args.ts';
import type { BuiltinDecl } from './types.ts';

/** Go's strconv.ParseFloat decimal syntax: optional sign, digits with an optional point, exponent. */
const GO_FLOAT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function toNumber(args: readonly Value[]): Value {
  const v = args[0] as Value;
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isRNumber(v)) return v;
  if (typeof v !== 'string') throw typeError('to_number', 1, v, 'null', 'boolean', 'number', 'string');
  const lower = v.replace(/^[+-]+/, '').toLowerCase();
  if (lower === 'inf' || lower === 'infinity' || lower === 'nan') throw typeError('to_number', 1, v, 'valid number string');
  const m = GO_FLOAT.exec(v);
  const intPart = m?.[2] ?? '';
  const frac = m?.[3] ?? '';
  if (m === null || (intPart === '' && frac === '')) {
    throw builtinError('to_number', `strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  const text = `${m[1] === '-' ? '-' : ''}${intPart === '' ? '0' : intPart}${frac === '' ? '' : `.${frac}`}${m[4] === undefined ? '' : `e${m[4]}`}`;
  const n = parseNumber(text);
  if (n === null || !Number.isFinite(Number(text))) {
    throw builtinError('to_number', `strconv.ParseFloat: parsing ${JSON.stringify(v)}: value out of range`);
  }
  return n;
}

function cast(name: string, result: Parameters<typeof fn>[2], f: (v: Value) => Value | null, ...expected: string[]): BuiltinDecl {
  return {
    ...fn(name, ['any'], result, (args) => {
      const v = args[0] as Value;
      const out = f(v);
      if (out === null && !(v === null && name === 'cast_null')) throw typeError(name, 1, v, ...expected);
      return out;
    }),
    deprecated: true,
  };
}

export const CAST_BUILTINS: readonly BuiltinDecl[] = [
  fn('to_number', [anyOf('null', 'boolean', 'number', 'string')], 'number', toNumber),
  cast('cast_array', arrayOf('any'), (v) => (Array.isArray(v) ? v : v instanceof RSet ? v.values().slice() : null), 'array', 'set'),
  cast('cast_set', setOf('any'), (v) => (Array.isArray(v) ? RSet.of(v as readonly Value[]) : v instanceof RSet ? v : null), 'array', 'set'),
  cast('cast_string', 'string', (v) => (typeof v === 'string' ? v : null), 'string'),
  cast('cast_boolean', 'boolean', (v) => (typeof v === 'boolean' ? v : null), 'boolean'),
  cast('cast_null', 'null', (v) => (v === null ? null : null), 'null'),
  cast('cast_object', objectOf('any', 'any'), (v) => (v instanceof RObject ? v : null), 'object'),
];
