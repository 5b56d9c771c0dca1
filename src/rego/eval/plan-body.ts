/**
 * Planning bodies: each literal becomes a closure that binds variables and calls its
 * continuation. Refs with unbound variables anywhere in a literal are first turned into
 * iteration steps (as OPA's compiler rewrites them into separate expressions).
 */
import type { Callee, ICall, ILit, IRef, ITerm, IVar } from '../compile/ir.ts';
import { litVars, termVars } from '../compile/ir.ts';
import { orderBody } from '../compile/safety.ts';
import type { Loc } from '../syntax/ast.ts';
import { isArray, RObject, RSet, type Value } from '../value.ts';
import { fastBinary } from './fast-ops.ts';
import { forEachMember, iterateStep, unbind } from './plan-iter.ts';
import { relationCallStep, relationStep } from './plan-relations.ts';
import { isEvaluable, type PlanFrame, type SlotSet, TermPlanner } from './plan-terms.ts';
import { matchStep, unifyStep } from './plan-unify.ts';
import type { Ev, Frame, Step } from './runtime.ts';
import { withStep } from './with.ts';

export type Cont = (bound: SlotSet) => Step;

interface Extraction {
  readonly kind: 'ref' | 'call';
  readonly ref: IRef | null;
  readonly call: ICall | null;
  readonly temp: IVar;
}

function hasUnbound(t: ITerm, bound: SlotSet): boolean {
  let found = false;
  termVars(t, (v) => {
    if (!bound.has(v.slot)) found = true;
  });
  return found;
}

function isRelation(fn: Callee): boolean {
  return fn.kind === 'builtin' && fn.decl.kind === 'relation';
}

export class Planner extends TermPlanner {
  /** Plans a body (safety-ordered) ending in `terminal`. */
  planBody(body: readonly ILit[], bound: SlotSet, pf: PlanFrame, terminal: Cont): Step {
    const { lits } = orderBody(body, bound);
    // Forward: the variables bound before each literal (after a literal, all of its own
    // variables are bound; a negation binds nothing). Backward: build each step around the
    // already-built next one, so planning depth does not grow with the body's length.
    const before: SlotSet[] = [];
    let b = new Set(bound);
    for (const l of lits) {
      before.push(b);
      if (!l.negated) {
        b = new Set(b);
        litVars(l, (v) => b.add(v.slot));
      }
    }
    let next = terminal(b);
    for (let i = lits.length - 1; i >= 0; i--) {
      const step = next;
      next = this.planLiteral(lits[i] as ILit, before[i] as SlotSet, pf, () => step);
    }
    return next;
  }

  planClosure(body: readonly ILit[], bound: SlotSet, pf: PlanFrame, terminal: Cont): Step {
    return this.planBody(body, bound, pf, terminal);
  }

  private planLiteral(l: ILit, bound: SlotSet, pf: PlanFrame, next: Cont): Step {
    if (l.negated) {
      const inner = this.planWith(l, new Set(bound), pf, () => () => true);
      const cont = next(bound);
      return (f) => (inner(f) ? false : cont(f));
    }
    return this.planWith(l, bound, pf, next);
  }

  private planWith(l: ILit, bound: SlotSet, pf: PlanFrame, next: Cont): Step {
    if (l.withs.length === 0) return this.planCore(l, bound, pf, next);
    return withStep(this, l, bound, pf, next, (b, n) => this.planCore(l, b, pf, n));
  }

  // ---- extraction of iterations ------------------------------------------------------------

  private extract(t: ITerm, bound: SlotSet, out: Extraction[], pf: PlanFrame): ITerm {
    switch (t.t) {
      case 'ref': {
        const head = t.head === 'data' || t.head === 'input' ? t.head : this.extract(t.head, bound, out, pf);
        const path = t.path.map((p) => this.extract(p, bound, out, pf));
        const r: IRef = { t: 'ref', head, path, loc: t.loc };
        if (!path.some((p) => hasUnbound(p, bound))) return r;
        const temp = pf.layout.alloc(`__i${pf.layout.nslots}`, t.loc);
        out.push({ kind: 'ref', ref: r, call: null, temp });
        for (const p of path) termVars(p, (v) => bound.add(v.slot));
        bound.add(temp.slot);
        return temp;
      }
      case 'array':
        return { ...t, items: t.items.map((x) => this.extract(x, bound, out, pf)) };
      case 'set':
        return { ...t, items: t.items.map((x) => this.extract(x, bound, out, pf)) };
      case 'object':
        return {
          ...t,
          keys: t.keys.map((x) => this.extract(x, bound, out, pf)),
          values: t.values.map((x) => this.extract(x, bound, out, pf)),
        };
      case 'call': {
        const c: ICall = { ...t, args: t.args.map((x) => this.extract(x, bound, out, pf)) };
        if (!isRelation(c.fn)) return c;
        const temp = pf.layout.alloc(`__r${pf.layout.nslots}`, t.loc);
        out.push({ kind: 'call', ref: null, call: c, temp });
        bound.add(temp.slot);
        return temp;
      }
      default:
        return t;
    }
  }

  /** Wraps `inner` in the iteration steps of `ex`, outermost first. */
  private withExtractions(ex: readonly Extraction[], bound: SlotSet, pf: PlanFrame, inner: Cont, i = 0): Step {
    if (i === ex.length) return inner(bound);
    const e = ex[i] as Extraction;
    if (e.kind === 'ref') {
      return iterateStep(this, e.ref as IRef, bound, pf, e.temp, (b) => this.withExtractions(ex, b, pf, inner, i + 1));
    }
    const b = new Set(bound);
    b.add(e.temp.slot);
    const cont = this.withExtractions(ex, b, pf, inner, i + 1);
    return relationStep(this, e.call as ICall, bound, pf, e.temp, cont);
  }

  // ---- literal kinds ------------------------------------------------------------------------

  private planCore(l: ILit, bound: SlotSet, pf: PlanFrame, next: Cont): Step {
    const body = l.body;
    // Direct iteration without temporaries: `x = ref[…]`, `ref[…]`.
    if (body.k === 'term' && body.term.t === 'ref' && this.simpleIter(body.term, bound)) {
      return iterateStep(this, body.term, bound, pf, null, next);
    }
    if (body.k === 'unify') {
      const { a, b } = body;
      if (b.t === 'ref' && this.simpleIter(b, bound) && !hasUnboundRefs(a, bound)) return iterateStep(this, b, bound, pf, a, next);
      if (a.t === 'ref' && this.simpleIter(a, bound) && !hasUnboundRefs(b, bound)) return iterateStep(this, a, bound, pf, b, next);
    }
    const ex: Extraction[] = [];
    const b = new Set(bound);
    switch (body.k) {
      case 'term': {
        const term = this.extract(body.term, b, ex, pf);
        return this.withExtractions(ex, bound, pf, (bb) => this.testStep(this.ev(term, bb, pf), next(bb)));
      }
      case 'call': {
        const args = body.args.map((x) => this.extract(x, b, ex, pf));
        const out = body.out === null ? null : this.extract(body.out, b, ex, pf);
        return this.withExtractions(ex, bound, pf, (bb) => this.callStep(body.fn, args, out, bb, pf, next, l.loc));
      }
      case 'unify': {
        const a = this.extract(body.a, b, ex, pf);
        const c = this.extract(body.b, b, ex, pf);
        return this.withExtractions(ex, bound, pf, (bb) => unifyStep(this, a, c, bb, pf, next, l.loc));
      }
      case 'somein': {
        const domain = this.extract(body.domain, b, ex, pf);
        return this.withExtractions(ex, bound, pf, (bb) => this.someInStep(body.key, body.value, domain, bb, pf, next));
      }
      case 'every': {
        const domain = this.extract(body.domain, b, ex, pf);
        return this.withExtractions(ex, bound, pf, (bb) => this.everyStep(body.key, body.value, domain, body.body, bb, pf, next));
      }
      case 'logic':
        return this.logicStep(body.op, body.left, body.right, bound, pf, next);
    }
  }

  /** A ref whose only unbound variables are in its own path (no nested iteration). */
  private simpleIter(r: IRef, bound: SlotSet): boolean {
    if (r.head !== 'data' && r.head !== 'input' && !isEvaluable(r.head, bound)) return false;
    let unbound = false;
    for (const p of r.path) {
      if (hasUnboundRefs(p, bound)) return false;
      if (hasUnbound(p, bound)) unbound = true;
    }
    return unbound;
  }

  private testStep(e: Ev, cont: Step): Step {
    return (f) => {
      const v = e(f);
      if (v === undefined || v === false) return false;
      return cont(f);
    };
  }

  private callStep(fn: Callee, args: readonly ITerm[], out: ITerm | null, bound: SlotSet, pf: PlanFrame, next: Cont, loc: Loc): Step {
    const evs = args.map((a) => this.ev(a, bound, pf));
    const op = out === null && evs.length === 2 ? fastBinary(fn) : null;
    if (op !== null) {
      // `a < b` as a test: evaluated inline (mocks still take the generic path).
      const e0 = evs[0] as Ev;
      const e1 = evs[1] as Ev;
      const generic = this.testStep(this.calleeEv(fn, evs, loc), next(bound));
      const cont = next(bound);
      return (f) => {
        if (f.ctx.mocks !== null) return generic(f);
        const a = e0(f);
        if (a === undefined) return false;
        const b = e1(f);
        if (b === undefined || !op(a, b)) return false;
        return cont(f);
      };
    }
    if (isRelation(fn)) return relationCallStep(this, fn, evs, out, bound, pf, next, loc);
    const call = this.calleeEv(fn, evs, loc);
    if (out === null) return this.testStep(call, next(bound));
    return matchStep(this, out, call, bound, pf, next);
  }

  private someInStep(key: ITerm | null, value: ITerm, domain: ITerm, bound: SlotSet, pf: PlanFrame, next: Cont): Step {
    const dom = this.ev(domain, bound, pf);
    const b = new Set(bound);
    const kp = key === null ? null : this.pattern(key, b, pf);
    const vp = this.pattern(value, b, pf);
    const cont = next(b);
    if (kp === null && vp.slot >= 0) {
      // `some x in xs`: the hottest loop of most policies, written out per collection kind.
      const s = vp.slot;
      return (f) => {
        const d = dom(f);
        if (d === undefined) return false;
        let items: readonly Value[];
        if (isArray(d)) items = d;
        else if (d instanceof RSet) items = d.values();
        else if (d instanceof RObject) items = d.sortedValues();
        else return false;
        const st = f.ctx.state;
        const slots = f.slots;
        for (let i = 0; i < items.length; i++) {
          st.tick();
          slots[s] = items[i];
          if (cont(f)) {
            slots[s] = undefined;
            return true;
          }
        }
        slots[s] = undefined;
        return false;
      };
    }
    const body = (f: Frame, k: Value, v: Value): boolean => {
      let r = false;
      if ((kp === null || kp.match(f, k)) && vp.match(f, v)) r = cont(f);
      if (kp !== null) unbind(f, kp.binds);
      unbind(f, vp.binds);
      return r;
    };
    return (f) => {
      const d = dom(f);
      if (d === undefined) return false;
      return forEachMember(f, d, body);
    };
  }

  private everyStep(key: IVar | null, value: IVar, domain: ITerm, body: readonly ILit[], bound: SlotSet, pf: PlanFrame, next: Cont): Step {
    const dom = this.ev(domain, bound, pf);
    const inner = new Set(bound);
    if (key !== null) inner.add(key.slot);
    inner.add(value.slot);
    const check = this.planBody(body, inner, pf, () => () => true);
    const cont = next(bound);
    const ks = key === null ? -1 : key.slot;
    const vs = value.slot;
    const failing = (f: Frame, k: Value, v: Value): boolean => {
      if (ks >= 0) f.slots[ks] = k;
      f.slots[vs] = v;
      const ok = check(f);
      if (ks >= 0) f.slots[ks] = undefined;
      f.slots[vs] = undefined;
      return !ok;
    };
    return (f) => {
      const d = dom(f);
      if (d === undefined) return false;
      if (!isArray(d) && !(d instanceof RObject) && !(d instanceof RSet)) return false;
      if (forEachMember(f, d, failing)) return false;
      return cont(f);
    };
  }

  /** Experimental `and` / `or`: existence tests of their operands (no bindings escape). */
  private logicStep(op: 'and' | 'or', left: readonly ILit[], right: readonly ILit[], bound: SlotSet, pf: PlanFrame, next: Cont): Step {
    const found: Cont = () => () => true;
    const l = this.planBody(left, bound, pf, found);
    const r = this.planBody(right, bound, pf, found);
    const cont = next(bound);
    if (op === 'and') return (f) => (l(f) && r(f) ? cont(f) : false);
    return (f) => (l(f) || r(f) ? cont(f) : false);
  }
}

/** Does the term contain a ref (not inside a closure) with unbound variables in its path? */
function hasUnboundRefs(t: ITerm, bound: SlotSet): boolean {
  switch (t.t) {
    case 'ref':
      if (t.path.some((p) => hasUnbound(p, bound))) return true;
      return (t.head !== 'data' && t.head !== 'input' && hasUnboundRefs(t.head, bound)) || t.path.some((p) => hasUnboundRefs(p, bound));
    case 'array':
    case 'set':
      return t.items.some((x) => hasUnboundRefs(x, bound));
    case 'object':
      return t.keys.some((x) => hasUnboundRefs(x, bound)) || t.values.some((x) => hasUnboundRefs(x, bound));
    case 'call':
      return isRelation(t.fn) || t.args.some((x) => hasUnboundRefs(x, bound));
    default:
      return false;
  }
}

