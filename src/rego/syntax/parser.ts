/**
 * Rego v1 parser: modules (package, imports, rules), bodies and literals. Term-level grammar
 * is in `parse-terms.ts`. Entry points: `parseModule`, `parseQuery`, `parseTermText`.
 */
import { RegoError } from '../errors.ts';
import type {
  Body,
  Expr,
  Import,
  Loc,
  Module,
  Package,
  RefTerm,
  Rule,
  RuleHead,
  Term,
  VarTerm,
  With,
} from './ast.ts';
import { opName, opRef } from './ast.ts';
import { lex, LexError } from './lexer.ts';
import { ParseFailure, TermParser } from './parse-terms.ts';
import { KEYWORDS, T, type Token, type TokenKind } from './tokens.ts';
import { annotationsFor } from './annotations.ts';

export interface ParserLimits {
  /** Maximum source size in bytes (UTF-8). */
  readonly maxModuleBytes: number;
  readonly maxTokens: number;
  readonly maxDepth: number;
}

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

class Parser extends TermParser {
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
  private parseLogic(): Expr {
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

  private parseWith(): With[] {
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

  // ---- module ----------------------------------------------------------------------------

  parseModule(): Module {
    while (this.is(T.Semicolon)) this.next();
    if (!this.isKeyword('package')) this.fail('package expected');
    const pkg = this.parsePackage();
    const imports: Import[] = [];
    const rules: Rule[] = [];
    for (;;) {
      if (this.is(T.EOF)) break;
      if (this.isKeyword('import')) {
        if (rules.length > 0) {
          // OPA accepts imports anywhere after the package; keep that.
        }
        imports.push(this.parseImport());
        continue;
      }
      if (this.isKeyword('package')) this.fail('unexpected package keyword: only one package declaration is allowed per module');
      rules.push(...this.parseRules());
    }
    return { file: this.file, source: this.src, package: pkg, imports, rules };
  }

  private parsePackage(): Package {
    const start = this.loc();
    this.next();
    const path: string[] = [];
    const first = this.tok;
    if (first.kind !== T.Ident) this.unexpected('expected identifier');
    path.push(first.text);
    this.next();
    for (;;) {
      const t = this.tok;
      if (t.ws) break;
      if (t.kind === T.Dot) {
        this.next();
        if (this.tok.kind !== T.Ident || this.tok.ws) this.unexpected('expected identifier');
        path.push(this.tok.text);
        this.next();
      } else if (t.kind === T.LBrack) {
        this.next();
        if (this.tok.kind !== T.String) this.unexpected('expected string');
        path.push(this.tok.text);
        this.next();
        this.expect(T.RBrack);
      } else break;
    }
    const loc = this.span(start);
    return { path, loc, annotations: annotationsFor(this.src, loc, this.file) };
  }

  private parseImport(): Import {
    const start = this.loc();
    this.next();
    const head = this.tok;
    if (head.kind !== T.Ident) this.unexpected('expected identifier');
    const terms: Term[] = [{ type: 'var', name: head.text, loc: this.loc() }];
    this.next();
    for (;;) {
      const t = this.tok;
      if (t.ws) break;
      if (t.kind === T.Dot) {
        this.next();
        if (this.tok.kind !== T.Ident || this.tok.ws) this.unexpected('expected identifier');
        terms.push({ type: 'scalar', value: this.tok.text, loc: this.loc() });
        this.next();
      } else if (t.kind === T.LBrack) {
        this.next();
        if (this.tok.kind !== T.String) this.unexpected('expected string');
        terms.push({ type: 'scalar', value: this.tok.text, loc: this.loc() });
        this.next();
        this.expect(T.RBrack);
      } else break;
    }
    const path: RefTerm = { type: 'ref', terms, loc: this.span(start) };
    if (!['data', 'input', 'future', 'rego'].includes(head.text)) {
      this.fail(`unexpected import path, must begin with one of: {data, future, input, rego}, got: ${head.text}`, head);
    }
    let alias: string | null = null;
    if (this.isKeyword('as')) {
      this.next();
      const a = this.tok;
      if (a.kind !== T.Ident || KEYWORDS.has(a.text)) this.unexpected('expected var');
      alias = a.text;
      this.next();
    } else if (head.text !== 'future') {
      const last = terms[terms.length - 1] as Term;
      const name = last.type === 'var' ? last.name : String((last as { value: unknown }).value);
      if (KEYWORDS.has(name) && !(head.text === 'rego' && terms.length === 2)) {
        this.fail(`unexpected import path, must not end with a keyword, got: ${name}`, head);
      }
    }
    return { path, alias, loc: this.span(start) };
  }

  private parseRules(): Rule[] {
    const start = this.loc();
    let isDefault = false;
    if (this.isKeyword('default')) {
      isDefault = true;
      this.next();
    }
    const t = this.tok;
    if (t.kind !== T.Ident || (KEYWORDS.has(t.text) && !this.refFollows())) this.unexpected();
    const { head, contains } = this.parseHead(isDefault);
    const annotations = annotationsFor(this.src, start, this.file);
    if (isDefault) {
      if (head.value === null) this.fail('illegal default rule (must have a value)', t);
      checkDefaultValue(head.value, (m) => this.fail(m, t));
      const body: Body = [trueExpr(head.loc)];
      return [{ default: true, head, body, else: null, loc: this.span(start), annotations }];
    }
    let body: Body;
    let generatedBody = false;
    if (this.isKeyword('if')) {
      this.next();
      body = this.parseIfBody();
    } else if (this.is(T.LBrace)) {
      this.fail('`if` keyword is required before rule body');
    } else if (contains || head.value !== null) {
      body = [trueExpr(head.loc)];
      generatedBody = true;
    } else {
      this.unexpected('rule must have a value or a body');
    }
    let elseRule: Rule | null = null;
    if (this.isKeyword('else')) {
      if (contains) this.fail('else keyword cannot be used on multi-value rules');
      if (head.ref.slice(1).some((x) => !isGroundTerm(x))) this.fail('else keyword cannot be used on rules with variables in head');
      elseRule = this.parseElse(head);
    }
    const first: Rule = { default: false, head, body, else: elseRule, loc: this.span(start), annotations };
    const rules: Rule[] = [first];
    while (this.is(T.LBrace) && !generatedBody) {
      if (elseRule !== null) this.fail('expected else keyword');
      const bstart = this.loc();
      this.next();
      const b = this.parseBody(T.RBrace);
      this.next();
      rules.push({ default: false, head, body: b, else: null, loc: this.span(bstart), annotations: null });
    }
    return rules;
  }

  /** After `if`: a `{ body }`, or a single literal. */
  private parseIfBody(): Body {
    if (this.is(T.LBrace)) {
      const s = this.save();
      const lit = this.attempt(() => this.parseLogic());
      if (lit !== null && !(lit.kind === 'term' && lit.term.type === 'set')) return [lit];
      this.restore(s);
      this.next();
      const body = this.parseBody(T.RBrace);
      this.next();
      return body;
    }
    if (this.is(T.EOF)) this.unexpected('rule body expected');
    return [this.parseLogic()];
  }

  private parseElse(head: RuleHead): Rule {
    const start = this.loc();
    this.next(); // else
    let value: Term;
    let assign = head.assign;
    if (this.is(T.LBrace) || this.isKeyword('if')) {
      value = { type: 'scalar', value: true, loc: start };
    } else if (this.is(T.Assign) || this.is(T.Unify)) {
      assign = this.is(T.Assign);
      this.next();
      value = this.parseTermInfixCall();
    } else {
      this.unexpected('expected else value term or rule body');
    }
    const elseHead: RuleHead = { ...head, value, assign, loc: start };
    let body: Body;
    if (this.isKeyword('if')) {
      this.next();
      body = this.parseIfBody();
    } else if (this.is(T.LBrace)) {
      this.next();
      body = this.parseBody(T.RBrace);
      this.next();
    } else {
      body = [trueExpr(start)];
    }
    const next = this.isKeyword('else') ? this.parseElse(head) : null;
    return { default: false, head: elseHead, body, else: next, loc: this.span(start), annotations: null };
  }

  private parseHead(isDefault: boolean): { head: RuleHead; contains: boolean } {
    const start = this.loc();
    const nameTok = this.tok;
    this.next();
    let term: Term = nameTok.text === '_' ? this.unexpected('expected rule head name', nameTok) : { type: 'var', name: nameTok.text, loc: this.loc(nameTok) };
    const t = this.tok;
    if (t.kind === T.LParen || t.kind === T.Dot || t.kind === T.LBrack) {
      if (t.kind === T.LParen || !t.ws) term = this.parseRef(term);
    }
    let ref: Term[];
    let args: Term[] | null = null;
    if (term.type === 'var') ref = [term];
    else if (term.type === 'ref') ref = [...term.terms];
    else if (term.type === 'call') {
      ref = term.op.type === 'var' ? [term.op] : [...term.op.terms];
      args = [...term.args];
    } else this.unexpected('expected rule head name');
    if ((ref[0] as Term).type !== 'var') this.unexpected('expected rule head name');
    let key: Term | null = null;
    let value: Term | null = null;
    let assign = false;
    let contains = false;
    if (this.isKeyword('contains')) {
      if (args !== null) this.unexpected('the contains keyword can only be used with multi-value rule definitions');
      this.next();
      key = this.parseTermInfixCall();
      contains = true;
    } else if (this.is(T.Unify) || this.is(T.Assign)) {
      assign = this.is(T.Assign);
      this.next();
      value = this.parseTermInfixCall();
    } else if (isDefault) {
      this.unexpected('expected default rule value term');
    }
    if (!contains && value === null) value = { type: 'scalar', value: true, loc: start };
    return { head: { ref, args, key, value, assign, loc: this.span(start) }, contains };
  }
}

function trueExpr(loc: Loc): Expr {
  return { kind: 'term', term: { type: 'scalar', value: true, loc }, negated: false, with: [], loc };
}

function isGroundTerm(t: Term): boolean {
  switch (t.type) {
    case 'scalar':
      return true;
    case 'array':
    case 'set':
      return t.items.every(isGroundTerm);
    case 'object':
      return t.entries.every(([k, v]) => isGroundTerm(k) && isGroundTerm(v));
    default:
      return false;
  }
}

function checkDefaultValue(t: Term, fail: (m: string) => never): void {
  switch (t.type) {
    case 'ref':
      fail('illegal default rule (value cannot contain ref)');
      break;
    case 'var':
      fail('illegal default rule (value cannot contain var)');
      break;
    case 'call':
      fail('illegal default rule (value cannot contain call)');
      break;
    case 'array':
    case 'set':
      for (const x of t.items) checkDefaultValue(x, fail);
      break;
    case 'object':
      for (const [k, v] of t.entries) {
        checkDefaultValue(k, fail);
        checkDefaultValue(v, fail);
      }
      break;
    default:
      break;
  }
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

function withParser<R>(file: string, src: string, o: ParseOptions | undefined, f: (p: Parser) => R): R {
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
  const p = new Parser(toks, file, src, limits, o?.experimental ?? false);
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
