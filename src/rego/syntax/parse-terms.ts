/**
 * Term and expression-operator parsing (precedence climbing as in OPA's grammar):
 *
 *   in  <  == != < > <= >=  <  |  <  &  <  + -  <  * / %  <  term
 *
 * Whitespace matters: `a[1]` is a ref, `a [1]` is a var followed by an array.
 */
import { parseNumber } from '../number.ts';
import type {
  Body,
  CallTerm,
  Expr,
  Loc,
  RefTerm,
  ScalarTerm,
  Term,
  TemplateTerm,
  VarTerm,
} from './ast.ts';
import { opRef } from './ast.ts';
import { KEYWORDS, T, TOKEN_NAMES, type Token, type TokenKind } from './tokens.ts';

/** Thrown inside the parser; cheap (no stack trace), caught by speculative parses. */
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

const RELATION_OPS: ReadonlyMap<TokenKind, string> = new Map<TokenKind, string>([
  [T.Equal, 'equal'],
  [T.Neq, 'neq'],
  [T.Lt, 'lt'],
  [T.Gt, 'gt'],
  [T.Lte, 'lte'],
  [T.Gte, 'gte'],
]);
const ARITH_OPS: ReadonlyMap<TokenKind, string> = new Map<TokenKind, string>([
  [T.Add, 'plus'],
  [T.Sub, 'minus'],
]);
const FACTOR_OPS: ReadonlyMap<TokenKind, string> = new Map<TokenKind, string>([
  [T.Mul, 'mul'],
  [T.Quo, 'div'],
  [T.Rem, 'rem'],
]);

export abstract class TermParser {
  protected readonly toks: readonly Token[];
  protected i = 0;
  protected readonly file: string;
  private depth = 0;
  private readonly limits: ParseLimits;
  private wildcards = 0;
  private readonly termCache = new Map<number, { readonly term: Term | null; readonly end: number; readonly fail: ParseFailure | null }>();

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

  // ---- operators ------------------------------------------------------------------------------

  private call(name: string, opTok: Token, args: Term[], start: Loc): CallTerm {
    return { type: 'call', op: opRef(name, this.loc(opTok)), args, loc: this.span(start) };
  }

  /** A full term with infix operators, including `x in xs` and (if keyVal) `k, v in xs`. */
  parseTermInfixCall(keyVal = true): Term {
    this.enter();
    try {
      return this.parseTermIn(keyVal);
    } finally {
      this.leave();
    }
  }

  private parseTermIn(keyVal: boolean): Term {
    const start = this.loc();
    let lhs = this.parseTermRelation();
    if (keyVal && this.is(T.Comma)) {
      const triple = this.attempt(() => {
        this.next();
        const mhs = this.parseTermRelation();
        if (!this.isKeyword('in')) this.unexpected();
        const opTok = this.tok;
        this.next();
        const rhs = this.parseTermRelation();
        return this.call('internal.member_3', opTok, [lhs, mhs, rhs], start);
      });
      if (triple !== null) {
        lhs = triple;
        if (!this.isKeyword('in')) return lhs;
      }
    }
    while (this.isKeyword('in')) {
      const opTok = this.tok;
      this.next();
      const rhs = this.parseTermRelation();
      lhs = this.call('internal.member_2', opTok, [lhs, rhs], start);
    }
    return lhs;
  }

  private parseTermRelation(): Term {
    const start = this.loc();
    let lhs = this.parseTermOr();
    for (;;) {
      const name = RELATION_OPS.get(this.tok.kind);
      if (name === undefined) return lhs;
      const opTok = this.tok;
      this.next();
      const rhs = this.parseTermOr();
      lhs = this.call(name, opTok, [lhs, rhs], start);
    }
  }

  private parseTermOr(): Term {
    const start = this.loc();
    let lhs = this.parseTermAnd();
    while (this.is(T.Or)) {
      const opTok = this.tok;
      this.next();
      const rhs = this.parseTermAnd();
      lhs = this.call('or', opTok, [lhs, rhs], start);
    }
    return lhs;
  }

  private parseTermAnd(): Term {
    const start = this.loc();
    let lhs = this.parseTermArith();
    while (this.is(T.And)) {
      const opTok = this.tok;
      this.next();
      const rhs = this.parseTermArith();
      lhs = this.call('and', opTok, [lhs, rhs], start);
    }
    return lhs;
  }

  private parseTermArith(): Term {
    const start = this.loc();
    let lhs = this.parseTermFactor();
    for (;;) {
      const name = ARITH_OPS.get(this.tok.kind);
      if (name === undefined) return lhs;
      const opTok = this.tok;
      this.next();
      const rhs = this.parseTermFactor();
      lhs = this.call(name, opTok, [lhs, rhs], start);
    }
  }

  private parseTermFactor(): Term {
    const start = this.loc();
    let lhs = this.parseTerm();
    for (;;) {
      const name = FACTOR_OPS.get(this.tok.kind);
      if (name === undefined) return lhs;
      const opTok = this.tok;
      this.next();
      const rhs = this.parseTerm();
      lhs = this.call(name, opTok, [lhs, rhs], start);
    }
  }

  // ---- terms ----------------------------------------------------------------------------------

  parseTerm(): Term {
    // Speculative parses (comprehension or literal?) revisit the same terms: memoize by
    // position so nested brackets stay linear instead of exponential.
    const at = this.i;
    const hit = this.termCache.get(at);
    if (hit !== undefined) {
      if (hit.fail !== null) throw hit.fail;
      this.i = hit.end;
      return hit.term as Term;
    }
    try {
      const term = this.parseTermUncached();
      this.termCache.set(at, { term, end: this.i, fail: null });
      return term;
    } catch (e) {
      if (e instanceof ParseFailure) this.termCache.set(at, { term: null, end: at, fail: e });
      throw e;
    }
  }

  private parseTermUncached(): Term {
    this.enter();
    try {
      const t = this.tok;
      let term: Term;
      switch (t.kind) {
        case T.Ident:
          term = this.parseIdentTerm();
          break;
        case T.Number:
        case T.Sub:
        case T.Dot:
          term = this.parseNumber();
          break;
        case T.String:
          term = { type: 'scalar', value: t.text, loc: this.loc() };
          this.next();
          break;
        case T.TemplatePart:
        case T.TemplateEnd:
          term = this.parseTemplate();
          break;
        case T.LBrack:
          term = this.parseArray();
          break;
        case T.LBrace:
          term = this.parseSetOrObject();
          break;
        case T.LParen: {
          this.next();
          term = this.parseTermInfixCall();
          if (!this.is(T.RParen)) this.fail('non-terminated expression');
          this.next();
          break;
        }
        default:
          this.unexpected();
      }
      return this.parseTermFinish(term);
    } finally {
      this.leave();
    }
  }

  private parseIdentTerm(): Term {
    const t = this.tok;
    const loc = this.loc();
    switch (t.text) {
      case 'null':
      case 'true':
      case 'false':
        if (!this.refFollows()) {
          this.next();
          return { type: 'scalar', value: t.text === 'null' ? null : t.text === 'true', loc };
        }
        break;
      case 'contains':
        break;
      default:
        if (KEYWORDS.has(t.text) && !this.refFollows()) this.unexpected();
    }
    this.next();
    if (t.text === '_') return this.wildcard(loc);
    return { type: 'var', name: t.text, loc };
  }

  /** After a term: `.x`, `[x]` or `(args)` directly attached make it a ref or call. */
  protected parseTermFinish(head: Term): Term {
    const t = this.tok;
    if (!t.ws && (t.kind === T.Dot || t.kind === T.LBrack || t.kind === T.LParen)) return this.parseRef(head);
    if (head.type === 'var' && (head.name === 'data' || head.name === 'input')) {
      return { type: 'ref', terms: [head], loc: head.loc };
    }
    return head;
  }

  protected parseRef(head: Term): Term {
    switch (head.type) {
      case 'var':
      case 'array':
      case 'object':
      case 'set':
      case 'arraycompr':
      case 'setcompr':
      case 'objectcompr':
      case 'call':
        break;
      default:
        this.fail(`illegal ref (head cannot be ${head.type === 'scalar' ? scalarTypeName(head) : head.type})`);
    }
    const start = head.loc;
    const terms: Term[] = [head];
    for (;;) {
      const t = this.tok;
      if (t.ws) break;
      if (t.kind === T.Dot) {
        this.next();
        const id = this.tok;
        if (id.kind !== T.Ident || id.ws) this.unexpected('expected identifier');
        terms.push({ type: 'scalar', value: id.text, loc: this.loc(id) });
        this.next();
      } else if (t.kind === T.LBrack) {
        this.next();
        const k = this.parseTermInfixCall();
        if (!this.is(T.RBrack)) this.unexpected('expected ]');
        terms.push(k);
        this.next();
      } else if (t.kind === T.LParen) {
        const op: VarTerm | RefTerm =
          terms.length === 1 && head.type === 'var' ? head : { type: 'ref', terms: [...terms], loc: this.span(start) };
        if (terms.length === 1 && head.type !== 'var') this.fail(`illegal call (operator cannot be ${head.type})`);
        const call = this.parseCall(op, start);
        const n = this.tok;
        if (!n.ws && (n.kind === T.Dot || n.kind === T.LBrack)) return this.parseRef(call);
        return call;
      } else break;
    }
    if (terms.length === 1) return head;
    return { type: 'ref', terms, loc: this.span(start) };
  }

  private parseCall(op: VarTerm | RefTerm, start: Loc): Term {
    this.next(); // (
    if (this.is(T.RParen)) {
      this.next();
      if (op.type === 'var' && op.name === 'set') return { type: 'set', items: [], loc: this.span(start) };
      return { type: 'call', op, args: [], loc: this.span(start) };
    }
    const args = this.parseTermList(T.RParen);
    return { type: 'call', op, args, loc: this.span(start) };
  }

  private parseNumber(): ScalarTerm {
    const start = this.loc();
    let prefix = '';
    if (this.is(T.Sub)) {
      prefix = '-';
      this.next();
      if (!this.is(T.Number) && !this.is(T.Dot)) this.unexpected('expected number');
    }
    if (this.is(T.Dot)) {
      this.next();
      if (!this.is(T.Number) || this.tok.ws) this.unexpected('expected number');
      prefix += '0.';
    } else {
      const lit = this.tok.text;
      if (lit.length > 1 && lit[0] === '0' && lit[1] !== '.' && lit[1] !== 'e' && lit[1] !== 'E') {
        this.unexpected('expected number without leading zero');
      }
    }
    const text = prefix + this.tok.text;
    const n = parseNumber(text);
    if (n === null) this.fail('number too big');
    this.next();
    return { type: 'scalar', value: n, loc: this.span(start) };
  }

  protected parseTermList(end: TokenKind): Term[] {
    const out: Term[] = [];
    if (this.is(end)) return out;
    for (;;) {
      out.push(this.parseTermInfixCall(false));
      if (this.is(end)) {
        this.next();
        return out;
      }
      if (!this.is(T.Comma)) this.unexpected(`expected "," or "${TOKEN_NAMES[end]}"`);
      this.next();
      if (this.is(end)) {
        this.next();
        return out;
      }
    }
  }

  private parseArray(): Term {
    const start = this.loc();
    this.next();
    if (this.is(T.RBrack)) {
      this.next();
      return { type: 'array', items: [], loc: this.span(start) };
    }
    let potentialComprehension = true;
    if (this.is(T.Comma)) {
      potentialComprehension = false;
      this.next();
    }
    const s = this.save();
    const head = this.attempt(() => this.parseTerm());
    if (head !== null) {
      if (this.is(T.RBrack)) {
        this.next();
        return { type: 'array', items: [head], loc: this.span(start) };
      }
      if (this.is(T.Or) && potentialComprehension) {
        const compr = this.attempt(() => {
          this.next();
          const body = this.parseBody(T.RBrack);
          this.next();
          return body;
        });
        if (compr !== null) return { type: 'arraycompr', head, body: compr, loc: this.span(start) };
      }
    }
    this.restore(s);
    const items = this.parseTermList(T.RBrack);
    return { type: 'array', items, loc: this.span(start) };
  }

  private parseSetOrObject(): Term {
    const start = this.loc();
    this.next();
    if (this.is(T.RBrace)) {
      this.next();
      return { type: 'object', entries: [], loc: this.span(start) };
    }
    let potentialComprehension = true;
    if (this.is(T.Comma)) {
      potentialComprehension = false;
      this.next();
    }
    const s = this.save();
    let head = this.attempt(() => this.parseTerm());
    if (head !== null) {
      if (this.is(T.Or) && potentialComprehension) {
        const body = this.attempt(() => {
          this.next();
          const b = this.parseBody(T.RBrace);
          this.next();
          return b;
        });
        if (body !== null) return { type: 'setcompr', head, body, loc: this.span(start) };
        this.restore(s);
        head = null;
      } else if (this.is(T.RBrace) || this.is(T.Comma)) {
        return this.parseSetRest(head, start);
      } else if (this.is(T.Colon)) {
        return this.parseObjectRest(head, start, potentialComprehension);
      } else {
        head = null;
      }
    }
    this.restore(s);
    head = this.parseTermInfixCall(false);
    if (this.is(T.RBrace) || this.is(T.Comma)) return this.parseSetRest(head, start);
    if (this.is(T.Colon)) return this.parseObjectRest(head, start, potentialComprehension);
    this.unexpected('non-terminated set');
  }

  private parseSetRest(head: Term, start: Loc): Term {
    if (this.is(T.RBrace)) {
      this.next();
      return { type: 'set', items: [head], loc: this.span(start) };
    }
    this.next(); // ,
    const rest = this.parseTermList(T.RBrace);
    return { type: 'set', items: [head, ...rest], loc: this.span(start) };
  }

  private parseObjectRest(key: Term, start: Loc, potentialComprehension: boolean): Term {
    this.next(); // :
    const s = this.save();
    if (potentialComprehension) {
      const v = this.attempt(() => this.parseTerm());
      if (v !== null && this.is(T.Or)) {
        const body = this.attempt(() => {
          this.next();
          const b = this.parseBody(T.RBrace);
          this.next();
          return b;
        });
        if (body !== null) return { type: 'objectcompr', key, value: v, body, loc: this.span(start) };
      }
      this.restore(s);
    }
    const value = this.parseTermInfixCall(false);
    const entries: (readonly [Term, Term])[] = [[key, value]];
    for (;;) {
      if (this.is(T.RBrace)) {
        this.next();
        return { type: 'object', entries, loc: this.span(start) };
      }
      if (!this.is(T.Comma)) this.unexpected('non-terminated object');
      this.next();
      if (this.is(T.RBrace)) continue;
      const k = this.parseTermInfixCall(false);
      if (!this.is(T.Colon)) this.unexpected('expected ":"');
      this.next();
      const v = this.parseTermInfixCall(false);
      entries.push([k, v]);
    }
  }

  private parseTemplate(): TemplateTerm {
    const start = this.loc();
    const parts: (string | Expr)[] = [];
    for (;;) {
      const t = this.tok;
      if (t.text.length > 0) parts.push(t.text);
      this.next();
      if (t.kind === T.TemplateEnd) break;
      if (t.kind !== T.TemplatePart) this.unexpected('expected template-string part');
      const expr = this.parseLiteral();
      if (expr.negated) this.fail("unexpected negation ('not') in template-string expression");
      if (expr.kind === 'call' && expr.op.type === 'var' && expr.op.name === 'eq' && expr.args.length === 2 && expr.with.length === 0) {
        this.fail("unexpected unification ('=') in template-string expression");
      }
      if (expr.kind === 'call' && expr.op.type === 'var' && expr.op.name === 'assign') {
        this.fail("unexpected assignment (':=') in template-string expression");
      }
      if (expr.kind === 'every') this.fail("unexpected 'every' in template-string expression");
      if (expr.kind === 'some' || expr.kind === 'somein') this.fail("unexpected 'some' in template-string expression");
      parts.push(expr);
      if (!this.is(T.RBrace)) this.unexpected('expected } to end template string expression');
      this.next();
      if (!this.is(T.TemplatePart) && !this.is(T.TemplateEnd)) this.unexpected('expected template-string part');
    }
    return { type: 'template', parts, loc: this.span(start) };
  }
}

function scalarTypeName(t: ScalarTerm): string {
  const v = t.value;
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return 'number';
}
