/**
 * Parses a token stream into the analysis events (see `ast.ts`): template data, `{{ … }}`
 * outputs and the statements of `{% … %}` tags (if/for/set/macro/call/filter/with/include/
 * import/from/extends/do …). Expressions are parsed by `ExpressionParser`. Unknown statement
 * tags (extensions) are parsed as a list of expressions so nothing in them goes unseen.
 */
import type { Event, Expr, Target } from './ast.ts';
import type { Token } from './lexer.ts';
import { ExpressionParser } from './expressions.ts';

const CONTROL_TAGS = new Set([
  'if', 'elif', 'else', 'endif', 'for', 'endfor', 'endmacro', 'endcall', 'endfilter', 'endwith', 'block', 'endblock',
  'break', 'continue', 'generation', 'endgeneration', 'autoescape', 'endautoescape', 'trans', 'endtrans', 'pluralize',
]);

export function parseTemplate(tokens: readonly Token[]): Event[] {
  return new Parser(tokens).template();
}

class Parser extends ExpressionParser {
  readonly events: Event[] = [];
  openCaptures = 0;

  template(): Event[] {
    while (this.cur.type !== 'eof') {
      const t = this.cur;
      if (t.type === 'data') {
        this.events.push({ k: 'data', text: t.value, at: t.offset });
        this.i++;
      } else if (t.type === 'variable_begin') {
        this.i++;
        const expr = this.tuple(true);
        if (this.cur.type !== 'variable_end') this.fail('expected the end of the expression');
        this.i++;
        this.events.push({ k: 'output', expr, at: t.offset });
      } else if (t.type === 'block_begin') {
        this.i++;
        this.statement();
        if (this.cur.type !== 'block_end') this.fail('expected the end of the statement');
        this.i++;
      } else {
        this.fail('unexpected token');
      }
    }
    return this.events;
  }

  statement(): void {
    const at = this.cur.offset;
    const tag = this.expectName();
    switch (tag) {
      case 'if':
      case 'elif':
        this.events.push({ k: 'control', tag, at });
        this.events.push({ k: 'eval', expr: this.expression(), at });
        return;
      case 'for': {
        this.events.push({ k: 'control', tag, at });
        const target = this.target(true);
        if (!this.isName('in')) this.fail("expected 'in'");
        this.i++;
        const iter = this.tuple(false, true);
        this.events.push({ k: 'loop', target, iter, at });
        if (this.isName('if')) {
          this.i++;
          this.events.push({ k: 'eval', expr: this.expression(), at });
        }
        if (this.isName('recursive')) this.i++;
        return;
      }
      case 'set': {
        const target = this.target(true);
        if (this.isOp('=')) {
          this.i++;
          this.events.push({ k: 'assign', target, value: this.tuple(true), at });
          return;
        }
        const filters: Expr[] = [];
        while (this.isOp('|')) filters.push(this.filterCall({ k: 'const', value: '', exact: true, at }));
        this.events.push({ k: 'capture', target, filters, at });
        this.openCaptures++;
        return;
      }
      case 'endset':
        if (this.openCaptures > 0) {
          this.openCaptures--;
          this.events.push({ k: 'capture-end', at });
        }
        return;
      case 'macro': {
        const name = this.expectName();
        this.events.push({ k: 'control', tag, at });
        this.events.push({ k: 'macro', name, params: this.signature(), at });
        return;
      }
      case 'call': {
        this.events.push({ k: 'control', tag, at });
        if (this.isOp('(')) this.signature();
        this.events.push({ k: 'eval', expr: this.expression(), at });
        return;
      }
      case 'filter': {
        this.events.push({ k: 'control', tag, at });
        const e = this.chain(() => {
          let f = this.filterCall({ k: 'const', value: '', exact: true, at }, false);
          while (this.isOp('|')) {
            this.deeper();
            f = this.filterCall(f);
          }
          return f;
        });
        this.events.push({ k: 'eval', expr: e, at });
        return;
      }
      case 'with':
        this.events.push({ k: 'control', tag, at });
        while (!this.atTagEnd()) {
          const target = this.target(false);
          this.expectOp('=');
          this.events.push({ k: 'assign', target, value: this.expression(), at });
          if (this.isOp(',')) this.i++;
          else break;
        }
        return;
      case 'include':
      case 'extends':
      case 'import':
      case 'from':
        this.loadStatement(tag, at);
        return;
      case 'do':
        this.events.push({ k: 'eval', expr: this.tuple(true), at });
        return;
      default:
        this.events.push({ k: 'control', tag, at });
        if (!CONTROL_TAGS.has(tag)) this.unknownTag(at);
        else while (!this.atTagEnd()) this.events.push({ k: 'eval', expr: this.expression(), at: this.cur.offset });
    }
  }

  /** Extension tags: evaluate whatever expressions they hold. */
  unknownTag(at: number): void {
    while (!this.atTagEnd()) {
      if (this.isOp(',') || this.isOp('=') || this.isOp(':')) {
        this.i++;
        continue;
      }
      this.events.push({ k: 'eval', expr: this.expression(), at });
    }
  }

  loadStatement(tag: string, at: number): void {
    const expr = this.expression();
    const names: string[] = [];
    if (tag === 'import') {
      if (this.isName('as')) {
        this.i++;
        names.push(this.expectName());
      }
    } else if (tag === 'from') {
      if (!this.isName('import')) this.fail("expected 'import'");
      this.i++;
      while (!this.atTagEnd()) {
        if (this.isName('with') || this.isName('without')) {
          this.i += 2;
          continue;
        }
        const n = this.expectName();
        if (this.isName('as')) {
          this.i++;
          names.push(this.expectName());
        } else names.push(n);
        if (this.isOp(',')) this.i++;
      }
    }
    while (this.isName('ignore') || this.isName('missing') || this.isName('with') || this.isName('without') || this.isName('context')) this.i++;
    this.events.push({ k: 'load', tag, expr, names, at });
  }

  signature(): Array<readonly [string, Expr | undefined]> {
    const params: Array<readonly [string, Expr | undefined]> = [];
    this.expectOp('(');
    while (!this.isOp(')')) {
      const name = this.expectName();
      let def: Expr | undefined;
      if (this.isOp('=')) {
        this.i++;
        def = this.expression();
      }
      params.push([name, def]);
      if (this.isOp(',')) this.i++;
      else if (!this.isOp(')')) this.fail("expected ',' or ')'");
    }
    this.i++;
    return params;
  }

  target(allowTuple: boolean): Target {
    const one = (): Target => {
      if (this.isOp('(')) {
        this.i++;
        const t = this.target(true);
        this.expectOp(')');
        return t;
      }
      const name = this.expectName();
      if (this.isOp('.')) {
        this.i++;
        return { k: 'attr', obj: name, name: this.expectName() };
      }
      return { k: 'name', name };
    };
    const first = one();
    if (!allowTuple || !this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.i++;
      if (this.isName('in') || this.isOp('=') || this.atTagEnd()) break;
      items.push(one());
    }
    return { k: 'tuple', items };
  }

  /** Comma-separated expressions form a tuple (in `{{ }}`, `set`, `for … in`). */
}
