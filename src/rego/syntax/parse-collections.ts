/**
 * Composite terms: arrays, sets, objects, their comprehensions (a comprehension wins over a
 * `|` operator, as in OPA), and template strings.
 */
import type { Expr, Loc, TemplateTerm, Term } from './ast.ts';
import { TermParser } from './parse-terms.ts';
import { T } from './tokens.ts';

export abstract class CollectionParser extends TermParser {
  protected parseArray(): Term {
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

  protected parseSetOrObject(): Term {
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

  protected parseTemplate(): TemplateTerm {
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
