/**
 * Modules: the package, imports and rules (heads with refs, functions, `contains`, `default`,
 * `if` bodies, `else` chains).
 */
import type { Body, Expr, Import, Loc, Module, Package, RefTerm, Rule, RuleHead, Term } from './ast.ts';
import { annotationsFor } from './annotations.ts';
import { BodyParser } from './parse-body.ts';
import { KEYWORDS, T } from './tokens.ts';

export class ModuleParser extends BodyParser {
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
