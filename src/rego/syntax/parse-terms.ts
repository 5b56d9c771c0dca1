/**
 * Term and expression-operator parsing (precedence climbing as in OPA's grammar):
 *
 *   in  <  == != < > <= >=  <  |  <  &  <  + -  <  * / %  <  term
 *
 * Whitespace matters: `a[1]` is a ref, `a [1]` is a var followed by an array.
 */
import { parseNumber } from '../number.ts';
import type { CallTerm, Loc, RefTerm, ScalarTerm, Term, VarTerm } from './ast.ts';
import { opRef } from './ast.ts';
import { ParseFailure, ParserCursor } from './parse-cursor.ts';
import { KEYWORDS, T, TOKEN_NAMES, type Token, type TokenKind } from './tokens.ts';

export { ParseFailure } from './parse-cursor.ts';
export type { ParseLimits } from './parse-cursor.ts';

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

export abstract class TermParser extends ParserCursor {
  protected abstract parseArray(): Term;
  protected abstract parseSetOrObject(): Term;
  protected abstract parseTemplate(): Term;

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
}

function scalarTypeName(t: ScalarTerm): string {
  const v = t.value;
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return 'number';
}
