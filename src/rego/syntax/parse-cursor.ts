/**
 * The parser's token cursor: position, lookahead, errors, speculative parses and limits.
 */
import type { Body, Expr, Loc, Term, VarTerm } from './ast.ts';
import { KEYWORDS, T, TOKEN_NAMES, type Token, type TokenKind } from './tokens.ts';

export class ParseFailure {
  readonly message: string;
  readonly token: Token;
  /** Limit breaches are not recoverable by trying another parse. */
  readonly fatal: boolean;

  constructor(message: string, token: Token, fatal = false) {
    this.message = message;
    this.token = token;
    this.fatal = fatal;
  }
}

export interface ParseLimits {
  /** Maximum nesting of terms and bodies. */
  readonly maxDepth: number;
}

export abstract class ParserCursor {
  protected readonly toks: readonly Token[];
  protected i = 0;
  protected readonly file: string;
  private depth = 0;
  private readonly limits: ParseLimits;
  private wildcards = 0;
  protected readonly termCache = new Map<number, { readonly term: Term | null; readonly end: number; readonly fail: ParseFailure | null }>();

  constructor(toks: readonly Token[], file: string, limits: ParseLimits) {
    this.toks = toks;
    this.file = file;
    this.limits = limits;
  }

  protected abstract parseBody(end: TokenKind): Body;
  protected abstract parseLiteral(): Expr;

  // ---- cursor -------------------------------------------------------------------------------

  protected get tok(): Token {
    return this.toks[this.i] as Token;
  }

  protected peek(k = 1): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)] as Token;
  }

  protected next(): void {
    if (this.i < this.toks.length - 1) this.i++;
  }

  protected is(kind: TokenKind): boolean {
    return this.tok.kind === kind;
  }

  protected isWord(word: string): boolean {
    return this.tok.kind === T.Ident && this.tok.text === word;
  }

  /** The token after the current one continues a ref (`.`/`[` with no whitespace in between). */
  protected refFollows(): boolean {
    const n = this.peek();
    return (n.kind === T.Dot || n.kind === T.LBrack) && !n.ws;
  }

  /** A keyword in the current position, unless it starts a ref (`if.foo`, keywords in refs). */
  protected isKeyword(word: string): boolean {
    return this.isWord(word) && !this.refFollows();
  }

  protected loc(t: Token = this.tok): Loc {
    return { file: this.file, row: t.row, col: t.col, offset: t.offset, end: t.end };
  }

  protected span(start: Loc): Loc {
    const prev = this.toks[Math.max(0, this.i - 1)] as Token;
    return { ...start, end: Math.max(start.end, prev.end) };
  }

  protected fail(message: string, t: Token = this.tok): never {
    throw new ParseFailure(message, t);
  }

  protected unexpected(note?: string, t: Token = this.tok): never {
    const name = t.kind === T.Ident ? (KEYWORDS.has(t.text) ? t.text : 'identifier') : TOKEN_NAMES[t.kind];
    const kind = t.kind === T.Ident && KEYWORDS.has(t.text) ? 'keyword' : 'token';
    this.fail(note === undefined ? `unexpected ${name} ${kind}` : `unexpected ${name} ${kind}: ${note}`, t);
  }

  protected expect(kind: TokenKind, what: string = TOKEN_NAMES[kind]): void {
    if (this.tok.kind !== kind) this.unexpected(`expected ${what}`);
    this.next();
  }

  protected save(): number {
    return this.i;
  }

  protected restore(i: number): void {
    this.i = i;
  }

  /** Runs a speculative parse; on failure restores the position and returns null. */
  protected attempt<R>(f: () => R): R | null {
    const s = this.i;
    const d = this.depth;
    try {
      return f();
    } catch (e) {
      if (e instanceof ParseFailure && !e.fatal) {
        this.i = s;
        this.depth = d;
        return null;
      }
      throw e;
    }
  }

  protected enter(): void {
    if (++this.depth > this.limits.maxDepth) throw new ParseFailure(`nesting too deep (limit ${this.limits.maxDepth})`, this.tok, true);
  }

  protected leave(): void {
    this.depth--;
  }

  protected wildcard(loc: Loc): VarTerm {
    return { type: 'var', name: `$${this.wildcards++}`, loc };
  }
}
