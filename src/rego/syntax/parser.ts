/**
 * Rego v1 parser: modules (package, imports, rules), bodies and literals. Term-level grammar
 * is in `parse-terms.ts`. Entry points: `parseModule`, `parseQuery`, `parseTermText`.
 */
import { RegoError } from '../errors.ts';
import type { Body, Module, Term } from './ast.ts';
import { lex, LexError } from './lexer.ts';
import type { ParserLimits } from './parse-body.ts';
import { ModuleParser } from './parse-module.ts';
import { ParseFailure } from './parse-terms.ts';
import { T, type Token } from './tokens.ts';

export type { ParserLimits };

export const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxModuleBytes: 4 * 1024 * 1024,
  maxTokens: 1_000_000,
  maxDepth: 200,
};

export interface ParseOptions {
  readonly limits?: Partial<ParserLimits>;
  /** Enables the experimental `and`/`or` operators between literals. */
  readonly experimental?: boolean;
}
// ---- entry points ----------------------------------------------------------------------------

function resolveLimits(o: ParseOptions | undefined): ParserLimits {
  return { ...DEFAULT_PARSER_LIMITS, ...(o?.limits ?? {}) };
}

function lineOf(src: string, offset: number): string {
  const s = src.lastIndexOf('\n', offset - 1) + 1;
  let e = src.indexOf('\n', offset);
  if (e < 0) e = src.length;
  return src.slice(s, e).replace(/\r$/, '');
}

function withParser<R>(file: string, src: string, o: ParseOptions | undefined, f: (p: ModuleParser) => R): R {
  const limits = resolveLimits(o);
  const bytes = Buffer.byteLength(src, 'utf8');
  if (bytes > limits.maxModuleBytes) {
    throw RegoError.of('rego_parse_error', `module too large: ${bytes} bytes (limit ${limits.maxModuleBytes})`, { file, row: 1, col: 1 });
  }
  let toks: Token[];
  try {
    toks = lex(src, { maxTokens: limits.maxTokens });
  } catch (e) {
    if (e instanceof LexError) {
      throw RegoError.of('rego_parse_error', e.message, { file, row: e.row, col: e.col }, lineOf(src, e.offset));
    }
    throw e;
  }
  const p = new ModuleParser(toks, file, src, limits, o?.experimental ?? false);
  try {
    return f(p);
  } catch (e) {
    if (e instanceof ParseFailure) {
      throw RegoError.of('rego_parse_error', e.message, { file, row: e.token.row, col: e.token.col }, lineOf(src, e.token.offset));
    }
    if (e instanceof RangeError) {
      throw RegoError.of('rego_parse_error', 'input too deeply nested', { file, row: 1, col: 1 });
    }
    throw e;
  }
}

/** Parses a Rego v1 module. Throws `RegoError` (`rego_parse_error`). */
export function parseModule(file: string, source: string, options?: ParseOptions): Module {
  return withParser(file, source, options, (p) => p.parseModule());
}

/** Parses a query body (`x = 1; y := data.a[x]`). */
export function parseQuery(source: string, options?: ParseOptions & { readonly file?: string }): Body {
  const file = options?.file ?? 'query';
  return withParser(file, source, options, (p) => {
    const body = p.parseQuery(T.EOF);
    return body;
  });
}

/** Parses a single term (used for `input_term` and `with` values given as text). */
export function parseTermText(source: string, options?: ParseOptions & { readonly file?: string }): Term {
  const file = options?.file ?? 'term';
  return withParser(file, source, options, (p) => {
    const t = p.parseTermInfixCall();
    if (p.tokKind() !== T.EOF) p.failUnexpected();
    return t;
  });
}

export { lineOf };
