/**
 * The expression tree and the flat event list the template analysis works on. Statements are
 * not nested into a tree: the analysis is flow-insensitive (every assignment may reach every
 * use), so a linear list of events — outputs, assignments, loops, macro definitions, template
 * loads — carries everything it needs.
 */

export type Prim = string | number | boolean | null;

export type Expr =
  | { readonly k: 'name'; readonly name: string; readonly at: number }
  | { readonly k: 'const'; readonly value: Prim; readonly exact: boolean; readonly at: number }
  | { readonly k: 'seq'; readonly items: readonly Expr[]; readonly at: number }
  | { readonly k: 'dict'; readonly entries: ReadonlyArray<readonly [Expr, Expr]>; readonly at: number }
  | { readonly k: 'getattr'; readonly obj: Expr; readonly name: string; readonly at: number }
  | { readonly k: 'getitem'; readonly obj: Expr; readonly key: Expr; readonly at: number }
  | { readonly k: 'slice'; readonly start: Expr | undefined; readonly stop: Expr | undefined; readonly step: Expr | undefined; readonly at: number }
  | { readonly k: 'call'; readonly fn: Expr; readonly args: Args; readonly at: number }
  | { readonly k: 'filter'; readonly obj: Expr; readonly name: string; readonly args: Args; readonly at: number }
  | { readonly k: 'test'; readonly obj: Expr; readonly name: string; readonly args: Args; readonly at: number }
  | { readonly k: 'binop'; readonly op: string; readonly left: Expr; readonly right: Expr; readonly at: number }
  | { readonly k: 'unop'; readonly op: string; readonly operand: Expr; readonly at: number }
  | { readonly k: 'cond'; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr | undefined; readonly at: number };

export interface Args {
  readonly positional: readonly Expr[];
  readonly keywords: ReadonlyArray<readonly [string, Expr]>;
  /** `*args` / `**kwargs` expressions. */
  readonly spread: readonly Expr[];
}

export const NO_ARGS: Args = { positional: [], keywords: [], spread: [] };

/** Assignment target: a name, `ns.attr`, or a tuple of targets. */
export type Target =
  | { readonly k: 'name'; readonly name: string }
  | { readonly k: 'attr'; readonly obj: string; readonly name: string }
  | { readonly k: 'tuple'; readonly items: readonly Target[] };

export type Event =
  | { readonly k: 'data'; readonly text: string; readonly at: number }
  | { readonly k: 'output'; readonly expr: Expr; readonly at: number }
  /** Expressions evaluated for their effects or conditions (`if`, `do`, call blocks …). */
  | { readonly k: 'eval'; readonly expr: Expr; readonly at: number }
  | { readonly k: 'assign'; readonly target: Target; readonly value: Expr; readonly at: number }
  | { readonly k: 'loop'; readonly target: Target; readonly iter: Expr; readonly at: number }
  /** `{% set x %}…{% endset %}`: `end` closes it. Filters apply to the captured body. */
  | { readonly k: 'capture'; readonly target: Target; readonly filters: readonly Expr[]; readonly at: number }
  | { readonly k: 'capture-end'; readonly at: number }
  | { readonly k: 'macro'; readonly name: string; readonly params: ReadonlyArray<readonly [string, Expr | undefined]>; readonly at: number }
  /** `{% include %}`, `{% import %}`, `{% from … import %}`, `{% extends %}`. */
  | { readonly k: 'load'; readonly tag: string; readonly expr: Expr; readonly names: readonly string[]; readonly at: number }
  /** Control-flow tags that open or close a block (`if`, `for`, `endfor` …). */
  | { readonly k: 'control'; readonly tag: string; readonly at: number };
