/**
 * The contract between the Rego evaluator and builtin functions.
 *
 * Each family lives in its own file (`strings.ts`, `regex.ts`, `time.ts` …) and exports a
 * `readonly BuiltinDecl[]`; `builtins/index.ts` assembles them into one frozen table. No global
 * mutable registry.
 */
import type { Value } from '../value.ts';

/** Type of an operand or result, for the compile-time checker and runtime messages. */
export type TypeSpec =
  | 'any'
  | 'null'
  | 'boolean'
  | 'number'
  | 'string'
  | 'array'
  | 'set'
  | 'object'
  | { readonly anyOf: readonly TypeSpec[] }
  | { readonly arrayOf: TypeSpec }
  | { readonly setOf: TypeSpec }
  | { readonly objectOf: { readonly key: TypeSpec; readonly value: TypeSpec } };

export interface BuiltinContext {
  /** Strict builtin errors: a failing builtin aborts evaluation instead of being undefined. */
  readonly strict: boolean;
  /** The evaluation's clock, fixed for the whole evaluation (ns since the Unix epoch). */
  readonly nowNs: bigint;
  /**
   * Per-evaluation scratch space (e.g. so `rand.intn` / `uuid.rfc4122` answer the same
   * within one evaluation). Keys are namespaced by builtin name.
   */
  readonly cache: Map<string, unknown>;
  /**
   * Called by builtins whose answer differs from one evaluation to the next (randomness), so
   * that batch evaluation never reuses what they computed.
   */
  readonly volatile?: (() => void) | undefined;
}

export type BuiltinErrorCode = 'eval_type_error' | 'eval_builtin_error';

/**
 * Thrown by a builtin. `message` is the text OPA prints after the code, including the
 * builtin's name, e.g. `count: operand 1 must be one of {array, object, set, string} but got number`.
 * The evaluator adds the location and decides (strict mode, error kind) whether it halts
 * evaluation or makes the call undefined.
 */
export class BuiltinError extends Error {
  readonly code: BuiltinErrorCode;

  constructor(code: BuiltinErrorCode, message: string) {
    super(message);
    this.name = 'BuiltinError';
    this.code = code;
  }
}

interface BuiltinDeclBase {
  /** Dotted name as written in Rego: `count`, `strings.replace_n`, `plus` (for `+`). */
  readonly name: string;
  readonly args: readonly TypeSpec[];
  readonly result: TypeSpec;
  /** Answers may differ between evaluations (time.now_ns, rand.intn …). */
  readonly nondeterministic?: boolean;
  /** Deprecated in OPA (`any`, `all`, `re_match`, `set_diff`, `cast_*` …): not callable from Rego v1 modules. */
  readonly deprecated?: boolean;
}

export interface FunctionBuiltin extends BuiltinDeclBase {
  readonly kind: 'function';
  /** Returns undefined when the call is undefined (no error). */
  readonly impl: (args: readonly Value[], ctx: BuiltinContext) => Value | undefined;
}

/** A builtin that produces several outputs, e.g. `walk(x, [path, value])`. */
export interface RelationBuiltin extends BuiltinDeclBase {
  readonly kind: 'relation';
  readonly impl: (args: readonly Value[], ctx: BuiltinContext) => Iterable<Value>;
}

export type BuiltinDecl = FunctionBuiltin | RelationBuiltin;

export type BuiltinTable = ReadonlyMap<string, BuiltinDecl>;
