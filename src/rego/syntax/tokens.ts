/** Token kinds of the Rego lexer. */
export const T = {
  EOF: 0,
  Ident: 1,
  Number: 2,
  String: 3,
  /** A template-string chunk that ends with `{` (an expression follows). */
  TemplatePart: 4,
  /** The last chunk of a template string (ends with the closing quote). */
  TemplateEnd: 5,
  LBrack: 6,
  RBrack: 7,
  LBrace: 8,
  RBrace: 9,
  LParen: 10,
  RParen: 11,
  Comma: 12,
  Colon: 13,
  Semicolon: 14,
  Dot: 15,
  Add: 16,
  Sub: 17,
  Mul: 18,
  Quo: 19,
  Rem: 20,
  And: 21,
  Or: 22,
  Unify: 23,
  Equal: 24,
  Assign: 25,
  Neq: 26,
  Gt: 27,
  Lt: 28,
  Gte: 29,
  Lte: 30,
} as const;

export type TokenKind = (typeof T)[keyof typeof T];

export interface Token {
  readonly kind: TokenKind;
  /** Source text (identifiers, numbers, operators); decoded value for strings and template chunks. */
  readonly text: string;
  /** True for template chunks of a raw (backtick) template string. */
  readonly raw: boolean;
  readonly offset: number;
  readonly end: number;
  readonly row: number;
  readonly col: number;
  /** Whitespace or a comment separates this token from the previous one. */
  readonly ws: boolean;
  /** A newline separates this token from the previous one. */
  readonly nl: boolean;
}

/** Printable names, as OPA's parser reports them in "unexpected … token" messages. */
export const TOKEN_NAMES: Readonly<Record<TokenKind, string>> = {
  [T.EOF]: 'eof',
  [T.Ident]: 'identifier',
  [T.Number]: 'number',
  [T.String]: 'string',
  [T.TemplatePart]: 'template-string-part',
  [T.TemplateEnd]: 'template-string-end',
  [T.LBrack]: '[',
  [T.RBrack]: ']',
  [T.LBrace]: '{',
  [T.RBrace]: '}',
  [T.LParen]: '(',
  [T.RParen]: ')',
  [T.Comma]: ',',
  [T.Colon]: ':',
  [T.Semicolon]: ';',
  [T.Dot]: '.',
  [T.Add]: 'plus',
  [T.Sub]: 'minus',
  [T.Mul]: 'mul',
  [T.Quo]: 'div',
  [T.Rem]: 'rem',
  [T.And]: 'and',
  [T.Or]: 'or',
  [T.Unify]: 'eq',
  [T.Equal]: 'equal',
  [T.Assign]: 'assign',
  [T.Neq]: 'neq',
  [T.Gt]: 'gt',
  [T.Lt]: 'lt',
  [T.Gte]: 'gte',
  [T.Lte]: 'lte',
};

/** Keywords of Rego v1 (identifiers the parser treats specially by position). */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'package',
  'import',
  'as',
  'default',
  'else',
  'not',
  'some',
  'with',
  'null',
  'true',
  'false',
  'in',
  'every',
  'contains',
  'if',
]);
