/**
 * The rule tree: every rule mounted at the ground prefix of its path under `data`.
 *
 *   package a            p := 1          →  node a.p, leaf rule (complete)
 *                        s contains x    →  node a.s, leaf rule (multi)
 *                        f(x) := y       →  node a.f, leaf rule (function)
 *                        q[k].r := v     →  node a.q, dynamic rule with suffix [k, "r"]
 *
 * Nodes carry the base document found at their path, so lookups never re-walk `data`.
 */
import type { Module, Rule } from '../syntax/ast.ts';
import { RObject, type Value } from '../value.ts';
import type { ILit, ITerm } from './ir.ts';
import type { FrameLayout } from './scope.ts';

export type LeafKind = 'complete' | 'multi' | 'function';

export interface RuleDef {
  readonly id: number;
  readonly rule: Rule;
  readonly module: Module;
  readonly node: TreeNode;
  /** 'dynamic' rules have variables in their path below `node`. */
  readonly kind: LeafKind | 'dynamic';
  /** For dynamic rules: true when the leaf is a set element (`contains`). */
  readonly multi: boolean;
  /** Full path from `data` as text, for messages: `data.a.q[k].r`. */
  readonly pathText: string;
  /** Resolved body/head IR of the rule and each `else` branch, filled in by the resolver. */
  branches: RuleBranchIR[];
  /** Planner output. */
  plan: unknown;
}

export interface RuleBranchIR {
  /** Function parameters (patterns) or null. */
  readonly args: readonly ITerm[] | null;
  /** Dynamic rules: the path terms below the node. */
  readonly suffix: readonly ITerm[];
  /** Multi-value element. */
  readonly key: ITerm | null;
  readonly value: ITerm | null;
  readonly body: readonly ILit[];
  readonly layout: FrameLayout;
  readonly rule: Rule;
}

type PrimKey = null | boolean | number | string;

export class TreeNode {
  readonly id: number;
  readonly key: PrimKey;
  readonly path: readonly PrimKey[];
  readonly parent: TreeNode | null;
  readonly children = new Map<PrimKey, TreeNode>();
  leafKind: LeafKind | null = null;
  readonly leafRules: RuleDef[] = [];
  readonly dynamicRules: RuleDef[] = [];
  defaultRule: RuleDef | null = null;
  /** Base document at this path (undefined when absent). */
  base: Value | undefined = undefined;
  /** True when this node or any descendant holds rules. */
  hasRules = false;
  /** Function arity (leafKind 'function'). */
  arity = -1;
  /** Every branch of every leaf rule yields the same constant: evaluation may stop at the first. */
  sameConst = false;
  /** The value cannot depend on the evaluation (compile/shareable.ts): computed once, shared. */
  shareable = false;
  /** Shared values of a shareable node: [non-strict, strict] (eval/rules.ts). */
  readonly shared: unknown[] = [undefined, undefined];
  /** Rule index (eval/rule-index.ts), when the node's rules are worth indexing. */
  ruleIndex: unknown = null;
  /** The node's value when it is a constant (a single unconditional rule with a constant value). */
  constValue: Value | undefined = undefined;

  constructor(id: number, key: PrimKey, parent: TreeNode | null) {
    this.id = id;
    this.key = key;
    this.parent = parent;
    this.path = parent === null ? [] : [...parent.path, key];
  }

  get pathText(): string {
    return pathText(this.path);
  }

  /** True when the value of the node is computed by rules at this node (not only below it). */
  get isLeaf(): boolean {
    return this.leafKind !== null;
  }
}

export function pathText(path: readonly PrimKey[]): string {
  let out = 'data';
  for (const k of path) {
    if (typeof k === 'string' && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) out += `.${k}`;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

export class RuleTree {
  readonly root: TreeNode;
  readonly nodes: TreeNode[] = [];
  readonly rules: RuleDef[] = [];

  constructor(base: Value) {
    this.root = new TreeNode(0, null, null);
    this.nodes.push(this.root);
    this.root.base = base;
  }

  /** The node at `path`, creating it (and the base document view) when missing. */
  ensure(path: readonly PrimKey[]): TreeNode {
    let n = this.root;
    for (const k of path) {
      let c = n.children.get(k);
      if (c === undefined) {
        c = new TreeNode(this.nodes.length, k, n);
        c.base = lookupBase(n.base, k);
        this.nodes.push(c);
        n.children.set(k, c);
      }
      n = c;
    }
    return n;
  }

  find(path: readonly PrimKey[]): TreeNode | null {
    let n: TreeNode | undefined = this.root;
    for (const k of path) {
      n = n.children.get(k);
      if (n === undefined) return null;
    }
    return n;
  }

  addRule(def: Omit<RuleDef, 'id' | 'branches' | 'plan'>): RuleDef {
    const full: RuleDef = { ...def, id: this.rules.length, branches: [], plan: null };
    this.rules.push(full);
    for (let n: TreeNode | null = def.node; n !== null; n = n.parent) n.hasRules = true;
    return full;
  }

  /** Marks a node (a package) as part of the virtual document tree. */
  markDocument(node: TreeNode): void {
    for (let n: TreeNode | null = node; n !== null; n = n.parent) n.hasRules = true;
  }

  /** Every rule in the subtree at `node` (including dynamic and default rules). */
  rulesUnder(node: TreeNode, out: RuleDef[] = []): RuleDef[] {
    out.push(...node.leafRules, ...node.dynamicRules);
    if (node.defaultRule !== null) out.push(node.defaultRule);
    for (const c of node.children.values()) if (c.hasRules) this.rulesUnder(c, out);
    return out;
  }
}

function lookupBase(base: Value | undefined, k: PrimKey): Value | undefined {
  if (base instanceof RObject) return base.get(k);
  return undefined;
}
