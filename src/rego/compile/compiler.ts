/**
 * The compile pipeline: mount modules in the rule tree, resolve names, check recursion, then
 * plan every rule (safety ordering happens while planning each body).
 */
import type { BuiltinTable } from '../builtins/types.ts';
import { RegoError, type RegoErrorDetail } from '../errors.ts';
import { Planner } from '../eval/plan-body.ts';
import { markSameConst, planRule } from '../eval/plan-rules.ts';
import { buildRuleIndex } from '../eval/rule-index.ts';
import type { Loc, Module, Rule, Term } from '../syntax/ast.ts';
import { lineOf } from '../syntax/parser.ts';
import { RSet, valuesEqual, type Value } from '../value.ts';
import type { ITerm } from './ir.ts';
import { MetadataIndex } from './metadata.ts';
import { checkRecursion } from './recursion.ts';
import { TypeInference } from './infer.ts';
import { markShareable } from './shareable.ts';
import { type ImportTarget, type ModuleContext, Resolver } from './resolve.ts';
import type { RuleBranchIR, RuleDef, RuleTree, TreeNode } from './rule-tree.ts';
import { UnsafeVars } from './safety.ts';
import { CompileFailure, FrameLayout, RuleScopes, Scope } from './scope.ts';
import { buildTree, headPath } from './tree-build.ts';

type PrimKey = null | boolean | number | string;

export interface CompiledTree {
  readonly tree: RuleTree;
  readonly planner: Planner;
  readonly builtins: BuiltinTable;
  readonly sources: ReadonlyMap<string, string>;
  readonly modules: readonly Module[];
  readonly metadata: MetadataIndex;
}

export function toRegoError(failures: readonly CompileFailure[], sources: ReadonlyMap<string, string>): RegoError {
  const details: RegoErrorDetail[] = failures.map((f) => {
    const src = sources.get(f.loc.file);
    const location = { file: f.loc.file, row: f.loc.row, col: f.loc.col };
    return src === undefined ? { code: f.code, message: f.message, location } : { code: f.code, message: f.message, location, line: lineOf(src, f.loc.offset) };
  });
  return new RegoError(details);
}

function importsOf(m: Module, errors: CompileFailure[]): Map<string, ImportTarget> {
  const out = new Map<string, ImportTarget>();
  for (const imp of m.imports) {
    const [head, ...rest] = imp.path.terms as [Term, ...Term[]];
    const headName = (head as { name: string }).name;
    if (headName === 'future' || headName === 'rego') continue;
    const path = rest.map((t) => (t as { value: PrimKey }).value);
    const alias = imp.alias ?? (path.length === 0 ? headName : String(path[path.length - 1]));
    if (out.has(alias)) {
      errors.push(new CompileFailure('rego_compile_error', `import must not shadow import ${alias}`, imp.loc));
      continue;
    }
    if (headName === 'input' && path.length === 0 && imp.alias === null) continue;
    if (headName === 'data' && path.length === 0 && imp.alias === null) continue;
    out.set(alias, { head: headName === 'input' ? 'input' : 'data', path });
  }
  return out;
}

function resolveRule(def: RuleDef, ctx: ModuleContext): RuleBranchIR[] {
  const out: RuleBranchIR[] = [];
  for (let r: Rule | null = def.rule; r !== null; r = r.else) {
    const layout = new FrameLayout();
    const scopes = new RuleScopes(layout);
    const resolver = new Resolver(ctx, scopes, def.rule);
    const scope = new Scope(null);
    const deferred: Term[] = [];
    const args = r.head.args === null ? null : r.head.args.map((a) => declareArg(resolver, a, scope, deferred));
    const body = resolver.body(r.body, scope);
    // Arguments that are computed (templates, calls, refs) are compared after the body binds them.
    for (const t of deferred) {
      const arg = (args as ITerm[])[(r.head.args as Term[]).indexOf(t)] as ITerm;
      body.push({ body: { k: 'unify', a: arg, b: resolver.term(t, scope) }, negated: false, withs: [], loc: t.loc });
    }
    // Head terms that iterate (`p := xs[_]`) are evaluated in the body, as OPA rewrites them.
    const head = (t: Term): ITerm => {
      const ir = resolver.term(t, scope);
      if (!iterates(ir)) return ir;
      const tmp = scopes.temp(t.loc);
      body.push({ body: { k: 'unify', a: tmp, b: ir }, negated: false, withs: [], loc: t.loc });
      return tmp;
    };
    const suffix = def.kind === 'dynamic' ? headPath(r).suffix.map(head) : [];
    const key = r.head.key === null ? null : head(r.head.key);
    const value = r.head.value === null ? null : head(r.head.value);
    out.push({ args, suffix, key, value, body, layout, rule: r });
  }
  return out;
}

/** Does a head term contain a ref with variables in its path, or a call (possibly multi-valued)? */
function iterates(t: ITerm): boolean {
  switch (t.t) {
    case 'ref':
      return t.path.some((p) => p.t !== 'const') || (t.head !== 'data' && t.head !== 'input' && iterates(t.head));
    case 'array':
    case 'set':
      return t.items.some(iterates);
    case 'object':
      return t.keys.some(iterates) || t.values.some(iterates);
    case 'call':
      return t.args.some(iterates) || (t.fn.kind === 'builtin' && t.fn.decl.kind === 'relation');
    default:
      return false;
  }
}

/** The value of a node made of unconditional rules with constant heads (`xs := {1, 2}`). */
function constantValue(n: TreeNode): Value | undefined {
  if (n.defaultRule !== null || n.leafRules.length === 0) return undefined;
  if (n.leafKind !== 'complete' && n.leafKind !== 'multi') return undefined;
  const values: Value[] = [];
  for (const r of n.leafRules) {
    if (r.branches.length !== 1) return undefined;
    const br = r.branches[0] as RuleBranchIR;
    const b = br.body;
    const lit = b[0];
    if (b.length !== 1 || lit === undefined || lit.negated || lit.withs.length > 0) return undefined;
    if (lit.body.k !== 'term' || lit.body.term.t !== 'const' || lit.body.term.v !== true) return undefined;
    const head = n.leafKind === 'multi' ? br.key : br.value;
    if (head === null || head.t !== 'const') return undefined;
    values.push(head.v);
  }
  if (n.leafKind === 'multi') return RSet.of(values);
  const first = values[0] as Value;
  return values.every((v) => valuesEqual(v, first)) ? first : undefined;
}

function declareArg(resolver: Resolver, t: Term, scope: Scope, deferred: Term[]): ITerm {
  switch (t.type) {
    case 'var':
      if (t.name.startsWith('$')) return resolver.scopes.layout.alloc(t.name, t.loc);
      if (scope.declared.has(t.name)) return { ...(scope.declared.get(t.name) as ITerm & { t: 'var' }), loc: t.loc };
      return { ...resolver.scopes.declare(scope, t.name, t.loc, 'some'), loc: t.loc };
    case 'array':
      return { t: 'array', items: t.items.map((x) => declareArg(resolver, x, scope, [])), loc: t.loc };
    case 'object':
      return {
        t: 'object',
        keys: t.entries.map(([k]) => resolver.term(k, scope)),
        values: t.entries.map(([, v]) => declareArg(resolver, v, scope, [])),
        loc: t.loc,
      };
    case 'scalar':
      return resolver.term(t, scope);
    default:
      deferred.push(t);
      return resolver.scopes.temp(t.loc);
  }
}

function collect<R>(errors: CompileFailure[], f: () => R, loc?: Loc): R | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof CompileFailure) errors.push(e);
    else if (e instanceof UnsafeVars) errors.push(...e.errors);
    else if (e instanceof RangeError && loc !== undefined) {
      errors.push(new CompileFailure('rego_compile_error', 'rule too large or too deeply nested to compile', loc));
    } else throw e;
    return undefined;
  }
}

export function compileTree(modules: readonly Module[], base: Value, builtins: BuiltinTable): CompiledTree {
  const sources = new Map<string, string>();
  for (const m of modules) sources.set(m.file, m.source);
  const { tree, errors } = buildTree(modules, base);
  const metadata = new MetadataIndex(modules);
  // Rule names per package (all modules of a package share them).
  const roots = new Map<string, Set<string>>();
  for (const m of modules) {
    const key = m.package.path.join('\u0000');
    let s = roots.get(key);
    if (s === undefined) roots.set(key, (s = new Set()));
    for (const r of m.rules) s.add((r.head.ref[0] as { name: string }).name);
  }
  const contexts = new Map<Module, ModuleContext>();
  for (const m of modules) {
    contexts.set(m, {
      module: m,
      pkg: m.package.path,
      ruleRoots: roots.get(m.package.path.join('\u0000')) ?? new Set(),
      imports: importsOf(m, errors),
      tree,
      builtins,
      metadata: (rule, which) => metadata.value(rule, which),
    });
  }
  if (errors.length > 0) throw toRegoError(errors, sources);
  for (const def of tree.rules) {
    const ctx = contexts.get(def.module) as ModuleContext;
    const branches = collect(errors, () => resolveRule(def, ctx), def.rule.loc);
    if (branches !== undefined) def.branches = branches;
  }
  if (errors.length > 0) throw toRegoError(errors, sources);
  for (const n of tree.nodes) n.constValue = constantValue(n);
  const planner = new Planner(tree.root);
  for (const def of tree.rules) collect(errors, () => planRule(planner, def), def.rule.loc);
  if (errors.length > 0) {
    // OPA reports safety errors before (and instead of) later type-check errors.
    const unsafe = errors.filter((e) => e.code === 'rego_unsafe_var_error');
    throw toRegoError(unsafe.length > 0 ? unsafe : errors, sources);
  }
  // Recursion is checked after safety, as in OPA's stage order.
  try {
    errors.push(...checkRecursion(tree));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw RegoError.of('rego_recursion_error', 'rule dependencies too deep to analyse');
  }
  if (errors.length > 0) throw toRegoError(errors, sources);

  markShareable(tree);
  // Type checks come last, as in OPA.
  errors.push(...new TypeInference(tree).run());
  if (errors.length > 0) throw toRegoError(errors, sources);
  for (const n of tree.nodes) {
    if (n.leafRules.length === 0) continue;
    markSameConst(n);
    n.ruleIndex = buildRuleIndex(planner, n);
  }
  return { tree, planner, builtins, sources, modules, metadata };
}
