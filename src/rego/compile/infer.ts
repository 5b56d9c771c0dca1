/**
 * A light version of OPA's type inference, enough to reject what OPA's checker certainly
 * rejects: `=` / `==` between terms whose types can never overlap ("match error"), e.g. a rule
 * whose value is always an object compared with a number. Types are sets of kinds; anything
 * unknown (input, function results, deep refs) is `any`, so the check never rejects a policy
 * OPA would accept.
 */
import type { TypeSpec } from '../builtins/types.ts';
import { typeName, type TypeName, type Value } from '../value.ts';
import type { ILit, ITerm } from './ir.ts';
import type { RuleTree, TreeNode } from './rule-tree.ts';
import { CompileFailure } from './scope.ts';

type Kinds = number;

const KIND: Readonly<Record<TypeName, Kinds>> = { null: 1, boolean: 2, number: 4, string: 8, array: 16, object: 32, set: 64 };
const ANY: Kinds = 127;

function kindsOfSpec(t: TypeSpec): Kinds {
  if (typeof t === 'string') return t === 'any' ? ANY : KIND[t];
  if ('anyOf' in t) return t.anyOf.reduce((k, s) => k | kindsOfSpec(s), 0);
  if ('arrayOf' in t) return KIND.array;
  if ('setOf' in t) return KIND.set;
  return KIND.object;
}

function kindsText(k: Kinds): string {
  if (k === ANY) return 'any';
  const names = (Object.keys(KIND) as TypeName[]).filter((n) => (k & KIND[n]) !== 0);
  return names.length === 1 ? (names[0] as string) : `any<${names.join(', ')}>`;
}

type Env = Map<number, Kinds>;

export class TypeInference {
  private readonly tree: RuleTree;
  private readonly nodeKinds = new Map<TreeNode, Kinds>();
  private readonly busy = new Set<TreeNode>();
  readonly errors: CompileFailure[] = [];

  constructor(tree: RuleTree) {
    this.tree = tree;
  }

  /** Checks every rule; returns the failures found. */
  run(): CompileFailure[] {
    for (const r of this.tree.rules) for (const br of r.branches) this.body(br.body, new Map());
    return this.errors;
  }

  private nodeType(n: TreeNode): Kinds {
    const known = this.nodeKinds.get(n);
    if (known !== undefined) return known;
    if (this.busy.has(n)) return ANY;
    this.busy.add(n);
    let k: Kinds;
    if (n.leafKind === 'multi') k = KIND.set;
    else if (n.leafKind === 'function') k = ANY;
    else if (n.leafKind === 'complete') {
      k = 0;
      const rules = [...n.leafRules, ...(n.defaultRule === null ? [] : [n.defaultRule])];
      for (const r of rules) {
        for (const br of r.branches) {
          const env: Env = new Map();
          this.body(br.body, env, false);
          k |= br.value === null ? ANY : this.type(br.value, env);
        }
      }
      if (k === 0) k = ANY;
    } else k = KIND.object;
    this.busy.delete(n);
    this.nodeKinds.set(n, k);
    return k;
  }

  private dataType(path: readonly ITerm[]): Kinds {
    let n = this.tree.root;
    for (const t of path) {
      if (n.leafKind !== null || n.dynamicRules.length > 0) return ANY;
      if (t.t !== 'const' || (t.v !== null && typeof t.v === 'object')) return ANY;
      const c = n.children.get(t.v);
      if (c === undefined || !c.hasRules) return ANY;
      n = c;
    }
    if (n.base !== undefined) return ANY;
    return this.nodeType(n);
  }

  type(t: ITerm, env: Env): Kinds {
    switch (t.t) {
      case 'const':
        return KIND[typeName(t.v as Value)];
      case 'var':
        return env.get(t.slot) ?? ANY;
      case 'array':
        return KIND.array;
      case 'set':
        return KIND.set;
      case 'object':
        return KIND.object;
      case 'compr':
        return KIND[t.kind];
      case 'template':
        return KIND.string;
      case 'call':
        if (t.fn.kind === 'builtin') return kindsOfSpec(t.fn.decl.result);
        return ANY;
      case 'ref':
        return t.head === 'data' ? this.dataType(t.path) : ANY;
    }
  }

  private body(body: readonly ILit[], env: Env, report = true): void {
    for (const l of body) {
      const b = l.body;
      if (b.k === 'every') this.body(b.body, new Map(env), report);
      if (b.k === 'logic') {
        this.body(b.left, new Map(env), report);
        this.body(b.right, new Map(env), report);
      }
      this.closures(l, env, report);
      if (l.withs.length > 0 || l.negated) continue;
      let left: ITerm | null = null;
      let right: ITerm | null = null;
      if (b.k === 'unify') {
        left = b.a;
        right = b.b;
      } else if (b.k === 'call' && b.out === null && b.fn.kind === 'builtin' && b.fn.name === 'equal' && b.args.length === 2) {
        left = b.args[0] as ITerm;
        right = b.args[1] as ITerm;
      }
      if (left === null || right === null) continue;
      const lk = this.type(left, env);
      const rk = this.type(right, env);
      if (report && (lk & rk) === 0) {
        this.errors.push(new CompileFailure('rego_type_error', `match error\n\tleft  : ${kindsText(lk)}\n\tright : ${kindsText(rk)}`, l.loc));
      }
      if (b.k === 'unify') {
        if (left.t === 'var' && !env.has(left.slot)) env.set(left.slot, rk);
        if (right.t === 'var' && !env.has(right.slot)) env.set(right.slot, lk);
      }
    }
  }

  private closures(l: ILit, env: Env, report: boolean): void {
    const visit = (t: ITerm): void => {
      switch (t.t) {
        case 'compr':
          this.body(t.body, new Map(env), report);
          return;
        case 'ref':
          if (t.head !== 'data' && t.head !== 'input') visit(t.head);
          t.path.forEach(visit);
          return;
        case 'array':
        case 'set':
          t.items.forEach(visit);
          return;
        case 'object':
          t.keys.forEach(visit);
          t.values.forEach(visit);
          return;
        case 'call':
          t.args.forEach(visit);
          return;
        default:
          return;
      }
    };
    const b = l.body;
    if (b.k === 'term') visit(b.term);
    else if (b.k === 'unify') {
      visit(b.a);
      visit(b.b);
    } else if (b.k === 'call') b.args.forEach(visit);
  }
}
