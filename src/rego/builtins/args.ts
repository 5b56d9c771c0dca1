/**
 * Operand access and OPA's error wording for builtin implementations.
 *
 * OPA reports a wrong operand as `eval_type_error` with `<name>: operand <n> must be …` and
 * every other builtin failure as `eval_builtin_error` with `<name>: <message>`. The helpers
 * here produce exactly those texts so conformance cases that match error substrings pass.
 */
import { BigNum, isInteger, toBigInt, type RNumber } from '../number.ts';
import { RObject, RSet, typeName, type RArray, type Value } from '../value.ts';
import { BuiltinError, type FunctionBuiltin, type RelationBuiltin, type TypeSpec } from './types.ts';

export type Impl = FunctionBuiltin['impl'];

/** Declares a function builtin. */
export function fn(name: string, args: readonly TypeSpec[], result: TypeSpec, impl: Impl, nondeterministic = false): FunctionBuiltin {
  return nondeterministic
    ? { kind: 'function', name, args, result, impl, nondeterministic: true }
    : { kind: 'function', name, args, result, impl };
}

export function relation(name: string, args: readonly TypeSpec[], result: TypeSpec, impl: RelationBuiltin['impl']): RelationBuiltin {
  return { kind: 'relation', name, args, result, impl };
}

export function anyOf(...types: TypeSpec[]): TypeSpec {
  return { anyOf: types };
}
export function arrayOf(t: TypeSpec): TypeSpec {
  return { arrayOf: t };
}
export function setOf(t: TypeSpec): TypeSpec {
  return { setOf: t };
}
export function objectOf(key: TypeSpec, value: TypeSpec): TypeSpec {
  return { objectOf: { key, value } };
}

export const ANY_ARRAY = arrayOf('any');
export const ANY_SET = setOf('any');
export const ANY_OBJECT = objectOf('any', 'any');

/** `eval_type_error: <name>: operand <pos> <text>` */
export function operandError(name: string, pos: number, text: string): BuiltinError {
  return new BuiltinError('eval_type_error', `${name}: operand ${pos} ${text}`);
}

export function typeError(name: string, pos: number, got: Value, ...expected: string[]): BuiltinError {
  const want = expected.length === 1 ? `${expected[0]}` : `one of {${expected.join(', ')}}`;
  return operandError(name, pos, `must be ${want} but got ${typeName(got)}`);
}

export function elementError(name: string, pos: number, composite: Value, got: Value, ...expected: string[]): BuiltinError {
  const tpe = typeName(composite);
  const text =
    expected.length === 1
      ? `must be ${tpe} of ${expected[0]}s but got ${tpe} containing ${typeName(got)}`
      : `must be ${tpe} of (any of) {${expected.join(', ')}} but got ${tpe} containing ${typeName(got)}`;
  return operandError(name, pos, text);
}

/** `eval_builtin_error: <name>: <message>` */
export function builtinError(name: string, message: string): BuiltinError {
  return new BuiltinError('eval_builtin_error', `${name}: ${message}`);
}

export function arg(args: readonly Value[], i: number): Value {
  const v = args[i];
  if (v === undefined) throw new RangeError(`builtin called with ${args.length} operands`);
  return v;
}

export function str(name: string, args: readonly Value[], i: number): string {
  const v = arg(args, i);
  if (typeof v !== 'string') throw typeError(name, i + 1, v, 'string');
  return v;
}

export function num(name: string, args: readonly Value[], i: number): RNumber {
  const v = arg(args, i);
  if (typeof v === 'number' || v instanceof BigNum) return v;
  throw typeError(name, i + 1, v, 'number');
}

/** OPA's IntOperand: an integer that fits a machine int. */
export function int(name: string, args: readonly Value[], i: number): number {
  const n = num(name, args, i);
  if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
  throw operandError(name, i + 1, 'must be integer number but got floating-point number');
}

/** OPA's BigIntOperand: any integer. */
export function bigint(name: string, args: readonly Value[], i: number): bigint {
  const v = arg(args, i);
  if (!(typeof v === 'number' || v instanceof BigNum)) throw typeError(name, i + 1, v, 'integer');
  const b = isInteger(v) ? toBigInt(v) : null;
  if (b === null) throw operandError(name, i + 1, 'must be integer number but got floating-point number');
  return b;
}

export function obj(name: string, args: readonly Value[], i: number): RObject {
  const v = arg(args, i);
  if (v instanceof RObject) return v;
  throw typeError(name, i + 1, v, 'object');
}

export function set(name: string, args: readonly Value[], i: number): RSet {
  const v = arg(args, i);
  if (v instanceof RSet) return v;
  throw typeError(name, i + 1, v, 'set');
}

export function array(name: string, args: readonly Value[], i: number): RArray {
  const v = arg(args, i);
  if (Array.isArray(v)) return v as RArray;
  throw typeError(name, i + 1, v, 'array');
}

/** Elements of an array or set (OPA's StringSliceOperand wording for non-strings). */
export function stringSlice(name: string, args: readonly Value[], i: number): string[] {
  const v = arg(args, i);
  let items: readonly Value[];
  if (Array.isArray(v)) items = v as RArray;
  else if (v instanceof RSet) items = v.values();
  else throw typeError(name, i + 1, v, 'array', 'set');
  const out: string[] = [];
  for (const x of items) {
    if (typeof x !== 'string') throw elementError(name, i + 1, v, x, 'string');
    out.push(x);
  }
  return out;
}

/** Members of an array or a set, in order. */
export function iterableValues(v: Value): readonly Value[] | null {
  if (Array.isArray(v)) return v as RArray;
  if (v instanceof RSet) return v.values();
  return null;
}

export function isRNumber(v: Value | undefined): v is RNumber {
  return typeof v === 'number' || v instanceof BigNum;
}

