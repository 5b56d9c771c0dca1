export {
  compile,
  type CompiledPolicy,
  type CompileOptions,
  type EvalBatch,
  type EvalOptions,
  type QueryExpression,
  type QueryResult,
  type RegoModule,
  type TestRule,
} from './api.ts';
export { RegoError, type RegoErrorCode, type RegoErrorDetail, type SourceLocation } from './errors.ts';
export { parseModule, parseQuery, parseTermText } from './syntax/parser.ts';
export type { Module, Body, Term, Rule, Expr } from './syntax/ast.ts';
export { fromJSON, toJS, toJSONText, valuesEqual, compareValues, RObject, RSet, type Value } from './value.ts';
export { regoText } from './value-text.ts';
export { BUILTINS } from './builtins/index.ts';
export type { BuiltinTable } from './builtins/types.ts';
