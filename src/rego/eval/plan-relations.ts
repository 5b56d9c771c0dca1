/**
 * Relation builtins (`walk`): one solution per answer, whether called as a literal
 * (`walk(x, [p, v])`) or nested in a term (extracted into an iteration).
 */
import type { Callee, ICall, ITerm, IVar } from '../compile/ir.ts';
import type { Loc } from '../syntax/ast.ts';
import type { Value } from '../value.ts';
import { builtinFailure, UNDEFINED_CALL } from './calls.ts';
import type { Cont } from './plan-body.ts';
import { unbind } from './plan-iter.ts';
import type { PlanFrame, SlotSet, TermPlanner } from './plan-terms.ts';
import type { Ev, Step } from './runtime.ts';

export function relationStep(p: TermPlanner, c: ICall, bound: SlotSet, pf: PlanFrame, out: IVar, cont: Step): Step {
  const evs = c.args.map((a) => p.ev(a, bound, pf));
  const decl = c.fn.kind === 'builtin' ? c.fn.decl : null;
  if (decl === null || decl.kind !== 'relation') throw new Error('internal: not a relation');
  const slot = out.slot;
  const loc = c.loc;
  return (f) => {
    const args: Value[] = [];
    for (const e of evs) {
      const v = e(f);
      if (v === undefined) return false;
      args.push(v);
    }
    let results: Iterable<Value>;
    try {
      results = decl.impl(args, f.ctx.state.builtinCtx);
    } catch (e) {
      const err = builtinFailure(f, decl.name, e, loc);
      if (err === UNDEFINED_CALL) return false;
      throw err;
    }
    const it = results[Symbol.iterator]();
    for (;;) {
      let step: IteratorResult<Value>;
      try {
        step = it.next();
      } catch (e) {
        const err = builtinFailure(f, decl.name, e, loc);
        if (err === UNDEFINED_CALL) return false;
        throw err;
      }
      if (step.done === true) return false;
      f.ctx.state.tick();
      f.slots[slot] = step.value;
      const stop = cont(f);
      f.slots[slot] = undefined;
      if (stop) return true;
    }
  };
}

/** `walk(x, [path, value])`: one solution per answer of the relation. */
export function relationCallStep(p: TermPlanner, fn: Callee, evs: readonly Ev[], out: ITerm | null, bound: SlotSet, pf: PlanFrame, next: Cont, loc: Loc): Step {
  const b = new Set(bound);
  const pat = out === null ? null : p.pattern(out, b, pf);
  const cont = next(b);
  const decl = fn.kind === 'builtin' ? fn.decl : null;
  if (decl === null || decl.kind !== 'relation') throw new Error('internal: not a relation');
  const mockedEv = p.calleeEv(fn, evs, loc);
  return (f) => {
    if (f.ctx.mocks !== null && f.ctx.mocks.has(fn.name)) {
      const v = mockedEv(f);
      if (v === undefined) return false;
      if (pat === null) return v === false ? false : cont(f);
      const r = pat.match(f, v) ? cont(f) : false;
      unbind(f, pat.binds);
      return r;
    }
    const args: Value[] = [];
    for (const e of evs) {
      const v = e(f);
      if (v === undefined) return false;
      args.push(v);
    }
    let results: Iterable<Value>;
    try {
      results = decl.impl(args, f.ctx.state.builtinCtx);
    } catch (e) {
      const err = builtinFailure(f, decl.name, e, loc);
      if (err === UNDEFINED_CALL) return false;
      throw err;
    }
    const it = results[Symbol.iterator]();
    for (;;) {
      let step: IteratorResult<Value>;
      try {
        step = it.next();
      } catch (e) {
        const err = builtinFailure(f, decl.name, e, loc);
        if (err === UNDEFINED_CALL) return false;
        throw err;
      }
      if (step.done === true) return false;
      const v = step.value;
      f.ctx.state.tick();
      let r: boolean;
      if (pat === null) r = v === false ? false : cont(f);
      else {
        r = pat.match(f, v) ? cont(f) : false;
        unbind(f, pat.binds);
      }
      if (r) return true;
    }
  };
}
