/** Type predicates (`is_string` …) and `type_name`. */
import { RObject, RSet, typeName, type Value } from '../value.ts';
import { fn, isRNumber } from './args.ts';
import type { BuiltinDecl } from './types.ts';

function is(name: string, test: (v: Value) => boolean): BuiltinDecl {
  return fn(name, ['any'], 'boolean', (args) => test(args[0] as Value));
}

export const TYPE_BUILTINS: readonly BuiltinDecl[] = [
  is('is_number', isRNumber),
  is('is_string', (v) => typeof v === 'string'),
  is('is_boolean', (v) => typeof v === 'boolean'),
  is('is_array', (v) => Array.isArray(v)),
  is('is_set', (v) => v instanceof RSet),
  is('is_object', (v) => v instanceof RObject),
  is('is_null', (v) => v === null),
  fn('type_name', ['any'], 'string', (args) => typeName(args[0] as Value)),
];
