/**
 * The Rego AST. Every node carries a source span (`loc`). Nodes are immutable; compiler passes
 * build new nodes instead of mutating.
 */
import type { RNumber } from '../number.ts';

export interface Loc {
  readonly file: string;
  /** 1-based line and column (column counted in code points). */
  readonly row: number;
  readonly col: number;
  /** UTF-16 offsets into the source: [offset, end). */
  readonly offset: number;
  readonly end: number;
}

export type Scalar = null | boolean | RNumber | string;

export interface ScalarTerm {
  readonly type: 'scalar';
  readonly value: Scalar;
  readonly loc: Loc;
}

export interface VarTerm {
  readonly type: 'var';
  readonly name: string;
  readonly loc: Loc;
}

/** `head.a[b]…`: `terms[0]` is the head (a var such as `data`/`input`/a local, a call or a composite). */
export interface RefTerm {
  readonly type: 'ref';
  readonly terms: readonly Term[];
  readonly loc: Loc;
}

export interface ArrayTerm {
  readonly type: 'array';
  readonly items: readonly Term[];
  readonly loc: Loc;
}

export interface SetTerm {
  readonly type: 'set';
  readonly items: readonly Term[];
  readonly loc: Loc;
}

export interface ObjectTerm {
  readonly type: 'object';
  readonly entries: readonly (readonly [Term, Term])[];
  readonly loc: Loc;
}

export interface ArrayComprehension {
  readonly type: 'arraycompr';
  readonly head: Term;
  readonly body: Body;
  readonly loc: Loc;
}

export interface SetComprehension {
  readonly type: 'setcompr';
  readonly head: Term;
  readonly body: Body;
  readonly loc: Loc;
}

export interface ObjectComprehension {
  readonly type: 'objectcompr';
  readonly key: Term;
  readonly value: Term;
  readonly body: Body;
  readonly loc: Loc;
}

/** A function or builtin call used as a term: `count(x)`, `a + b` (op `plus`). */
export interface CallTerm {
  readonly type: 'call';
  /** The operator: a var (`count`) or a ref (`strings.replace`, `data.pkg.f`). */
  readonly op: VarTerm | RefTerm;
  readonly args: readonly Term[];
  readonly loc: Loc;
}

/** `$"…{expr}…"`: literal chunks and embedded expressions. */
export interface TemplateTerm {
  readonly type: 'template';
  readonly parts: readonly (string | Expr)[];
  readonly loc: Loc;
}

export type Term =
  | ScalarTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | SetTerm
  | ObjectTerm
  | ArrayComprehension
  | SetComprehension
  | ObjectComprehension
  | CallTerm
  | TemplateTerm;

export interface With {
  readonly target: VarTerm | RefTerm;
  readonly value: Term;
  readonly loc: Loc;
}

interface ExprBase {
  readonly negated: boolean;
  readonly with: readonly With[];
  readonly loc: Loc;
}

export interface TermExpr extends ExprBase {
  readonly kind: 'term';
  readonly term: Term;
}

/** A call at the top of an expression, including `=` (`eq`), `:=` (`assign`) and infix operators. */
export interface CallExpr extends ExprBase {
  readonly kind: 'call';
  readonly op: VarTerm | RefTerm;
  readonly args: readonly Term[];
}

/** `some x, y` */
export interface SomeExpr extends ExprBase {
  readonly kind: 'some';
  readonly vars: readonly VarTerm[];
}

/** `some v in xs`, `some k, v in xs` */
export interface SomeInExpr extends ExprBase {
  readonly kind: 'somein';
  readonly key: Term | null;
  readonly value: Term;
  readonly domain: Term;
}

/** `every v in xs { … }`, `every k, v in xs { … }` */
export interface EveryExpr extends ExprBase {
  readonly kind: 'every';
  readonly key: VarTerm | null;
  readonly value: VarTerm;
  readonly domain: Term;
  readonly body: Body;
}

/** Experimental `a and b`, `a or b` between literals. */
export interface LogicExpr extends ExprBase {
  readonly kind: 'logic';
  readonly op: 'and' | 'or';
  readonly left: Body;
  readonly right: Body;
}

/** `not { … }`: a negated group of literals with its own scope. */
export interface GroupExpr extends ExprBase {
  readonly kind: 'group';
  readonly body: Body;
}

export type Expr = TermExpr | CallExpr | SomeExpr | SomeInExpr | EveryExpr | LogicExpr | GroupExpr;

export type Body = readonly Expr[];

export interface RuleHead {
  /** `p`, `p.q[r]`, `a.b.f`: the first term is a var, the rest are path terms. */
  readonly ref: readonly Term[];
  /** Function arguments, or null for non-functions. */
  readonly args: readonly Term[] | null;
  /** The element of a multi-value (`contains`) rule. */
  readonly key: Term | null;
  /** The value of a single-value rule or function (`true` when not written). */
  readonly value: Term | null;
  readonly assign: boolean;
  readonly loc: Loc;
}

export interface Rule {
  readonly default: boolean;
  readonly head: RuleHead;
  readonly body: Body;
  readonly else: Rule | null;
  readonly loc: Loc;
  /** Comments directly above the rule (for METADATA annotations). */
  readonly annotations: Annotation | null;
}

export interface Annotation {
  readonly scope: string;
  readonly value: unknown;
  readonly loc: Loc;
}

export interface Import {
  /** `data.x.y`, `input.x`, `future.keywords.in`, `rego.v1`. */
  readonly path: RefTerm;
  readonly alias: string | null;
  readonly loc: Loc;
}

export interface Package {
  /** Path below `data`: `package a.b` → `["a", "b"]`. */
  readonly path: readonly string[];
  readonly loc: Loc;
  readonly annotations: Annotation | null;
}

export interface Module {
  readonly file: string;
  readonly source: string;
  readonly package: Package;
  readonly imports: readonly Import[];
  readonly rules: readonly Rule[];
}

export type RuleKind = 'single' | 'multi' | 'function';

export function ruleKind(r: Rule): RuleKind {
  if (r.head.args !== null) return 'function';
  if (r.head.key !== null) return 'multi';
  return 'single';
}

/** Builds the op ref of a dotted builtin name (`internal.member_2`). */
export function opRef(name: string, loc: Loc): VarTerm | RefTerm {
  const parts = name.split('.');
  const head: VarTerm = { type: 'var', name: parts[0] as string, loc };
  if (parts.length === 1) return head;
  return {
    type: 'ref',
    terms: [head, ...parts.slice(1).map((p): ScalarTerm => ({ type: 'scalar', value: p, loc }))],
    loc,
  };
}

/** The dotted name of a call operator, or null when it is not a plain name (`data.pkg.f` → `data.pkg.f`). */
export function opName(op: VarTerm | RefTerm): string | null {
  if (op.type === 'var') return op.name;
  const head = op.terms[0];
  if (head === undefined || head.type !== 'var') return null;
  let out = head.name;
  for (let i = 1; i < op.terms.length; i++) {
    const t = op.terms[i] as Term;
    if (t.type !== 'scalar' || typeof t.value !== 'string') return null;
    out += `.${t.value}`;
  }
  return out;
}
