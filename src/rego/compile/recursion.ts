/**
 * Recursion detection: rules may not depend on themselves, directly or through other rules,
 * functions, or refs that cover them (`data.pkg` depends on every rule in `pkg`).
 */
import type { ILit, ITerm, IWith } from './ir.ts';
import type { RuleTree, TreeNode } from './rule-tree.ts';
import { CompileFailure } from './scope.ts';

function ruleNodesUnder(n: TreeNode, out: Set<TreeNode>): void {
  if (n.leafKind !== null) {
    if (n.leafKind !== 'function') out.add(n);
    return;
  }
  if (n.dynamicRules.length > 0) out.add(n);
  for (const c of n.children.values()) if (c.hasRules) ruleNodesUnder(c, out);
}

/**
 * Rules a `data` ref may read. Variable positions match every child (as OPA's dynamic rule
 * lookup does); a ref ending above rules reads all of them.
 */
function dataDeps(n: TreeNode, path: readonly ITerm[], i: number, out: Set<TreeNode>): void {
  if (n.leafKind !== null) {
    if (n.leafKind !== 'function') out.add(n);
    return;
  }
  if (!n.hasRules) return;
  if (n.dynamicRules.length > 0) out.add(n);
  if (i === path.length) {
    ruleNodesUnder(n, out);
    return;
  }
  const t = path[i] as ITerm;
  if (t.t === 'const' && (t.v === null || typeof t.v !== 'object')) {
    const c = n.children.get(t.v);
    if (c !== undefined) dataDeps(c, path, i + 1, out);
    return;
  }
  for (const c of n.children.values()) dataDeps(c, path, i + 1, out);
}

export function termDeps(root: TreeNode, t: ITerm, out: Set<TreeNode>): void {
  switch (t.t) {
    case 'ref':
      if (t.head === 'data') dataDeps(root, t.path, 0, out);
      else if (t.head !== 'input') termDeps(root, t.head, out);
      for (const p of t.path) termDeps(root, p, out);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) termDeps(root, x, out);
      return;
    case 'object':
      for (const x of t.keys) termDeps(root, x, out);
      for (const x of t.values) termDeps(root, x, out);
      return;
    case 'call':
      if (t.fn.kind === 'func') out.add(t.fn.node);
      for (const x of t.args) termDeps(root, x, out);
      return;
    case 'compr':
      if (t.key !== null) termDeps(root, t.key, out);
      termDeps(root, t.value, out);
      bodyDeps(root, t.body, out);
      return;
    case 'template':
      for (const p of t.parts) if (typeof p !== 'string') termDeps(root, p, out);
      return;
    default:
      return;
  }
}

function withDeps(root: TreeNode, w: IWith, out: Set<TreeNode>): void {
  if (w.value.kind === 'term') termDeps(root, w.value.term, out);
  else if (w.value.fn.kind === 'func') out.add(w.value.fn.node);
}

export function bodyDeps(root: TreeNode, body: readonly ILit[], out: Set<TreeNode>): void {
  for (const l of body) {
    for (const w of l.withs) withDeps(root, w, out);
    const b = l.body;
    switch (b.k) {
      case 'term':
        termDeps(root, b.term, out);
        break;
      case 'call':
        if (b.fn.kind === 'func') out.add(b.fn.node);
        for (const a of b.args) termDeps(root, a, out);
        if (b.out !== null) termDeps(root, b.out, out);
        break;
      case 'unify':
        termDeps(root, b.a, out);
        termDeps(root, b.b, out);
        break;
      case 'somein':
        if (b.key !== null) termDeps(root, b.key, out);
        termDeps(root, b.value, out);
        termDeps(root, b.domain, out);
        break;
      case 'every':
        termDeps(root, b.domain, out);
        bodyDeps(root, b.body, out);
        break;
      case 'logic':
        bodyDeps(root, b.left, out);
        bodyDeps(root, b.right, out);
        break;
    }
  }
}

/** Throws `rego_recursion_error` failures for every cycle found. */
export function checkRecursion(tree: RuleTree): CompileFailure[] {
  const edges = new Map<TreeNode, Set<TreeNode>>();
  for (const r of tree.rules) {
    let deps = edges.get(r.node);
    if (deps === undefined) edges.set(r.node, (deps = new Set()));
    for (const br of r.branches) {
      bodyDeps(tree.root, br.body, deps);
      for (const t of [...br.suffix, ...(br.args ?? [])]) termDeps(tree.root, t, deps);
      if (br.key !== null) termDeps(tree.root, br.key, deps);
      if (br.value !== null) termDeps(tree.root, br.value, deps);
    }
  }
  const state = new Map<TreeNode, 1 | 2>();
  const stack: TreeNode[] = [];
  const errors: CompileFailure[] = [];
  const reported = new Set<TreeNode>();
  const visit = (n: TreeNode): void => {
    state.set(n, 1);
    stack.push(n);
    for (const d of edges.get(n) ?? []) {
      const s = state.get(d);
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(d));
        if (!reported.has(d)) {
          reported.add(d);
          const first = d.leafRules[0] ?? d.dynamicRules[0] ?? d.defaultRule;
          const names = [...cycle, d].map((x) => x.pathText).join(' -> ');
          const loc = first === undefined || first === null ? null : first.rule.loc;
          if (loc !== null) errors.push(new CompileFailure('rego_recursion_error', `rule ${d.pathText} is recursive: ${names}`, loc));
        }
      } else if (s === undefined) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of edges.keys()) if (!state.has(n)) visit(n);
  return errors;
}
