/**
 * Bodies and literals: `;`/newline-separated expressions, `some`, `every`, `not`, `with`, and
 * the experimental `and`/`or` chains.
 */
import type { Body, Expr, Loc, Term, VarTerm, With } from './ast.ts';
import { opName, opRef } from './ast.ts';
import { CollectionParser } from './parse-collections.ts';
import { KEYWORDS, T, type Token, type TokenKind } from './tokens.ts';

export interface ParserLimits {
  /** Maximum source size in bytes (UTF-8). */
  readonly maxModuleBytes: number;
  readonly maxTokens: number;
  readonly maxDepth: number;
}

export class BodyParser extends CollectionParser {
  readonly src: string;
  readonly experimental: boolean;

  constructor(toks: readonly Token[], file: string, src: string, limits: ParserLimits, experimental: boolean) {
    super(toks, file, { maxDepth: limits.maxDepth });
    this.src = src;
    this.experimental = experimental;
  }

  // ---- bodies and literals -----------------------------------------------------------------

  protected parseBody(end: TokenKind): Body {
    this.enter();
    try {
      return this.parseQuery(end);
    } finally {
      this.leave();
    }
  }

  tokKind(): TokenKind {
    return this.tok.kind;
  }

  failUnexpected(): never {
    this.unexpected();
  }

  parseQuery(end: TokenKind): Body {
    const body: Expr[] = [];
    if (this.is(end)) this.fail('found empty body');
    for (;;) {
      body.push(this.parseLogic());
      if (this.is(T.Semicolon)) {
        this.next();
        continue;
      }
      if (this.is(end)) return body;
      if (!this.tok.nl) {
        this.unexpected(`expected \\n or ; or ${end === T.EOF ? 'eof' : end === T.RBrace ? '}' : ']'}`);
      }
    }
  }

  /** A literal, possibly combined with experimental `and` / `or` (`or` binds loosest). */
  protected parseLogic(): Expr {
    if (!this.experimental) return this.parseLiteral();
    const s = this.save();
    const chain = this.attempt(() => {
      const e = this.parseLogicChain();
      if (!this.atLiteralEnd()) this.unexpected();
      return e;
    });
    if (chain !== null && (chain.kind === 'logic' || chain.kind === 'group')) return chain;
    this.restore(s);
    return this.parseLiteral();
  }

  private atLiteralEnd(): boolean {
    const t = this.tok;
    return t.kind === T.Semicolon || t.kind === T.RBrace || t.kind === T.RBrack || t.kind === T.EOF || t.nl;
  }

  /** `a or b and c [with …]`: a trailing `with` applies to the whole chain. */
  private parseLogicChain(): Expr {
    let e = this.parseOrChain();
    if (this.isKeyword('with')) e = { ...e, with: [...e.with, ...this.parseWith()] };
    return e;
  }

  private parseOrChain(): Expr {
    let left = this.parseAndChain();
    while (this.isKeyword('or')) {
      this.next();
      const right = this.parseAndChain();
      left = { kind: 'logic', op: 'or', left: [left], right: [right], negated: false, with: [], loc: left.loc };
    }
    return left;
  }

  private parseAndChain(): Expr {
    let left = this.parseOperand();
    while (this.isKeyword('and')) {
      this.next();
      const right = this.parseOperand();
      left = { kind: 'logic', op: 'and', left: [left], right: [right], negated: false, with: [], loc: left.loc };
    }
    return left;
  }

  /** An operand of `and`/`or`: `not` operand, `{ body }`, `( chain )`, or a literal (no `with`). */
  private parseOperand(): Expr {
    const start = this.loc();
    if (this.isKeyword('not')) {
      this.next();
      const e = this.parseOperand();
      if ((e.kind === 'term' || e.kind === 'call') && !e.negated) return { ...e, negated: true, loc: start };
      return { kind: 'group', body: [e], negated: true, with: [], loc: start };
    }
    if (this.is(T.LBrace)) {
      const body = this.attempt(() => {
        this.next();
        const b = this.parseBody(T.RBrace);
        this.next();
        if (!this.isKeyword('and') && !this.isKeyword('or') && !this.isKeyword('with') && !this.is(T.RParen) && !this.atLiteralEnd()) this.unexpected();
        return b;
      });
      if (body !== null) return { kind: 'group', body, negated: false, with: [], loc: start };
    }
    if (this.is(T.LParen)) {
      const inner = this.attempt(() => {
        this.next();
        const e = this.parseLogicChain();
        this.expect(T.RParen);
        if (!this.isKeyword('and') && !this.isKeyword('or') && !this.isKeyword('with') && !this.is(T.RParen) && !this.atLiteralEnd()) this.unexpected();
        return e;
      });
      if (inner !== null) return inner.kind === 'logic' || inner.kind === 'group' ? inner : { kind: 'group', body: [inner], negated: false, with: [], loc: start };
    }
    return this.parseLiteral(false);
  }

  protected parseLiteral(allowWith = true): Expr {
    const start = this.loc();
    if (this.tok.kind === T.Ident && KEYWORDS.has(this.tok.text) && this.refFollows()) {
      return this.parseLiteralExpr(false, start, allowWith);
    }
    let negated = false;
    if (this.isKeyword('not')) {
      this.next();
      negated = true;
      if (this.is(T.LBrace)) {
        const group = this.attempt(() => {
          this.next();
          const body = this.parseBody(T.RBrace);
          this.next();
          return body;
        });
        if (group !== null) {
          let expr: Expr = { kind: 'group', body: group, negated: true, with: [], loc: this.span(start) };
          if (this.isKeyword('with')) expr = { ...expr, with: this.parseWith() };
          return expr;
        }
      }
    }
    if (this.isKeyword('some')) {
      if (negated) this.unexpected("illegal negation of 'some'");
      return this.parseSome(start);
    }
    if (this.isKeyword('every')) {
      if (negated) this.unexpected("illegal negation of 'every'");
      return this.parseEvery(start);
    }
    return this.parseLiteralExpr(negated, start, allowWith);
  }

  private parseLiteralExpr(negated: boolean, start: Loc, allowWith = true): Expr {
    const lhs = this.parseTermInfixCall();
    let expr: Expr;
    if (this.is(T.Assign) || this.is(T.Unify)) {
      const opTok = this.tok;
      this.next();
      const rhs = this.parseTermInfixCall();
      expr = {
        kind: 'call',
        op: opRef(opTok.kind === T.Assign ? 'assign' : 'eq', this.loc(opTok)),
        args: [lhs, rhs],
        negated,
        with: [],
        loc: this.span(start),
      };
    } else if (lhs.type === 'call') {
      expr = { kind: 'call', op: lhs.op, args: lhs.args, negated, with: [], loc: this.span(start) };
    } else {
      expr = { kind: 'term', term: lhs, negated, with: [], loc: this.span(start) };
    }
    if (allowWith && this.isKeyword('with')) expr = { ...expr, with: this.parseWith() };
    return expr;
  }

  protected parseWith(): With[] {
    const out: With[] = [];
    while (this.isKeyword('with')) {
      const start = this.loc();
      this.next();
      if (this.tok.kind !== T.Ident) this.unexpected('expected ident');
      const target = this.parseTerm();
      if (target.type !== 'var' && target.type !== 'ref') this.unexpected('expected with target path');
      if (!this.isKeyword('as')) this.unexpected('expected as keyword');
      this.next();
      const value = this.parseTermInfixCall();
      out.push({ target, value, loc: this.span(start) });
    }
    return out;
  }

  private parseSome(start: Loc): Expr {
    const s = this.save();
    this.next();
    const decl = this.attempt(() => this.parseTermInfixCall());
    if (decl !== null && decl.type === 'call') {
      const name = opName(decl.op);
      if (name === 'internal.member_2' || name === 'internal.member_3') {
        const [a, b, c] = decl.args as [Term, Term, Term | undefined];
        let expr: Expr =
          name === 'internal.member_2'
            ? { kind: 'somein', key: null, value: a, domain: b, negated: false, with: [], loc: this.span(start) }
            : { kind: 'somein', key: a, value: b, domain: c as Term, negated: false, with: [], loc: this.span(start) };
        if (this.isKeyword('with')) expr = { ...expr, with: this.parseWith() };
        return expr;
      }
      this.restore(s);
      this.next();
      if (!(this.tok.kind === T.Ident && decl.type === 'call')) this.unexpected('expected `x in xs` or `x, y in xs` expression');
    }
    this.restore(s);
    const vars: VarTerm[] = [];
    for (;;) {
      this.next();
      const t = this.tok;
      if (t.kind !== T.Ident || KEYWORDS.has(t.text)) this.unexpected('expected var');
      vars.push({ type: 'var', name: t.text, loc: this.loc() });
      this.next();
      if (!this.is(T.Comma)) break;
    }
    return { kind: 'some', vars, negated: false, with: [], loc: this.span(start) };
  }

  private parseEvery(start: Loc): Expr {
    this.next();
    const decl = this.parseTermInfixCall();
    const name = decl.type === 'call' ? opName(decl.op) : null;
    if (decl.type !== 'call' || (name !== 'internal.member_2' && name !== 'internal.member_3')) {
      this.unexpected('expected `x[, y] in xs { ... }` expression');
    }
    let key: Term | null = null;
    let value: Term;
    let domain: Term;
    if (name === 'internal.member_2') {
      [value, domain] = decl.args as [Term, Term];
    } else {
      [key, value, domain] = decl.args as [Term, Term, Term];
      if (key.type !== 'var') this.fail('unexpected term: expected key to be a variable');
    }
    if (value.type !== 'var') this.fail('unexpected term: expected value to be a variable');
    if (!this.is(T.LBrace)) this.unexpected('missing body');
    this.next();
    const body = this.parseBody(T.RBrace);
    this.next();
    let expr: Expr = {
      kind: 'every',
      key: key as VarTerm | null,
      value,
      domain,
      body,
      negated: false,
      with: [],
      loc: this.span(start),
    };
    if (this.isKeyword('with')) expr = { ...expr, with: this.parseWith() };
    return expr;
  }
}
