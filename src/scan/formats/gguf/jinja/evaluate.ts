/**
 * Abstract evaluation of template expressions: computes what each expression may be (see
 * `values.ts`) and, when `recording`, reports every attribute access whose name is risky or
 * cannot be determined — through `.name`, `[key]`, `|attr(key)`, the attribute arguments of
 * `map`/`selectattr`/`sort`/`groupby`/… and `str.format` fields.
 */
import type { Args, Expr, Prim } from './ast.ts';
import type { IssueKind, TemplateIssue } from './rules.ts';
import { attributeRisk, DANGEROUS_GLOBALS, isDunderName } from './rules.ts';
import { indexString, printf, sliceString } from './string-ops.ts';
import { applyFilter, applyMethod, joinValues } from './calls.ts';
import type { AV } from './values.ts';
import {
  lookup, BOTTOM, BUILT, constant, DATA, derived, globalRef, join, joinAll, lift1, lift2, MAX_STRING, opaque, pyStr, sameAV, seqOf,
  UNKNOWN_BUILT, UNKNOWN_DATA, UNKNOWN_NONE,
} from './values.ts';

/** Globals every Jinja environment (and the chat-template renderers) provide. */
const KNOWN_GLOBALS = new Set(['range', 'dict', 'namespace', 'lipsum', 'cycler', 'joiner', 'loop', 'caller', 'varargs', 'kwargs', 'raise_exception', 'strftime_now']);

export class Evaluator {
  readonly env = new Map<string, AV>();
  readonly macros = new Map<string, readonly string[]>();
  readonly bound = new Set<string>();
  recording = false;
  changed = false;
  readonly issues: TemplateIssue[] = [];

  issue(kind: IssueKind, detail: string, via: string, offset: number): void {
    if (this.recording) this.issues.push({ kind, detail, via, offset });
  }

  /** Joins `v` into the variable's value; notes whether anything changed (fixpoint iteration). */
  assign(name: string, v: AV): void {
    const old = this.env.get(name) ?? BOTTOM;
    const next = join(old, v);
    if (next !== old && fingerprintChanged(old, next)) {
      this.env.set(name, next);
      this.changed = true;
    }
  }

  eval(e: Expr): AV {
    switch (e.k) {
      case 'const':
        if (typeof e.value === 'string' && isDunderName(e.value)) this.issue('dunder-string', e.value, 'string literal', e.at);
        return e.exact ? constant(e.value) : BUILT;
      case 'name':
        return this.name(e.name, e.at);
      case 'seq':
        return seqOf(e.items.map((x) => this.eval(x)));
      case 'dict': {
        const entries = e.entries.map(([k, v]) => [this.eval(k), this.eval(v)] as const);
        return { ...BOTTOM, dicts: [entries.map(([k]) => k)], members: [joinAll(entries.map(([, v]) => v))] };
      }
      case 'getattr': {
        const obj = this.eval(e.obj);
        this.checkName(e.name, '.attribute', e.at);
        if (e.obj.k === 'name') {
          const ns = this.env.get(`${e.obj.name}.${e.name}`);
          if (ns !== undefined) return join(ns, DATA);
        }
        return obj.globals.includes('loop') ? DATA : lookup(obj, e.name);
      }
      case 'getitem':
        return this.getitem(e.obj, e.key, e.at);
      case 'slice':
        return opaque(...[e.start, e.stop, e.step].filter((x): x is Expr => x !== undefined).map((x) => this.eval(x)));
      case 'call':
        return this.call(e.fn, e.args, e.at);
      case 'filter':
        return this.filter(this.eval(e.obj), e.name, e.args, e.at);
      case 'test':
        this.eval(e.obj);
        this.evalArgs(e.args);
        return DATA;
      case 'binop':
        return this.binop(e.op, this.eval(e.left), this.eval(e.right));
      case 'unop': {
        const v = this.eval(e.operand);
        if (e.op === '-') return lift1(v, (x) => (typeof x === 'number' ? -x : undefined));
        if (e.op === '+') return v;
        return DATA;
      }
      case 'cond': {
        this.eval(e.test);
        return join(this.eval(e.then), e.otherwise === undefined ? constant('') : this.eval(e.otherwise));
      }
    }
  }

  name(name: string, at: number): AV {
    const v = this.env.get(name);
    if (this.bound.has(name)) return v ?? BOTTOM;
    if (DANGEROUS_GLOBALS.has(name)) this.issue('dangerous-global', name, 'global', at);
    if (KNOWN_GLOBALS.has(name) || DANGEROUS_GLOBALS.has(name)) return globalRef(name);
    return DATA;
  }

  checkName(name: string, via: string, at: number): void {
    const risk = attributeRisk(name);
    if (risk !== undefined) this.issue(risk, name, via, at);
  }

  /** Judges an attribute key value. `strict`: plain caller data counts as dynamic too. */
  checkKey(key: AV, via: string, at: number, strict: boolean): void {
    for (const c of key.consts) if (typeof c === 'string') this.checkName(c, via, at);
    if (key.unknown === UNKNOWN_BUILT) this.issue('dynamic-attribute', 'computed name', via, at);
    else if (strict && (key.unknown === UNKNOWN_DATA || key.globals.length > 0 || key.seqs.length > 0 || key.dicts.length > 0)) {
      this.issue('dynamic-attribute', 'non-literal name', via, at);
    }
  }

  /** `attribute=` arguments are dotted paths (`a.b.0`). */
  checkAttributePath(key: AV, via: string, at: number): void {
    for (const c of key.consts) if (typeof c === 'string') for (const part of c.split('.')) this.checkName(part, via, at);
    if (key.unknown !== UNKNOWN_NONE) this.issue('dynamic-attribute', 'non-literal attribute path', via, at);
  }

  getitem(objExpr: Expr, keyExpr: Expr, at: number): AV {
    const obj = this.eval(objExpr);
    if (keyExpr.k === 'slice') {
      const parts = [keyExpr.start, keyExpr.stop, keyExpr.step].map((x) => (x === undefined ? constant(null) : this.eval(x)));
      const [a = BOTTOM, b = BOTTOM, c = BOTTOM] = parts;
      if (obj.consts.length > 0 && a.consts.length === 1 && b.consts.length === 1 && c.consts.length === 1) {
        const num = (v: Prim | undefined): number | null | undefined => (v === null ? null : typeof v === 'number' ? v : undefined);
        const [sa, sb, sc] = [num(a.consts[0]), num(b.consts[0]), num(c.consts[0])];
        if (sa !== undefined && sb !== undefined && sc !== undefined) {
          const sliced = lift1(obj, (x) => (typeof x === 'string' ? sliceString(x, sa, sb, sc) : undefined));
          const seqs = obj.seqs.map((s) => s.slice(sa ?? undefined, sb ?? undefined));
          return sc === null || sc === 1 ? join(sliced, seqs.length > 0 ? { ...BOTTOM, seqs } : BOTTOM) : sliced;
        }
      }
      return derived(obj, ...parts);
    }
    const key = this.eval(keyExpr);
    this.checkKey(key, '[subscript]', at, false);
    let out = BOTTOM;
    if (obj.consts.length > 0) out = join(out, lift2(obj, key, (s, i) => (typeof s === 'string' ? indexString(s, i) : undefined)));
    for (const s of obj.seqs) {
      const idx = key.consts.filter((k): k is number => typeof k === 'number');
      out = join(out, idx.length === key.consts.length && key.unknown === UNKNOWN_NONE ? joinAll(idx.map((i) => s.at(i) ?? BOTTOM)) : joinAll(s));
    }
    if (obj.dicts.length > 0) out = join(out, obj.members[0] ?? BOTTOM);
    if (obj.globals.length > 0) out = join(out, BUILT);
    if (obj.unknown !== UNKNOWN_NONE) out = join(out, obj.unknown === UNKNOWN_BUILT ? BUILT : DATA);
    return out;
  }

  evalArgs(args: Args): { pos: AV[]; kw: Map<string, AV> } {
    const pos = args.positional.map((a) => this.eval(a));
    const kw = new Map(args.keywords.map(([k, v]) => [k, this.eval(v)] as const));
    for (const s of args.spread) pos.push(this.eval(s));
    return { pos, kw };
  }

  call(fn: Expr, args: Args, at: number): AV {
    if (fn.k === 'getattr') {
      const recv = this.eval(fn.obj);
      this.checkName(fn.name, '.method()', fn.at);
      const { pos, kw } = this.evalArgs(args);
      return this.method(recv, fn.name, pos, kw, at);
    }
    if (fn.k === 'name' && !this.bound.has(fn.name)) {
      const { pos, kw } = this.evalArgs(args);
      if (fn.name === 'dict') {
        const keys = [...kw.keys()].map((k) => constant(k));
        return { ...BOTTOM, dicts: [keys], members: [joinAll([...kw.values()])], unknown: pos.length > 0 ? UNKNOWN_BUILT : UNKNOWN_NONE };
      }
      if (DANGEROUS_GLOBALS.has(fn.name)) this.name(fn.name, fn.at);
      if (fn.name === 'range' || fn.name === 'raise_exception' || fn.name === 'strftime_now' || fn.name === 'namespace') return DATA;
      return KNOWN_GLOBALS.has(fn.name) || DANGEROUS_GLOBALS.has(fn.name) ? BUILT : DATA;
    }
    if (fn.k === 'name' && this.macros.has(fn.name)) {
      const params = this.macros.get(fn.name) ?? [];
      const { pos, kw } = this.evalArgs(args);
      pos.forEach((v, i) => {
        const p = params[i];
        if (p !== undefined) this.assign(p, v);
      });
      for (const [k, v] of kw) if (params.includes(k)) this.assign(k, v);
      return BUILT;
    }
    const f = this.eval(fn);
    const { pos, kw } = this.evalArgs(args);
    return derived(f, ...pos, ...kw.values());
  }

  method(recv: AV, name: string, pos: AV[], kw: Map<string, AV>, at: number): AV {
    return applyMethod(this, recv, name, pos, kw, at);
  }

  joinValues(iterable: AV, sep: AV): AV {
    return joinValues(this, iterable, sep);
  }

  filter(obj: AV, name: string, args: Args, at: number, preEvaluated?: AV[]): AV {
    return applyFilter(this, obj, name, args, at, preEvaluated);
  }

  binop(op: string, l: AV, r: AV): AV {
    // Arithmetic on caller data (`loop.index0 - 1`) yields numbers, not constructed strings.
    if (op !== '~' && numericOnly(l) && numericOnly(r) && (l.unknown !== UNKNOWN_NONE || r.unknown !== UNKNOWN_NONE)) {
      return l.unknown === UNKNOWN_BUILT || r.unknown === UNKNOWN_BUILT ? BUILT : DATA;
    }
    switch (op) {
      case '~':
        return lift2(l, r, (a, b) => pyStr(a) + pyStr(b));
      case '+': {
        if (l.seqs.length > 0 && r.seqs.length > 0) return { ...BOTTOM, seqs: l.seqs.flatMap((a) => r.seqs.map((b) => [...a, ...b])).slice(0, 8) };
        return lift2(l, r, (a, b) => (typeof a === 'number' && typeof b === 'number' ? a + b : typeof a === 'string' && typeof b === 'string' ? a + b : undefined));
      }
      case '*':
        if (l.seqs.length > 0 && r.consts.length === 1 && typeof r.consts[0] === 'number') {
          const n = Math.min(16, Math.max(0, r.consts[0]));
          return { ...BOTTOM, seqs: l.seqs.map((s) => Array.from({ length: n }, () => s).flat()) };
        }
        return lift2(l, r, (a, b) => {
          if (typeof a === 'number' && typeof b === 'number') return a * b;
          const [s, n] = typeof a === 'string' ? [a, b] : [b, a];
          return typeof s === 'string' && typeof n === 'number' && Number.isInteger(n) && n * s.length <= MAX_STRING ? s.repeat(Math.max(0, n)) : undefined;
        });
      case '%': {
        const args = r.seqs.length === 1 && r.consts.length === 0 ? r.seqs[0] ?? [] : [r];
        const argConsts = args.map((a) => (a.consts.length === 1 && a.unknown === UNKNOWN_NONE && a.seqs.length === 0 ? a.consts[0] : undefined));
        if (argConsts.every((x) => x !== undefined) && l.consts.length > 0) {
          return lift1(l, (f) => (typeof f === 'string' ? printf(f, argConsts as Prim[]) : typeof f === 'number' && typeof argConsts[0] === 'number' ? f % argConsts[0] : undefined));
        }
        return derived(l, r);
      }
      case '-':
      case '/':
      case '//':
      case '**':
        return lift2(l, r, (a, b) => (typeof a === 'number' && typeof b === 'number' ? arith(op, a, b) : undefined));
      case 'and':
      case 'or':
        return join(l, r);
      default:
        return DATA;
    }
  }
}

function numericOnly(a: AV): boolean {
  return a.seqs.length === 0 && a.dicts.length === 0 && a.globals.length === 0 && a.consts.every((c) => typeof c !== 'string');
}

function arith(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '-':
      return a - b;
    case '/':
      return b === 0 ? undefined : a / b;
    case '//':
      return b === 0 ? undefined : Math.floor(a / b);
    default:
      return Math.abs(b) > 64 ? undefined : a ** b;
  }
}

function fingerprintChanged(a: AV, b: AV): boolean {
  return !sameAV(a, b);
}

