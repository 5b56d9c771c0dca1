/**
 * Jinja2 expressions over a token stream, with Jinja's operator precedence: conditional
 * expressions, `or`/`and`/`not`, comparisons, `+ -`, `~`, `* / // %`, `**`, unary signs, postfix
 * `.name` / `[…]` / `(…)`, filters `|f(…)` and tests `is [not] t`. Adjacent string literals
 * concatenate, as in Jinja. The statement parser (`parser.ts`) extends this class.
 */
import type { Args, Expr } from './ast.ts';
import { NO_ARGS } from './ast.ts';
import type { Token } from './lexer.ts';
import { TemplateSyntaxError } from './lexer.ts';

/**
 * Levels an expression's tree may have. Recursion in the parser counts one level, and so does
 * each operator of a chain (`a ~ b ~ c`, `x.a.b`, `x|f|g`), which the parser builds in a loop
 * but which nests as deep as it is long: the analysis walks the tree recursively.
 */
const MAX_EXPR_DEPTH = 200;
const COMPARE_OPS = new Set(['==', '!=', '<', '>', '<=', '>=']);

export class ExpressionParser {
  readonly toks: readonly Token[];
  i = 0;
  depth = 0;

  constructor(tokens: readonly Token[]) {
    this.toks = tokens;
  }

  get cur(): Token {
    return this.toks[this.i] ?? { type: 'eof', value: '', exact: true, offset: 0 };
  }
  peek(n = 1): Token {
    return this.toks[this.i + n] ?? { type: 'eof', value: '', exact: true, offset: 0 };
  }
  fail(msg: string): never {
    throw new TemplateSyntaxError(`${msg} (found ${this.cur.type} ${JSON.stringify(this.cur.value)})`, this.cur.offset);
  }
  isOp(v: string): boolean {
    return this.cur.type === 'operator' && this.cur.value === v;
  }
  isName(v?: string): boolean {
    return this.cur.type === 'name' && (v === undefined || this.cur.value === v);
  }
  expectOp(v: string): void {
    if (!this.isOp(v)) this.fail(`expected '${v}'`);
    this.i++;
  }
  expectName(): string {
    if (this.cur.type !== 'name') this.fail('expected a name');
    return this.toks[this.i++]?.value ?? '';
  }
  atTagEnd(): boolean {
    return this.cur.type === 'block_end' || this.cur.type === 'variable_end' || this.cur.type === 'eof';
  }

  tuple(withCond: boolean, stopAtIf = false): Expr {
    const at = this.cur.offset;
    const items: Expr[] = [];
    let comma = false;
    for (;;) {
      if (this.atTagEnd() || this.isOp(')') || (stopAtIf && (this.isName('if') || this.isName('recursive')))) break;
      items.push(stopAtIf ? this.expression(false) : this.expression(withCond));
      if (!this.isOp(',')) break;
      comma = true;
      this.i++;
    }
    if (!comma && items.length === 1 && items[0] !== undefined) return items[0];
    if (items.length === 0 && !comma) this.fail('expected an expression');
    return { k: 'seq', items, at };
  }

  /** One level deeper into the expression's tree (a recursion, or one more operator of a chain). */
  deeper(): void {
    if (++this.depth > MAX_EXPR_DEPTH) this.fail('expression nested too deeply');
  }

  /** Builds a chain of operators (each `deeper()` one more level), then goes back up to where it began. */
  chain(build: () => Expr): Expr {
    const depth = this.depth;
    try {
      return build();
    } finally {
      this.depth = depth;
    }
  }

  expression(withCond = true): Expr {
    this.deeper();
    try {
      let e = this.or();
      if (withCond && this.isName('if')) {
        const at = this.cur.offset;
        this.i++;
        const test = this.or();
        let otherwise: Expr | undefined;
        if (this.isName('else')) {
          this.i++;
          otherwise = this.expression();
        }
        e = { k: 'cond', test, then: e, otherwise, at };
      }
      return e;
    } finally {
      this.depth--;
    }
  }

  /**
   * A left-associative level: operands read by `operand`, joined by the operator `operatorHere`
   * finds at the cursor (null: none), each operator one level deeper (`chain`).
   */
  binary(operand: () => Expr, operatorHere: () => string | null): Expr {
    return this.chain(() => {
      let l = operand();
      for (let op = operatorHere(); op !== null; op = operatorHere()) {
        const at = this.cur.offset;
        this.deeper();
        this.i++;
        l = { k: 'binop', op, left: l, right: operand(), at };
      }
      return l;
    });
  }
  /** The operator at the cursor when it is one of `ops`. */
  operatorOf(ops: readonly string[]): string | null {
    return this.cur.type === 'operator' && ops.includes(this.cur.value) ? this.cur.value : null;
  }
  or(): Expr {
    return this.binary(() => this.and(), () => (this.isName('or') ? 'or' : null));
  }
  and(): Expr {
    return this.binary(() => this.not(), () => (this.isName('and') ? 'and' : null));
  }
  not(): Expr {
    if (this.isName('not')) {
      const at = this.cur.offset;
      this.i++;
      return this.chain(() => {
        this.deeper();
        return { k: 'unop', op: 'not', operand: this.not(), at };
      });
    }
    return this.compare();
  }
  compare(): Expr {
    return this.chain(() => {
      let l = this.math1();
      for (;;) {
        const at = this.cur.offset;
        if (this.cur.type === 'operator' && COMPARE_OPS.has(this.cur.value)) {
          const op = this.cur.value;
          this.deeper();
          this.i++;
          l = { k: 'binop', op, left: l, right: this.math1(), at };
        } else if (this.isName('in')) {
          this.deeper();
          this.i++;
          l = { k: 'binop', op: 'in', left: l, right: this.math1(), at };
        } else if (this.isName('not') && this.peek().type === 'name' && this.peek().value === 'in') {
          this.deeper();
          this.i += 2;
          l = { k: 'binop', op: 'not in', left: l, right: this.math1(), at };
        } else return l;
      }
    });
  }
  math1(): Expr {
    return this.binary(() => this.concat(), () => this.operatorOf(['+', '-']));
  }
  concat(): Expr {
    return this.binary(() => this.math2(), () => this.operatorOf(['~']));
  }
  math2(): Expr {
    return this.binary(() => this.pow(), () => this.operatorOf(['*', '/', '//', '%']));
  }
  pow(): Expr {
    return this.binary(() => this.unary(), () => this.operatorOf(['**']));
  }
  unary(withFilter = true): Expr {
    return this.chain(() => {
      const at = this.cur.offset;
      let e: Expr;
      if (this.isOp('-') || this.isOp('+')) {
        const op = this.cur.value;
        this.deeper();
        this.i++;
        e = { k: 'unop', op, operand: this.unary(false), at };
      } else {
        e = this.postfix(this.primary());
      }
      return withFilter ? this.filterExpr(e) : e;
    });
  }

  primary(): Expr {
    const t = this.cur;
    if (++this.depth > MAX_EXPR_DEPTH) this.fail('expression nested too deeply');
    try {
      if (t.type === 'name') {
        this.i++;
        switch (t.value) {
          case 'true':
          case 'True':
            return { k: 'const', value: true, exact: true, at: t.offset };
          case 'false':
          case 'False':
            return { k: 'const', value: false, exact: true, at: t.offset };
          case 'none':
          case 'None':
            return { k: 'const', value: null, exact: true, at: t.offset };
          default:
            return { k: 'name', name: t.value, at: t.offset };
        }
      }
      if (t.type === 'string') {
        let value = t.value;
        let exact = t.exact;
        this.i++;
        while (this.cur.type === 'string') {
          value += this.cur.value;
          exact &&= this.cur.exact;
          this.i++;
        }
        return { k: 'const', value, exact, at: t.offset };
      }
      if (t.type === 'number') {
        this.i++;
        return { k: 'const', value: parseNumber(t.value), exact: true, at: t.offset };
      }
      if (this.isOp('(')) {
        this.i++;
        if (this.isOp(')')) {
          this.i++;
          return { k: 'seq', items: [], at: t.offset };
        }
        const e = this.tuple(true);
        this.expectOp(')');
        return e;
      }
      if (this.isOp('[')) {
        this.i++;
        const items: Expr[] = [];
        while (!this.isOp(']')) {
          items.push(this.expression());
          if (this.isOp(',')) this.i++;
          else if (!this.isOp(']')) this.fail("expected ',' or ']'");
        }
        this.i++;
        return { k: 'seq', items, at: t.offset };
      }
      if (this.isOp('{')) {
        this.i++;
        const entries: Array<readonly [Expr, Expr]> = [];
        while (!this.isOp('}')) {
          const key = this.expression();
          this.expectOp(':');
          entries.push([key, this.expression()]);
          if (this.isOp(',')) this.i++;
          else if (!this.isOp('}')) this.fail("expected ',' or '}'");
        }
        this.i++;
        return { k: 'dict', entries, at: t.offset };
      }
      return this.fail('expected an expression');
    } finally {
      this.depth--;
    }
  }

  postfix(e: Expr): Expr {
    // Each step nests `e` one level deeper; the caller's chain() (unary, or a test's argument) goes back up.
    for (;;) {
      const at = this.cur.offset;
      if (this.isOp('.') || this.isOp('[') || this.isOp('(')) this.deeper();
      if (this.isOp('.')) {
        this.i++;
        const t = this.cur;
        if (t.type === 'name') {
          this.i++;
          e = { k: 'getattr', obj: e, name: t.value, at };
        } else if (t.type === 'number') {
          this.i++;
          e = { k: 'getitem', obj: e, key: { k: 'const', value: parseNumber(t.value), exact: true, at: t.offset }, at };
        } else this.fail('expected an attribute name');
      } else if (this.isOp('[')) {
        this.i++;
        const keys: Expr[] = [];
        while (!this.isOp(']')) {
          keys.push(this.subscript());
          if (this.isOp(',')) this.i++;
          else if (!this.isOp(']')) this.fail("expected ',' or ']'");
        }
        this.i++;
        const key: Expr = keys.length === 1 && keys[0] !== undefined ? keys[0] : { k: 'seq', items: keys, at };
        e = { k: 'getitem', obj: e, key, at };
      } else if (this.isOp('(')) {
        e = { k: 'call', fn: e, args: this.callArgs(), at };
      } else return e;
    }
  }

  subscript(): Expr {
    const at = this.cur.offset;
    const part = (): Expr | undefined => (this.isOp(':') || this.isOp(']') || this.isOp(',') ? undefined : this.expression());
    const start = part();
    if (!this.isOp(':')) {
      if (start === undefined) this.fail('expected a subscript');
      return start;
    }
    this.i++;
    const stop = part();
    let step: Expr | undefined;
    if (this.isOp(':')) {
      this.i++;
      step = part();
    }
    return { k: 'slice', start, stop, step, at };
  }

  callArgs(): Args {
    this.expectOp('(');
    const positional: Expr[] = [];
    const keywords: Array<readonly [string, Expr]> = [];
    const spread: Expr[] = [];
    while (!this.isOp(')')) {
      if (this.isOp('*') || this.isOp('**')) {
        this.i++;
        spread.push(this.expression());
      } else if (this.cur.type === 'name' && this.peek().type === 'operator' && this.peek().value === '=') {
        const key = this.cur.value;
        this.i += 2;
        keywords.push([key, this.expression()]);
      } else {
        positional.push(this.expression());
      }
      if (this.isOp(',')) this.i++;
      else if (!this.isOp(')')) this.fail("expected ',' or ')'");
    }
    this.i++;
    return { positional, keywords, spread };
  }

  filterExpr(e: Expr): Expr {
    // As postfix: each filter, test or call nests `e` one level deeper, undone by the caller's chain().
    for (;;) {
      if (this.isOp('|') || this.isName('is') || this.isOp('(')) this.deeper();
      if (this.isOp('|')) e = this.filterCall(e);
      else if (this.isName('is')) e = this.testCall(e);
      else if (this.isOp('(')) e = { k: 'call', fn: e, args: this.callArgs(), at: this.cur.offset };
      else return e;
    }
  }

  /** `| name[.name…][(args)]` applied to `obj`. */
  filterCall(obj: Expr, consumePipe = true): Expr {
    const at = this.cur.offset;
    if (consumePipe) this.expectOp('|');
    let name = this.expectName();
    while (this.isOp('.')) {
      this.i++;
      name += `.${this.expectName()}`;
    }
    const args = this.isOp('(') ? this.callArgs() : NO_ARGS;
    return { k: 'filter', obj, name, args, at };
  }

  testCall(obj: Expr): Expr {
    const at = this.cur.offset;
    this.i++; // is
    let negated = false;
    if (this.isName('not')) {
      negated = true;
      this.i++;
    }
    let name = this.expectName();
    while (this.isOp('.')) {
      this.i++;
      name += `.${this.expectName()}`;
    }
    let args: Args = NO_ARGS;
    if (this.isOp('(')) args = this.callArgs();
    else if (
      (this.cur.type === 'name' || this.cur.type === 'string' || this.cur.type === 'number' || this.isOp('[') || this.isOp('{')) &&
      !this.isName('else') && !this.isName('or') && !this.isName('and') && !this.isName('if') && !this.isName('in') && !this.isName('not') && !this.isName('is')
    ) {
      args = { positional: [this.postfix(this.primary())], keywords: [], spread: [] };
    }
    const test: Expr = { k: 'test', obj, name, args, at };
    return negated ? { k: 'unop', op: 'not', operand: test, at } : test;
  }
}

export function parseNumber(text: string): number {
  const t = text.replaceAll('_', '');
  if (/^0[bB]/.test(t)) return Number.parseInt(t.slice(2), 2);
  if (/^0[oO]/.test(t)) return Number.parseInt(t.slice(2), 8);
  if (/^0[xX]/.test(t)) return Number.parseInt(t.slice(2), 16);
  return Number(t);
}
