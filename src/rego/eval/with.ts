/**
 * `with` modifiers: a literal evaluated in a derived context (replaced input, data overrides,
 * mocked functions and builtins). Bindings made inside stay visible to the literals after it;
 * the context is restored around the continuation.
 */
import type { ILit } from '../compile/ir.ts';
import { type Value } from '../value.ts';
import { upsert } from './doc-builder.ts';
import type { Cont } from './plan-body.ts';
import type { PlanFrame, SlotSet, TermPlanner } from './plan-terms.ts';
import { Ctx, type Ev, type Frame, type Mock, type Override, type Step } from './runtime.ts';

type Spec =
  | { readonly kind: 'input'; readonly path: readonly Value[]; readonly ev: Ev }
  | { readonly kind: 'data'; readonly path: readonly Value[]; readonly ev: Ev }
  | { readonly kind: 'mock'; readonly name: string; readonly ev: Ev | null; readonly mock: Mock | null };

export function withStep(
  p: TermPlanner,
  l: ILit,
  bound: SlotSet,
  pf: PlanFrame,
  next: Cont,
  core: (bound: SlotSet, next: Cont) => Step,
): Step {
  const specs: Spec[] = l.withs.map((w): Spec => {
    const t = w.target;
    if (t.kind === 'input' || t.kind === 'data') {
      if (w.value.kind !== 'term') throw new Error('internal: function value for data target');
      return { kind: t.kind, path: t.path, ev: p.ev(w.value.term, bound, pf) };
    }
    if (w.value.kind === 'callee') return { kind: 'mock', name: t.name, ev: null, mock: { kind: 'callee', fn: w.value.fn } };
    return { kind: 'mock', name: t.name, ev: p.ev(w.value.term, bound, pf), mock: null };
  });
  const aux = pf.naux++;
  const restore: Cont = (b) => {
    const cont = next(b);
    return (f) => {
      const inner = f.ctx;
      f.ctx = f.aux[aux] as Ctx;
      const r = cont(f);
      f.ctx = inner;
      return r;
    };
  };
  const body = core(bound, restore);
  return (f: Frame) => {
    const old = f.ctx;
    let input = old.input;
    let overrides: Override[] | null = null;
    let mocks: Map<string, Mock> | null = null;
    for (const s of specs) {
      if (s.kind === 'mock') {
        let m = s.mock;
        if (m === null) {
          const v = (s.ev as Ev)(f);
          if (v === undefined) return false;
          m = { kind: 'value', value: v };
        }
        mocks ??= new Map(old.mocks ?? []);
        mocks.set(s.name, m);
        continue;
      }
      const v = s.ev(f);
      if (v === undefined) return false;
      if (s.kind === 'input') input = s.path.length === 0 ? v : upsert(input, s.path, v);
      else (overrides ??= [...(old.overrides ?? [])]).push({ path: s.path, value: v });
    }
    const ctx = new Ctx(old.state, input, overrides ?? old.overrides, mocks ?? old.mocks);
    const saved = f.aux[aux];
    f.aux[aux] = old;
    f.ctx = ctx;
    const r = body(f);
    f.ctx = old;
    f.aux[aux] = saved;
    return r;
  };
}
