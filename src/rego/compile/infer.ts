/**
 * A light version of OPA's type inference, enough to reject what OPA's checker certainly
 * rejects: `=` / `==` between terms whose types can never overlap ("match error"), e.g. a rule
 * whose value is always an object compared with a number. Types are sets of kinds; anything
 * unknown (input, function results, deep refs) is `any`, so the check never rejects a policy
 * OPA would accept.
 */
import type { TypeSpec } from '../builtins/types.ts';
import { typeName, type TypeName, type Value } from '../value.ts';
import type { Loc } from '../syntax/ast.ts';
import type { Callee, ILit, ITerm } from './ir.ts';
import { matches, specText } from './typecheck.ts';
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
    for (const r of this.tree.rules) {
      for (const br of r.branches) {
        const env: Env = new Map();
        this.body(br.body, env);
        for (const t of [br.value, br.key, ...br.suffix, ...(br.args ?? [])]) if (t !== null) this.visit(t, env, true, false);
      }
    }
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

  /** OPA's "invalid argument(s)": an argument whose possible types the builtin never accepts. */
  private checkCall(fn: Callee, args: readonly ITerm[], env: Env, loc: Loc, report: boolean): void {
    if (!report || fn.kind !== 'builtin') return;
    const specs = fn.decl.args;
    const kinds = args.slice(0, specs.length).map((a) => this.type(a, env));
    let bad = false;
    specs.forEach((spec, i) => {
      const a = args[i];
      if (a === undefined) return;
      if (a.t === 'const' ? !matches(spec, a.v) : ((kinds[i] as Kinds) & kindsOfSpec(spec)) === 0) bad = true;
    });
    if (!bad) return;
    this.errors.push(
      new CompileFailure(
        'rego_type_error',
        `${fn.name}: invalid argument(s)\n\thave: (${kinds.map(kindsText).join(', ')})\n\twant: (${specs.map(specText).join(', ')})`,
        loc,
      ),
    );
  }

  private body(body: readonly ILit[], env: Env, report = true): void {
    for (const l of body) {
      const b = l.body;
      if (b.k === 'call') {
        if (l.withs.length === 0) this.checkCall(b.fn, b.args, env, l.loc, report);
        if (b.out !== null && b.out.t === 'var' && !env.has(b.out.slot) && b.fn.kind === 'builtin') {
          env.set(b.out.slot, kindsOfSpec(b.fn.decl.result));
        }
      }
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

  /** Checks the calls and closures inside a term. */
  private visit(t: ITerm, env: Env, report: boolean, underWith: boolean): void {
    switch (t.t) {
      case 'compr':
        this.body(t.body, new Map(env), report);
        return;
      case 'template':
        for (const p of t.parts) if (typeof p !== 'string') this.body(p.body, new Map(env), report);
        return;
      case 'ref':
        if (t.head !== 'data' && t.head !== 'input') this.visit(t.head, env, report, underWith);
        for (const p of t.path) this.visit(p, env, report, underWith);
        return;
      case 'array':
      case 'set':
        for (const x of t.items) this.visit(x, env, report, underWith);
        return;
      case 'object':
        for (const x of t.keys) this.visit(x, env, report, underWith);
        for (const x of t.values) this.visit(x, env, report, underWith);
        return;
      case 'call':
        for (const x of t.args) this.visit(x, env, report, underWith);
        if (!underWith) this.checkCall(t.fn, t.args, env, t.loc, report);
        return;
      default:
        return;
    }
  }

  private closures(l: ILit, env: Env, report: boolean): void {
    const w = l.withs.length > 0;
    const b = l.body;
    switch (b.k) {
      case 'term':
        this.visit(b.term, env, report, w);
        return;
      case 'unify':
        this.visit(b.a, env, report, w);
        this.visit(b.b, env, report, w);
        return;
      case 'call':
        for (const a of b.args) this.visit(a, env, report, w);
        return;
      case 'somein':
        this.visit(b.domain, env, report, w);
        return;
      case 'every':
        this.visit(b.domain, env, report, w);
        return;
      default:
        return;
    }
  }
}
