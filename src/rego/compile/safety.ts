/**
 * Safety: every variable must be bound by some literal before it is used. Bodies are
 * reordered as OPA does: repeatedly pick, in source order, the first literal whose inputs are
 * bound, until a fixed point; what remains has unsafe variables (`rego_unsafe_var_error`).
 */
import type { Loc } from '../syntax/ast.ts';
import type { ILit, ITerm, IVar } from './ir.ts';
import { litClosures, litVars, termVars } from './ir.ts';
import { CompileFailure } from './scope.ts';

import { allSafe, refOutputs, type SlotSet, Unifier } from './outputs.ts';

export type { SlotSet };
export { sameKey } from './outputs.ts';

function isGenerated(name: string): boolean {
  return name.startsWith('$') || name.startsWith('__');
}

/** Output variables of refs whose head is bound: their path variables get bound by iteration. */
/** Variables bound by evaluating literal `l` when `safe` are bound before it. */
export function literalOutputs(l: ILit, safe: SlotSet): SlotSet {
  const out: SlotSet = new Set();
  if (l.negated) return out;
  for (const w of l.withs) {
    if (w.value.kind === 'term' && !allSafe(w.value.term, safe)) return out;
  }
  const b = l.body;
  switch (b.k) {
    case 'term':
      refOutputs(b.term, safe, out);
      return out;
    case 'call': {
      for (const a of b.args) refOutputs(a, safe, out);
      if (b.out !== null) refOutputs(b.out, safe, out);
      for (const a of b.args) {
        let ok = true;
        termVars(a, (v) => {
          if (!safe.has(v.slot) && !out.has(v.slot)) ok = false;
        });
        if (!ok) return new Set();
      }
      if (b.out !== null) termVars(b.out, (v) => out.add(v.slot));
      return out;
    }
    case 'unify': {
      refOutputs(b.a, safe, out);
      refOutputs(b.b, safe, out);
      const s = new Set(safe);
      for (const x of out) s.add(x);
      const u = new Unifier(s);
      u.unify(b.a, b.b);
      for (const x of u.safe) if (!safe.has(x)) out.add(x);
      return out;
    }
    case 'somein': {
      refOutputs(b.domain, safe, out);
      let ok = true;
      termVars(b.domain, (v) => {
        if (!safe.has(v.slot) && !out.has(v.slot)) ok = false;
      });
      if (!ok) return new Set();
      if (b.key !== null) termVars(b.key, (v) => out.add(v.slot));
      termVars(b.value, (v) => out.add(v.slot));
      return out;
    }
    case 'every':
      refOutputs(b.domain, safe, out);
      return out;
    case 'logic':
      return out;
  }
}

/** All variables used inside the closures of a literal (comprehensions, every bodies). */
function closureVars(l: ILit): SlotSet {
  const out: SlotSet = new Set();
  litClosures(l, (body) => {
    for (const x of body) litVars(x, (v) => out.add(v.slot), false);
  });
  const b = l.body;
  if (b.k === 'term' || b.k === 'call' || b.k === 'unify' || b.k === 'somein' || b.k === 'every') {
    // comprehension heads are part of the closure
    const visit = (t: ITerm): void => {
      if (t.t === 'compr') {
        if (t.key !== null) termVars(t.key, (v) => out.add(v.slot), false);
        termVars(t.value, (v) => out.add(v.slot), false);
      }
    };
    const all: ITerm[] = [];
    if (b.k === 'term') all.push(b.term);
    else if (b.k === 'call') all.push(...b.args, ...(b.out === null ? [] : [b.out]));
    else if (b.k === 'unify') all.push(b.a, b.b);
    else if (b.k === 'somein') all.push(b.domain, b.value, ...(b.key === null ? [] : [b.key]));
    else all.push(b.domain);
    const walk = (t: ITerm): void => {
      visit(t);
      switch (t.t) {
        case 'ref':
          if (t.head !== 'data' && t.head !== 'input') walk(t.head);
          t.path.forEach(walk);
          return;
        case 'array':
        case 'set':
          t.items.forEach(walk);
          return;
        case 'object':
          t.keys.forEach(walk);
          t.values.forEach(walk);
          return;
        case 'call':
          t.args.forEach(walk);
          return;
        default:
          return;
      }
    };
    all.forEach(walk);
  }
  return out;
}

export interface OrderedBody {
  readonly lits: readonly ILit[];
  /** For negated literals: variables local to the negation (appear nowhere else). */
  readonly negLocals: ReadonlyMap<ILit, SlotSet>;
}

/**
 * Orders `body` so that every literal's inputs are bound before it, given `globals` bound on
 * entry. Throws `rego_unsafe_var_error` for variables nothing binds.
 */
/** Bodies longer than this are refused: ordering them is quadratic in the worst case. */
export const MAX_BODY_LITERALS = 1_000;

export function orderBody(body: readonly ILit[], globals: SlotSet): OrderedBody {
  if (body.length > MAX_BODY_LITERALS) {
    throw new UnsafeVars([
      new CompileFailure('rego_compile_error', `body too long: ${body.length} expressions (limit ${MAX_BODY_LITERALS})`, (body[0] as ILit).loc),
    ]);
  }
  const litVarSets = body.map((l) => {
    const s: SlotSet = new Set();
    litVars(l, (v) => s.add(v.slot));
    return s;
  });
  const closureSets = body.map(closureVars);
  const bodyVars: SlotSet = new Set();
  for (const s of litVarSets) for (const x of s) bodyVars.add(x);
  // As in OPA, variables of a negated literal must be bound before it (`not p[_]` is unsafe).
  const negLocals = new Map<ILit, SlotSet>();
  const safe: SlotSet = new Set(globals);
  const placed: ILit[] = [];
  const done = new Array<boolean>(body.length).fill(false);
  // Whether a literal can be placed depends only on the safety of its own variables: after a
  // failed check it is re-examined only once one of them has become safe (keeps hostile,
  // reverse-ordered bodies from costing a full check per literal per pass).
  let clock = 1;
  const safeAt = new Map<number, number>();
  const checkedAt = new Array<number>(body.length).fill(0);
  const relevant = body.map((_, i) => [...(litVarSets[i] as SlotSet), ...(closureSets[i] as SlotSet)]);
  for (;;) {
    const before = placed.length;
    for (let i = 0; i < body.length; i++) {
      if (done[i] === true) continue;
      const last = checkedAt[i] as number;
      if (last > 0 && !(relevant[i] as number[]).some((v) => (safeAt.get(v) ?? 0) > last)) continue;
      checkedAt[i] = clock;
      const l = body[i] as ILit;
      // Closures may only capture body variables that are already bound.
      let closureOk = true;
      for (const v of closureSets[i] as SlotSet) {
        if (bodyVars.has(v) && !globals.has(v) && !safe.has(v)) closureOk = false;
      }
      if (!closureOk) continue;
      const outs = literalOutputs(l, safe);
      const local = negLocals.get(l);
      let ok = true;
      for (const v of litVarSets[i] as SlotSet) {
        if (!safe.has(v) && !outs.has(v) && !(local?.has(v) ?? false)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      done[i] = true;
      placed.push(l);
      clock++;
      for (const v of outs) {
        if (!safe.has(v)) {
          safe.add(v);
          safeAt.set(v, clock);
        }
      }
    }
    if (placed.length === body.length) return { lits: placed, negLocals };
    if (placed.length === before) break;
  }
  // Report unsafe variables of the literals that could not be placed. Variables that some
  // literal would bind once everything else is bound are consequences, not causes: report the
  // causes first (all of them when there is no clear cause, e.g. a cycle).
  const remaining = body.filter((_, i) => done[i] !== true);
  const unsafeVars: IVar[] = [];
  const seen = new Set<number>();
  for (const l of remaining) {
    const add = (v: IVar): void => {
      if (safe.has(v.slot) || seen.has(v.slot)) return;
      seen.add(v.slot);
      unsafeVars.push(v);
    };
    litVars(l, add);
    litClosures(l, (b) => {
      for (const x of b) litVars(x, (v) => {
        if (bodyVars.has(v.slot)) add(v);
      }, false);
    });
  }
  const bindable = (v: IVar): boolean => {
    const assumed = new Set(bodyVars);
    for (const g of safe) assumed.add(g);
    assumed.delete(v.slot);
    return remaining.some((l) => literalOutputs(l, assumed).has(v.slot));
  };
  const causes = unsafeVars.filter((v) => !bindable(v));
  const report = causes.length > 0 ? causes : unsafeVars;
  const errors = report.map((v) => new CompileFailure('rego_unsafe_var_error', `var ${isGenerated(v.name) ? '_' : v.name} is unsafe`, v.loc));
  if (errors.length === 0) {
    const l = remaining[0] as ILit;
    errors.push(new CompileFailure('rego_unsafe_var_error', 'expression is unsafe', l.loc));
  }
  throw new UnsafeVars(errors);
}

export class UnsafeVars {
  readonly errors: readonly CompileFailure[];

  constructor(errors: readonly CompileFailure[]) {
    this.errors = errors;
  }
}

/** Reports head variables not bound by the body. */
export function checkHeadSafety(terms: readonly ITerm[], safe: SlotSet): void {
  const errors: CompileFailure[] = [];
  const seen = new Set<number>();
  for (const t of terms) {
    termVars(t, (v) => {
      if (!safe.has(v.slot) && !seen.has(v.slot)) {
        seen.add(v.slot);
        errors.push(new CompileFailure('rego_unsafe_var_error', `var ${isGenerated(v.name) ? '_' : v.name} is unsafe`, v.loc));
      }
    });
  }
  if (errors.length > 0) throw new UnsafeVars(errors);
}

export type { Loc };
