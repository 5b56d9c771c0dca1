/**
 * Rules whose value cannot depend on the evaluation — no `input`, no clock or randomness, no
 * `print`, no `with`, and only such rules and functions below them — are computed once per
 * compiled policy and shared by every evaluation (e.g. a set built from a large data list).
 */
import type { ILit, ITerm } from './ir.ts';
import { bodyDeps, termDeps } from './recursion.ts';
import type { RuleTree, TreeNode } from './rule-tree.ts';

function termImpure(t: ITerm): boolean {
  switch (t.t) {
    case 'const':
    case 'var':
      return false;
    case 'ref':
      if (t.head === 'input') return true;
      return (t.head !== 'data' && termImpure(t.head)) || t.path.some(termImpure);
    case 'array':
    case 'set':
      return t.items.some(termImpure);
    case 'object':
      return t.keys.some(termImpure) || t.values.some(termImpure);
    case 'call':
      if (t.fn.kind === 'builtin' && t.fn.decl.nondeterministic === true) return true;
      if (t.fn.kind === 'intrinsic' && t.fn.name !== 'internal.member_2' && t.fn.name !== 'internal.member_3') return true;
      return t.args.some(termImpure);
    case 'compr':
      return (t.key !== null && termImpure(t.key)) || termImpure(t.value) || bodyImpure(t.body);
    case 'template':
      return t.parts.some((p) => typeof p !== 'string' && termImpure(p));
  }
}

function bodyImpure(body: readonly ILit[]): boolean {
  for (const l of body) {
    if (l.withs.length > 0) return true;
    const b = l.body;
    switch (b.k) {
      case 'term':
        if (termImpure(b.term)) return true;
        break;
      case 'call':
        if (termImpure({ t: 'call', fn: b.fn, args: b.args, loc: l.loc })) return true;
        if (b.out !== null && termImpure(b.out)) return true;
        break;
      case 'unify':
        if (termImpure(b.a) || termImpure(b.b)) return true;
        break;
      case 'somein':
        if ((b.key !== null && termImpure(b.key)) || termImpure(b.value) || termImpure(b.domain)) return true;
        break;
      case 'every':
        if (termImpure(b.domain) || bodyImpure(b.body)) return true;
        break;
      case 'logic':
        if (bodyImpure(b.left) || bodyImpure(b.right)) return true;
        break;
    }
  }
  return false;
}

/** Marks `shareable` on every node whose value (or, for functions, results) is evaluation-independent. */
export function markShareable(tree: RuleTree): void {
  const own = new Map<TreeNode, boolean>();
  const deps = new Map<TreeNode, Set<TreeNode>>();
  for (const r of tree.rules) {
    const n = r.node;
    let impure = own.get(n) ?? false;
    let d = deps.get(n);
    if (d === undefined) deps.set(n, (d = new Set()));
    for (const br of r.branches) {
      if (bodyImpure(br.body)) impure = true;
      for (const t of [br.value, br.key, ...br.suffix, ...(br.args ?? [])]) {
        if (t === null) continue;
        if (termImpure(t)) impure = true;
        termDeps(tree.root, t, d);
      }
      bodyDeps(tree.root, br.body, d);
    }
    own.set(n, impure);
  }
  // A node is shareable when it and everything it depends on is pure (dependency graphs are
  // acyclic here: recursion was rejected before).
  const memo = new Map<TreeNode, boolean>();
  const visit = (n: TreeNode, depth: number): boolean => {
    const known = memo.get(n);
    if (known !== undefined) return known;
    if (depth > 1000) return false;
    memo.set(n, false);
    let ok = own.get(n) === false;
    if (ok) for (const d of deps.get(n) ?? []) if (!visit(d, depth + 1)) ok = false;
    memo.set(n, ok);
    return ok;
  };
  for (const n of own.keys()) {
    n.shareable = (n.leafKind === 'complete' || n.leafKind === 'multi') && visit(n, 0);
  }
}
