/**
 * Evaluating rules: complete values (with `else` and `default`), multi-value sets, rules with
 * variables in their path, and function calls. Conflicting outputs raise
 * `eval_conflict_error` with OPA's messages.
 */
import type { RuleDef, TreeNode } from '../compile/rule-tree.ts';
import type { Loc } from '../syntax/ast.ts';
import { RSet, valuesEqual, type Value } from '../value.ts';
import type { EvalMemo, RuleMemo, RuleValue } from './memo.ts';
import { BUSY, type Ctx, evalError, Frame, NONE, type Step } from './runtime.ts';
import { candidateRules, type RuleIndex } from './rule-index.ts';

export interface BranchPlan {
  readonly nslots: number;
  readonly naux: number;
  readonly entry: Step;
  readonly loc: Loc;
}

export interface RulePlan {
  readonly branches: readonly BranchPlan[];
}

export class ValueAcc {
  value: Value | undefined = undefined;
  found = false;
  readonly stopEarly: boolean;
  readonly message: string;

  constructor(stopEarly: boolean, message: string) {
    this.stopEarly = stopEarly;
    this.message = message;
  }

  add(f: Frame, v: Value, loc: Loc): boolean {
    this.found = true;
    if (this.value === undefined) {
      this.value = v;
      return this.stopEarly;
    }
    if (!valuesEqual(this.value, v)) throw evalError(f.ctx.state, 'eval_conflict_error', this.message, loc);
    return false;
  }
}

/** Flat list of dynamic-rule contributions: path, value, path, value … */
export class DynAcc {
  readonly entries: unknown[] = [];
}

const COMPLETE_CONFLICT = 'complete rules must not produce multiple outputs';
const FUNCTION_CONFLICT = 'functions must not produce multiple outputs for same inputs';

function planOf(r: RuleDef): RulePlan {
  return r.plan as RulePlan;
}

function runBranches(ctx: Ctx, rule: RuleDef, acc: ValueAcc, args: readonly Value[] | null): void {
  for (const b of planOf(rule).branches) {
    const f = new Frame(b.nslots, b.naux, ctx);
    f.acc = acc;
    f.args = args;
    acc.found = false;
    b.entry(f);
    if (acc.found) return;
  }
}

function defaultValue(ctx: Ctx, node: TreeNode, args: readonly Value[] | null): Value | undefined {
  const d = node.defaultRule;
  if (d === null) return undefined;
  const acc = new ValueAcc(true, COMPLETE_CONFLICT);
  runBranches(ctx, d, acc, args);
  return acc.value;
}

function rulesOf(ctx: Ctx, node: TreeNode): readonly RuleDef[] {
  const idx = node.ruleIndex as RuleIndex | null;
  return idx === null ? node.leafRules : candidateRules(ctx, idx);
}

/** Value of a node holding complete rules. */
export function evalComplete(ctx: Ctx, node: TreeNode): Value | undefined {
  ctx.state.tick();
  const same = node.sameConst;
  const acc = new ValueAcc(same, COMPLETE_CONFLICT);
  for (const r of rulesOf(ctx, node)) {
    runBranches(ctx, r, acc, null);
    if (same && acc.value !== undefined) break;
  }
  return acc.value !== undefined ? acc.value : defaultValue(ctx, node, null);
}

/** Value of a node holding multi-value (`contains`) rules: always a set. */
export function evalSet(ctx: Ctx, node: TreeNode): RSet {
  ctx.state.tick();
  const set = new RSet();
  for (const r of rulesOf(ctx, node)) {
    for (const b of planOf(r).branches) {
      const f = new Frame(b.nslots, b.naux, ctx);
      f.acc = set;
      b.entry(f);
    }
  }
  return set;
}

/** Contributions of a rule with variables in its path, cached per context. */
export function dynEntries(ctx: Ctx, rule: RuleDef): readonly unknown[] {
  const cached = ctx.dyn[rule.id];
  const memo = ctx.memo;
  if (cached !== undefined) {
    memo?.use(ctx.dynLogs[rule.id]);
    return cached;
  }
  ctx.state.tick();
  const acc = new DynAcc();
  const run = (): void => {
    for (const b of planOf(rule).branches) {
      const f = new Frame(b.nslots, b.naux, ctx);
      f.acc = acc;
      b.entry(f);
    }
  };
  if (memo === null) run();
  else {
    const log = memo.logged(run)[1];
    memo.use(log);
    ctx.dynLogs[rule.id] = log;
  }
  ctx.dyn[rule.id] = acc.entries;
  return acc.entries;
}

/** Calls a user function with evaluated arguments. */
export function callFunction(ctx: Ctx, node: TreeNode, args: readonly Value[]): Value | undefined {
  ctx.state.tick();
  const same = node.sameConst;
  const acc = new ValueAcc(same, FUNCTION_CONFLICT);
  for (const r of node.leafRules) {
    runBranches(ctx, r, acc, args);
    if (same && acc.value !== undefined) break;
  }
  return acc.value !== undefined ? acc.value : defaultValue(ctx, node, args);
}

/** Cached value of a leaf node (complete or multi-value rules). */
export function leafValue(ctx: Ctx, node: TreeNode): Value | undefined {
  if (node.constValue !== undefined) return node.constValue;
  if (node.shareable && ctx.overrides === null && ctx.mocks === null) {
    // Evaluation-independent: computed once per compiled policy (per strictness mode).
    const k = ctx.state.strict ? 1 : 0;
    const hit = node.shared[k] as Value | typeof NONE | undefined;
    if (hit !== undefined) return hit === NONE ? undefined : hit;
    const v = computeLeaf(ctx, node);
    node.shared[k] = v === undefined ? NONE : v;
    return v;
  }
  return ctx.memo === null ? computeLeaf(ctx, node) : memoLeaf(ctx, node, ctx.memo);
}

function computeLeaf(ctx: Ctx, node: TreeNode): Value | undefined {
  const c = ctx.values[node.id];
  if (c !== undefined) {
    if (c === NONE) return undefined;
    if (c === BUSY) throw evalError(ctx.state, 'rego_recursion_error', `rule ${node.pathText} is recursive`, null);
    return c;
  }
  ctx.values[node.id] = BUSY;
  let v: Value | undefined;
  try {
    v = node.leafKind === 'multi' ? evalSet(ctx, node) : evalComplete(ctx, node);
  } catch (e) {
    ctx.values[node.id] = undefined;
    throw e;
  }
  ctx.values[node.id] = v === undefined ? NONE : v;
  return v;
}

/**
 * `computeLeaf` in a batch: a value stored by an earlier evaluation whose log still holds is
 * reused; otherwise the value is computed with its reads logged (a multi-value rule branch by
 * branch, so one branch reading what changed does not recompute the others). Its user records
 * a dependency on the value.
 */
function memoLeaf(ctx: Ctx, node: TreeNode, memo: EvalMemo): Value | undefined {
  const c = ctx.values[node.id];
  if (c !== undefined) {
    if (c === BUSY) throw evalError(ctx.state, 'rego_recursion_error', `rule ${node.pathText} is recursive`, null);
    memo.depend(ctx.rules[node.id] as RuleMemo);
    return c === NONE ? undefined : c;
  }
  // Busy while its log is checked too: checking computes the rules it depends on.
  ctx.values[node.id] = BUSY;
  let m: RuleMemo;
  try {
    m = memo.node(node.id) ?? computeMemo(ctx, node, memo);
  } catch (e) {
    ctx.values[node.id] = undefined;
    throw e;
  }
  const v = m.value;
  ctx.values[node.id] = v === undefined ? NONE : v;
  ctx.rules[node.id] = m;
  memo.depend(m);
  return v;
}

/**
 * Computes a rule's value with its reads logged, and keeps it. Apart from `memoLeaf`, whose every
 * call would otherwise allocate the context its closure captures, hit or miss.
 */
function computeMemo(ctx: Ctx, node: TreeNode, memo: EvalMemo): RuleMemo {
  const [v, log] = memo.logged(() => memo.seal(node.leafKind === 'multi' ? memoSet(ctx, node, memo) : evalComplete(ctx, node)));
  return memo.storeNode(node.id, node, log, v);
}

/** How a batch computes a rule's value again to check a dependency on it. */
export function batchRuleValue(ctx: Ctx, memo: EvalMemo): RuleValue {
  return (node) => memoLeaf(ctx, node as TreeNode, memo);
}

function memoSet(ctx: Ctx, node: TreeNode, memo: EvalMemo): RSet {
  ctx.state.tick();
  const set = new RSet();
  for (const r of rulesOf(ctx, node)) {
    for (const b of planOf(r).branches) {
      const hit = memo.branch(b);
      if (hit !== undefined) {
        for (const v of hit.values) set.add(v);
        memo.use(hit.log);
        continue;
      }
      for (const v of computeBranch(ctx, b, memo)) set.add(v);
    }
  }
  return set;
}

/**
 * One branch of a multi-value rule computed with its reads logged, and kept. Apart from
 * `memoSet` for the same reason as `computeMemo`.
 */
function computeBranch(ctx: Ctx, b: BranchPlan, memo: EvalMemo): readonly Value[] {
  const [part, log] = memo.logged(() => {
    const f = new Frame(b.nslots, b.naux, ctx);
    f.acc = new RSet();
    b.entry(f);
    return memo.seal(f.acc as RSet);
  });
  memo.use(log);
  const values = part.values();
  memo.storeBranch(b, log, values);
  return values;
}
