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
  return (f) =>
    eachAnswer(f, decl, evs, loc, () => {
      const stop = cont(f);
      f.slots[slot] = undefined;
      return stop;
    }, slot);
}

/** `walk(x, [path, value])`: one solution per answer of the relation. */
export function relationCallStep(p: TermPlanner, fn: Callee, evs: readonly Ev[], out: ITerm | null, bound: SlotSet, pf: PlanFrame, next: Cont, loc: Loc): Step {
  const b = new Set(bound);
  const pat = out === null ? null : p.pattern(out, b, pf);
  const cont = next(b);
  const decl = fn.kind === 'builtin' ? fn.decl : null;
  if (decl === null || decl.kind !== 'relation') throw new Error('internal: not a relation');
  const mockedEv = p.calleeEv(fn, evs, loc);
  const answer = (f: Parameters<Step>[0], v: Value): boolean => {
    if (pat === null) return v === false ? false : cont(f);
    const r = pat.match(f, v) ? cont(f) : false;
    unbind(f, pat.binds);
    return r;
  };
  return (f) => {
    if (f.ctx.mocks !== null && f.ctx.mocks.has(fn.name)) {
      const v = mockedEv(f);
      return v === undefined ? false : answer(f, v);
    }
    return eachAnswer(f, decl, evs, loc, (v) => answer(f, v));
  };
}

type RelationDecl = Extract<NonNullable<Extract<Callee, { kind: 'builtin' }>['decl']>, { kind: 'relation' }>;

/**
 * Calls the relation with the evaluated arguments and hands each answer to `each` (written to
 * `slot` first, when given) until it returns true. An undefined argument, or a builtin error that
 * is not strict, means no answers.
 */
function eachAnswer(f: Parameters<Step>[0], decl: RelationDecl, evs: readonly Ev[], loc: Loc, each: (v: Value) => boolean, slot?: number): boolean {
  const args: Value[] = [];
  for (const e of evs) {
    const v = e(f);
    if (v === undefined) return false;
    args.push(v);
  }
  let it: Iterator<Value>;
  try {
    it = decl.impl(args, f.ctx.state.builtinCtx)[Symbol.iterator]();
  } catch (e) {
    const err = builtinFailure(f, decl.name, e, loc);
    if (err === UNDEFINED_CALL) return false;
    throw err;
  }
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
    if (slot !== undefined) f.slots[slot] = step.value;
    if (each(step.value)) return true;
  }
}
