/**
 * The compiler's intermediate representation: the AST after name resolution. Local variables
 * are frame slots, rule names and imports are resolved to `data`/`input` refs, calls to their
 * targets. Safety ordering and planning work on this form.
 */
import type { BuiltinDecl } from '../builtins/types.ts';
import type { Loc } from '../syntax/ast.ts';
import type { Value } from '../value.ts';
import type { TreeNode } from './rule-tree.ts';

export interface IConst {
  readonly t: 'const';
  readonly v: Value;
  readonly loc: Loc;
}

export interface IVar {
  readonly t: 'var';
  readonly slot: number;
  /** Source name (`x`), or a generated name (`$0` for `_`, `__t3` for temporaries). */
  readonly name: string;
  readonly loc: Loc;
}

export type IRefHead = 'data' | 'input' | ITerm;

export interface IRef {
  readonly t: 'ref';
  readonly head: IRefHead;
  readonly path: readonly ITerm[];
  readonly loc: Loc;
}

export interface IArray {
  readonly t: 'array';
  readonly items: readonly ITerm[];
  readonly loc: Loc;
}

export interface ISet {
  readonly t: 'set';
  readonly items: readonly ITerm[];
  readonly loc: Loc;
}

export interface IObject {
  readonly t: 'object';
  readonly keys: readonly ITerm[];
  readonly values: readonly ITerm[];
  readonly loc: Loc;
}

export interface ICompr {
  readonly t: 'compr';
  readonly kind: 'array' | 'set' | 'object';
  /** Object comprehensions only. */
  readonly key: ITerm | null;
  readonly value: ITerm;
  readonly body: readonly ILit[];
  readonly loc: Loc;
}

export interface ICall {
  readonly t: 'call';
  readonly fn: Callee;
  readonly args: readonly ITerm[];
  readonly loc: Loc;
}

/** A template string; each expression part is a set comprehension of its values. */
export interface ITemplate {
  readonly t: 'template';
  readonly parts: readonly (string | ICompr)[];
  readonly loc: Loc;
}

export type ITerm = IConst | IVar | IRef | IArray | ISet | IObject | ICompr | ICall | ITemplate;

/** Evaluator-provided builtins that need evaluator state. */
export const INTRINSICS: ReadonlySet<string> = new Set([
  'print',
  'internal.print',
  'internal.member_2',
  'internal.member_3',
  'trace',
  'opa.runtime',
  'rego.metadata.chain',
  'rego.metadata.rule',
]);

export type Callee =
  | { readonly kind: 'builtin'; readonly name: string; readonly decl: BuiltinDecl }
  | { readonly kind: 'intrinsic'; readonly name: string; readonly arity: number }
  | { readonly kind: 'func'; readonly name: string; readonly node: TreeNode; readonly arity: number };

export interface ITermLit {
  readonly k: 'term';
  readonly term: ITerm;
}

/** A call as a whole expression: `f(a)` (truthiness) or `f(a, out)` (out unified with the result). */
export interface ICallLit {
  readonly k: 'call';
  readonly fn: Callee;
  readonly args: readonly ITerm[];
  readonly out: ITerm | null;
}

export interface IUnifyLit {
  readonly k: 'unify';
  readonly a: ITerm;
  readonly b: ITerm;
}

export interface ISomeInLit {
  readonly k: 'somein';
  readonly key: ITerm | null;
  readonly value: ITerm;
  readonly domain: ITerm;
}

export interface IEveryLit {
  readonly k: 'every';
  readonly key: IVar | null;
  readonly value: IVar;
  readonly domain: ITerm;
  readonly body: readonly ILit[];
}

export interface ILogicLit {
  readonly k: 'logic';
  readonly op: 'and' | 'or';
  readonly left: readonly ILit[];
  readonly right: readonly ILit[];
}

export type ILitBody = ITermLit | ICallLit | IUnifyLit | ISomeInLit | IEveryLit | ILogicLit;

export type WithTarget =
  | { readonly kind: 'input'; readonly path: readonly Value[] }
  | { readonly kind: 'data'; readonly path: readonly Value[] }
  | { readonly kind: 'builtin'; readonly name: string; readonly arity: number }
  | { readonly kind: 'func'; readonly name: string; readonly node: TreeNode; readonly arity: number };

export type WithValue = { readonly kind: 'term'; readonly term: ITerm } | { readonly kind: 'callee'; readonly fn: Callee };

export interface IWith {
  readonly target: WithTarget;
  readonly value: WithValue;
  readonly loc: Loc;
}

export interface ILit {
  readonly body: ILitBody;
  readonly negated: boolean;
  readonly withs: readonly IWith[];
  readonly loc: Loc;
}

// ---- traversal helpers ------------------------------------------------------------------------

/** Calls f for each var slot in a term, not descending into closure bodies. */
export function termVars(t: ITerm, f: (v: IVar) => void, skipClosures = true): void {
  switch (t.t) {
    case 'const':
      return;
    case 'var':
      f(t);
      return;
    case 'ref':
      if (t.head !== 'data' && t.head !== 'input') termVars(t.head, f, skipClosures);
      for (const p of t.path) termVars(p, f, skipClosures);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) termVars(x, f, skipClosures);
      return;
    case 'object':
      for (const x of t.keys) termVars(x, f, skipClosures);
      for (const x of t.values) termVars(x, f, skipClosures);
      return;
    case 'call':
      for (const x of t.args) termVars(x, f, skipClosures);
      return;
    case 'compr':
      if (!skipClosures) {
        if (t.key !== null) termVars(t.key, f, false);
        termVars(t.value, f, false);
        for (const l of t.body) litVars(l, f, false);
      }
      return;
    case 'template':
      if (!skipClosures) for (const p of t.parts) if (typeof p !== 'string') termVars(p, f, false);
      return;
  }
}

/** Calls f for each var slot of a literal (not descending into closures unless asked). */
export function litVars(l: ILit, f: (v: IVar) => void, skipClosures = true): void {
  for (const w of l.withs) if (w.value.kind === 'term') termVars(w.value.term, f, skipClosures);
  const b = l.body;
  switch (b.k) {
    case 'term':
      termVars(b.term, f, skipClosures);
      return;
    case 'call':
      for (const a of b.args) termVars(a, f, skipClosures);
      if (b.out !== null) termVars(b.out, f, skipClosures);
      return;
    case 'unify':
      termVars(b.a, f, skipClosures);
      termVars(b.b, f, skipClosures);
      return;
    case 'somein':
      if (b.key !== null) termVars(b.key, f, skipClosures);
      termVars(b.value, f, skipClosures);
      termVars(b.domain, f, skipClosures);
      return;
    case 'every':
      termVars(b.domain, f, skipClosures);
      if (!skipClosures) {
        if (b.key !== null) f(b.key);
        f(b.value);
        for (const x of b.body) litVars(x, f, false);
      }
      return;
    case 'logic':
      if (!skipClosures) {
        for (const x of b.left) litVars(x, f, false);
        for (const x of b.right) litVars(x, f, false);
      }
      return;
  }
}

/** Calls f for each closure body directly inside a literal (comprehensions, every, logic operands). */
export function litClosures(l: ILit, f: (body: readonly ILit[], locals: readonly IVar[]) => void): void {
  const visitTerm = (t: ITerm): void => {
    switch (t.t) {
      case 'ref':
        if (t.head !== 'data' && t.head !== 'input') visitTerm(t.head);
        for (const p of t.path) visitTerm(p);
        return;
      case 'array':
      case 'set':
        for (const x of t.items) visitTerm(x);
        return;
      case 'object':
        for (const x of t.keys) visitTerm(x);
        for (const x of t.values) visitTerm(x);
        return;
      case 'call':
        for (const x of t.args) visitTerm(x);
        return;
      case 'compr':
        f(t.body, []);
        return;
      case 'template':
        for (const p of t.parts) if (typeof p !== 'string') f(p.body, []);
        return;
      default:
        return;
    }
  };
  for (const w of l.withs) if (w.value.kind === 'term') visitTerm(w.value.term);
  const b = l.body;
  switch (b.k) {
    case 'term':
      visitTerm(b.term);
      return;
    case 'call':
      for (const a of b.args) visitTerm(a);
      if (b.out !== null) visitTerm(b.out);
      return;
    case 'unify':
      visitTerm(b.a);
      visitTerm(b.b);
      return;
    case 'somein':
      if (b.key !== null) visitTerm(b.key);
      visitTerm(b.value);
      visitTerm(b.domain);
      return;
    case 'every':
      visitTerm(b.domain);
      f(b.body, b.key === null ? [b.value] : [b.key, b.value]);
      return;
    case 'logic':
      f(b.left, []);
      f(b.right, []);
      return;
  }
}
