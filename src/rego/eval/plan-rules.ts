/**
 * Planning rules: parameters, body, and the head that reports each solution to the node's
 * accumulator (a value, a set element, or a path/value pair for rules with variables in
 * their path).
 */
import type { ITerm } from '../compile/ir.ts';
import type { RuleBranchIR, RuleDef, TreeNode } from '../compile/rule-tree.ts';
import { checkHeadSafety } from '../compile/safety.ts';
import { RSet, valuesEqual, type Value } from '../value.ts';
import type { Planner } from './plan-body.ts';
import type { PlanFrame, SlotSet } from './plan-terms.ts';
import { type BranchPlan, DynAcc, type RulePlan, ValueAcc } from './rules.ts';
import type { Ev, Step } from './runtime.ts';

function headTerminal(p: Planner, def: RuleDef, br: RuleBranchIR, after: SlotSet, pf: PlanFrame): Step {
  const headTerms: ITerm[] = [...br.suffix];
  if (br.key !== null) headTerms.push(br.key);
  if (br.value !== null) headTerms.push(br.value);
  checkHeadSafety(headTerms, after);
  const loc = br.rule.loc;
  if (def.kind === 'dynamic') {
    const suffix = br.suffix.map((t) => p.ev(t, after, pf));
    const leaf = p.ev((def.multi ? br.key : br.value) as ITerm, after, pf);
    const n = suffix.length;
    return (f) => {
      const path = new Array<Value>(n);
      for (let i = 0; i < n; i++) {
        const k = (suffix[i] as Ev)(f);
        if (k === undefined) return false;
        path[i] = k;
      }
      const v = leaf(f);
      if (v === undefined) return false;
      (f.acc as DynAcc).entries.push(path, v);
      return false;
    };
  }
  if (def.kind === 'multi') {
    const key = p.ev(br.key as ITerm, after, pf);
    return (f) => {
      const k = key(f);
      if (k !== undefined) (f.acc as RSet).add(k);
      return false;
    };
  }
  const value = p.ev(br.value as ITerm, after, pf);
  return (f) => {
    const v = value(f);
    if (v === undefined) return false;
    return (f.acc as ValueAcc).add(f, v, loc);
  };
}

function planBranch(p: Planner, def: RuleDef, br: RuleBranchIR): BranchPlan {
  const pf: PlanFrame = { layout: br.layout, naux: 0 };
  const bound: SlotSet = new Set();
  const params = (br.args ?? []).map((a) => p.pattern(a, bound, pf));
  let entry = p.planBody(br.body, bound, pf, (after) => headTerminal(p, def, br, after, pf));
  for (let i = params.length - 1; i >= 0; i--) {
    const pat = params[i] as (typeof params)[number];
    const next = entry;
    if (pat.slot >= 0) {
      const s = pat.slot;
      entry = (f) => {
        f.slots[s] = (f.args as readonly Value[])[i];
        return next(f);
      };
    } else {
      const m = pat.match;
      entry = (f) => (m(f, (f.args as readonly Value[])[i] as Value) ? next(f) : false);
    }
  }
  return { nslots: br.layout.nslots, naux: pf.naux, entry, loc: br.rule.loc };
}

export function planRule(p: Planner, def: RuleDef): void {
  const plan: RulePlan = { branches: def.branches.map((br) => planBranch(p, def, br)) };
  def.plan = plan;
}

/** After planning a node's rules: can evaluation stop at the first solution? */
export function markSameConst(node: TreeNode): void {
  let first: Value | undefined;
  let same = node.leafRules.length > 0;
  for (const r of node.leafRules) {
    for (const br of r.branches) {
      const v = br.value;
      if (v === null || v.t !== 'const') {
        same = false;
        break;
      }
      if (first === undefined) first = v.v;
      else if (!valuesEqual(first, v.v)) same = false;
    }
    if (!same) break;
  }
  node.sameConst = same && node.leafKind !== 'multi';
}
