/**
 * Mounting parsed modules into the rule tree, with OPA's compile-time conflict checks
 * (mixed rule kinds at one path, rules above other rules, function arity, several defaults).
 */
import type { Module, Rule, Term } from '../syntax/ast.ts';
import { ruleKind } from '../syntax/ast.ts';
import type { Value } from '../value.ts';
import { pathText, RuleTree, type TreeNode } from './rule-tree.ts';
import { CompileFailure } from './scope.ts';

type PrimKey = null | boolean | number | string;

export interface MountedRule {
  readonly rule: Rule;
  readonly module: Module;
  /** Head ref terms after the ground prefix (dynamic rules). */
  readonly suffix: readonly Term[];
}

function isPrimScalar(t: Term): t is Term & { type: 'scalar'; value: PrimKey } {
  return t.type === 'scalar' && (t.value === null || typeof t.value !== 'object');
}

/** Splits a rule's head ref into the ground prefix (below the package) and the rest. */
export function headPath(rule: Rule): { prefix: PrimKey[]; suffix: Term[] } {
  const [name, ...rest] = rule.head.ref as [Term, ...Term[]];
  const prefix: PrimKey[] = [(name as { name: string }).name];
  let i = 0;
  while (i < rest.length && isPrimScalar(rest[i] as Term)) {
    prefix.push((rest[i] as { value: PrimKey }).value);
    i++;
  }
  return { prefix, suffix: rest.slice(i) };
}

export function buildTree(modules: readonly Module[], base: Value): { tree: RuleTree; errors: CompileFailure[] } {
  const tree = new RuleTree(base);
  const errors: CompileFailure[] = [];
  const fail = (msg: string, rule: Rule, code: CompileFailure['code'] = 'rego_type_error'): void => {
    errors.push(new CompileFailure(code, msg, rule.loc));
  };
  for (const m of modules) {
    // Packages are documents even without rules (`data.a.b` of an empty `package a.b` is {}).
    tree.markDocument(tree.ensure(m.package.path));
    for (const rule of m.rules) {
      const { prefix, suffix } = headPath(rule);
      const path = [...m.package.path, ...prefix];
      const node = tree.ensure(path);
      const kind = ruleKind(rule);
      const text = pathText(path);
      if (rule.default) {
        if (suffix.length > 0) {
          fail(`default rule ${text} must not have variables in its reference`, rule);
          continue;
        }
        if (node.defaultRule !== null) {
          fail(`multiple default rules ${text} found`, rule);
          continue;
        }
        const def = tree.addRule({ rule, module: m, node, kind: kind === 'function' ? 'function' : 'complete', multi: false, pathText: text });
        node.defaultRule = def;
        if (kind === 'function') setLeaf(node, 'function', rule, text, fail);
        else setLeaf(node, 'complete', rule, text, fail);
        if (kind === 'function') setArity(node, rule, text, fail);
        continue;
      }
      if (kind === 'function') {
        if (suffix.length > 0) {
          fail(`function ${text} must not have variables in its reference`, rule);
          continue;
        }
        setLeaf(node, 'function', rule, text, fail);
        setArity(node, rule, text, fail);
        node.leafRules.push(tree.addRule({ rule, module: m, node, kind: 'function', multi: false, pathText: text }));
        continue;
      }
      const multi = kind === 'multi';
      if (suffix.length > 0) {
        node.dynamicRules.push(tree.addRule({ rule, module: m, node, kind: 'dynamic', multi, pathText: text }));
        continue;
      }
      setLeaf(node, multi ? 'multi' : 'complete', rule, text, fail);
      node.leafRules.push(tree.addRule({ rule, module: m, node, kind: multi ? 'multi' : 'complete', multi, pathText: text }));
    }
  }
  for (const n of tree.nodes) checkNode(n, errors);
  return { tree, errors };
}

function setLeaf(node: TreeNode, kind: 'complete' | 'multi' | 'function', rule: Rule, text: string, fail: (m: string, r: Rule) => void): void {
  if (node.leafKind === null) node.leafKind = kind;
  else if (node.leafKind !== kind) fail(`conflicting rules ${text} found`, rule);
}

function setArity(node: TreeNode, rule: Rule, text: string, fail: (m: string, r: Rule) => void): void {
  const n = rule.head.args?.length ?? 0;
  if (node.arity < 0) node.arity = n;
  else if (node.arity !== n) fail(`conflicting rules ${text} found`, rule);
}

function checkNode(n: TreeNode, errors: CompileFailure[]): void {
  if (n.leafKind === null) return;
  const first = n.leafRules[0] ?? n.defaultRule;
  if (first === undefined || first === null) return;
  if (n.dynamicRules.length > 0) {
    errors.push(new CompileFailure('rego_type_error', `conflicting rules ${n.pathText} found`, first.rule.loc));
    return;
  }
  const below: string[] = [];
  for (const c of n.children.values()) if (c.hasRules) below.push(c.pathText);
  if (below.length > 0) {
    errors.push(new CompileFailure('rego_type_error', `rule ${n.pathText} conflicts with [${below.join(' ')}]`, first.rule.loc));
  }
}
