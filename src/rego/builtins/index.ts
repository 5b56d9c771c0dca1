export { BUILTINS } from './table.ts';
export { BuiltinError } from './types.ts';
export type {
  BuiltinContext,
  BuiltinDecl,
  BuiltinErrorCode,
  BuiltinTable,
  FunctionBuiltin,
  RelationBuiltin,
  TypeSpec,
} from './types.ts';
export { termText } from './term-text.ts';
