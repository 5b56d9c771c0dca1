/**
 * Rule indexing: when many rules of one document are guarded by an equality test of the same
 * ground ref against constants (`input.ecosystem == "npm"`), the ref is evaluated once and only
 * the rules whose constant matches (plus the unguarded ones) are evaluated, in source order.
 */
import type { IConst, ILit, IRef, ITerm } from '../compile/ir.ts';
import type { RuleDef, TreeNode } from '../compile/rule-tree.ts';
import { BUILTINS } from '../builtins/index.ts';
import { FrameLayout } from '../compile/scope.ts';
import { canonicalKey, type Value } from '../value.ts';
import type { TermPlanner } from './plan-terms.ts';
import { type Ctx, type Ev, Frame } from './runtime.ts';

export interface RuleIndex {
  readonly ev: Ev;
  readonly lists: ReadonlyMap<unknown, readonly RuleDef[]>;
  readonly fallback: readonly RuleDef[];
}

/** Rules are worth indexing from this many guarded rules on the same ref. */
const MIN_INDEXED = 4;

function key(v: Value): unknown {
  return v === null || typeof v !== 'object' ? v : `\u0000${canonicalKey(v)}`;
}

function groundRef(t: ITerm): t is IRef {
  return t.t === 'ref' && (t.head === 'input' || t.head === 'data') && t.path.every((p) => p.t === 'const');
}

function refText(r: IRef): string {
  return `${r.head as string}${r.path.map((p) => `[${canonicalKey((p as IConst).v)}]`).join('')}`;
}

/** The `ref == const` guard of a rule, if its body has one. */
function guard(r: RuleDef): { ref: IRef; value: Value } | null {
  if (r.branches.length !== 1) return null;
  for (const l of (r.branches[0] as { body: readonly ILit[] }).body) {
    if (l.negated || l.withs.length > 0) continue;
    const b = l.body;
    let a: ITerm;
    let c: ITerm;
    if (b.k === 'unify') {
      a = b.a;
      c = b.b;
    } else if (b.k === 'call' && b.out === null && b.fn.kind === 'builtin' && b.fn.name === 'equal' && b.fn.decl === BUILTINS.get('equal')) {
      a = b.args[0] as ITerm;
      c = b.args[1] as ITerm;
    } else continue;
    if (groundRef(a) && c.t === 'const') return { ref: a, value: c.v };
    if (groundRef(c) && a.t === 'const') return { ref: c, value: a.v };
  }
  return null;
}

export function buildRuleIndex(p: TermPlanner, node: TreeNode): RuleIndex | null {
  const rules = node.leafRules;
  if (rules.length < MIN_INDEXED || node.leafKind === 'function') return null;
  const guards = rules.map(guard);
  // Index on the ref most rules test.
  const counts = new Map<string, { ref: IRef; n: number }>();
  for (const g of guards) {
    if (g === null) continue;
    const t = refText(g.ref);
    const c = counts.get(t);
    if (c === undefined) counts.set(t, { ref: g.ref, n: 1 });
    else c.n++;
  }
  let best: { ref: IRef; n: number } | null = null;
  for (const c of counts.values()) if (best === null || c.n > best.n) best = c;
  if (best === null || best.n < MIN_INDEXED) return null;
  const text = refText(best.ref);
  const byKey = new Map<unknown, number[]>();
  const unguarded: number[] = [];
  guards.forEach((g, i) => {
    if (g === null || refText(g.ref) !== text) {
      unguarded.push(i);
      return;
    }
    const k = key(g.value);
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [i]);
    else list.push(i);
  });
  const lists = new Map<unknown, readonly RuleDef[]>();
  for (const [k, idx] of byKey) {
    lists.set(k, [...idx, ...unguarded].sort((a, b) => a - b).map((i) => rules[i] as RuleDef));
  }
  const fallback = unguarded.map((i) => rules[i] as RuleDef);
  const ev = p.ev(best.ref, new Set(), { layout: new FrameLayout(), naux: 0 });
  return { ev, lists, fallback };
}

/** The rules of an indexed node that can produce a value in this context. */
export function candidateRules(ctx: Ctx, idx: RuleIndex): readonly RuleDef[] {
  const v = idx.ev(new Frame(0, 0, ctx));
  if (v === undefined) return idx.fallback;
  return idx.lists.get(key(v)) ?? idx.fallback;
}
