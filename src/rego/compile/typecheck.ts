/**
 * Compile-time checks of builtin calls, where OPA's type checker would certainly fail: a
 * constant argument whose type the builtin does not accept (`count(1)`).
 */
import type { TypeSpec } from '../builtins/types.ts';
import type { Loc } from '../syntax/ast.ts';
import { isArray, RObject, RSet, typeName, type Value } from '../value.ts';
import type { Callee, ITerm } from './ir.ts';
import { CompileFailure } from './scope.ts';

export function matches(spec: TypeSpec, v: Value): boolean {
  if (typeof spec === 'string') return spec === 'any' || spec === typeName(v);
  if ('anyOf' in spec) return spec.anyOf.some((s) => matches(s, v));
  if ('arrayOf' in spec) return isArray(v) && v.every((x) => matches(spec.arrayOf, x));
  if ('setOf' in spec) return v instanceof RSet && v.values().every((x) => matches(spec.setOf, x));
  if (!(v instanceof RObject)) return false;
  let ok = true;
  v.forEach((k, x) => {
    if (!matches(spec.objectOf.key, k) || !matches(spec.objectOf.value, x)) ok = false;
    return ok;
  });
  return ok;
}

export function specText(spec: TypeSpec): string {
  if (typeof spec === 'string') return spec;
  if ('anyOf' in spec) return `any<${spec.anyOf.map(specText).join(', ')}>`;
  if ('arrayOf' in spec) return `array[${specText(spec.arrayOf)}]`;
  if ('setOf' in spec) return `set[${specText(spec.setOf)}]`;
  return `object[${specText(spec.objectOf.key)}: ${specText(spec.objectOf.value)}]`;
}

/** Throws `rego_type_error` when a constant argument cannot be accepted by the builtin. */
export function checkConstArgs(fn: Callee, args: readonly ITerm[], loc: Loc): void {
  if (fn.kind !== 'builtin') return;
  const specs = fn.decl.args;
  let bad = false;
  for (let i = 0; i < specs.length && i < args.length; i++) {
    const a = args[i] as ITerm;
    if (a.t === 'const' && !matches(specs[i] as TypeSpec, a.v)) bad = true;
  }
  if (!bad) return;
  const have = args.slice(0, specs.length).map((a) => (a.t === 'const' ? typeName(a.v) : 'any'));
  throw new CompileFailure(
    'rego_type_error',
    `${fn.name}: invalid argument(s)\n\thave: (${have.join(', ')})\n\twant: (${specs.map(specText).join(', ')})`,
    loc,
  );
}
