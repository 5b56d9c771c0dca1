/**
 * Abstract values for the template analysis. A value is the set of things an expression may
 * evaluate to: constants (strings, numbers …) the analysis could compute exactly, literal
 * sequences and dict keys, Jinja globals, and an "unknown" part that is either plain data from
 * the caller (`messages`, loop variables over them) or — what matters — a string built by
 * operations the analysis could not follow. Sets are capped; overflowing one makes the value
 * "built" so it can never pass for a harmless constant.
 */
import type { Prim } from './ast.ts';

export const UNKNOWN_NONE = 0;
/** Opaque data the template received (messages, tools …). */
export const UNKNOWN_DATA = 1;
/** Computed by string operations the analysis cannot follow (may spell anything). */
export const UNKNOWN_BUILT = 2;
export type Unknown = 0 | 1 | 2;

export interface AV {
  readonly consts: readonly Prim[];
  readonly seqs: ReadonlyArray<readonly AV[]>;
  /** Key sets of dict literals / `dict(...)` calls. */
  readonly dicts: ReadonlyArray<readonly AV[]>;
  /** What the values of those dicts may be (at most one joined value). */
  readonly members: readonly AV[];
  readonly globals: readonly string[];
  readonly unknown: Unknown;
}

export const MAX_CONSTS = 64;
const MAX_SEQS = 8;
/** Longest string constant the analysis keeps; a longer one is a built, unknown value. */
export const MAX_STRING = 4096;

export const BOTTOM: AV = { consts: [], seqs: [], dicts: [], members: [], globals: [], unknown: UNKNOWN_NONE };
export const DATA: AV = { ...BOTTOM, unknown: UNKNOWN_DATA };
export const BUILT: AV = { ...BOTTOM, unknown: UNKNOWN_BUILT };

export function consts(values: readonly Prim[]): AV {
  const uniq = dedupe(values);
  if (uniq.length > MAX_CONSTS || uniq.some((v) => typeof v === 'string' && v.length > MAX_STRING)) return BUILT;
  return { ...BOTTOM, consts: uniq };
}

export function constant(v: Prim): AV {
  return consts([v]);
}

export function seqOf(items: readonly AV[]): AV {
  return { ...BOTTOM, seqs: [items] };
}

export function globalRef(name: string): AV {
  return { ...BOTTOM, globals: [name] };
}

function dedupe(values: readonly Prim[]): Prim[] {
  const seen = new Set<string>();
  const out: Prim[] = [];
  for (const v of values) {
    const key = `${typeof v}:${String(v)}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

export function join(a: AV, b: AV): AV {
  if (a === BOTTOM) return b;
  if (b === BOTTOM) return a;
  const c = dedupe([...a.consts, ...b.consts]);
  const seqs = uniqueLists([...a.seqs, ...b.seqs]);
  const dicts = uniqueLists([...a.dicts, ...b.dicts]);
  const overflow = c.length > MAX_CONSTS || seqs.length > MAX_SEQS || dicts.length > MAX_SEQS;
  const unknown = Math.max(a.unknown, b.unknown, overflow ? UNKNOWN_BUILT : UNKNOWN_NONE) as Unknown;
  const members = a.members.length + b.members.length === 0 ? [] : [join(a.members[0] ?? BOTTOM, b.members[0] ?? BOTTOM)];
  return {
    consts: overflow ? [] : c,
    seqs: overflow ? [] : seqs,
    dicts: overflow ? [] : dicts,
    members: overflow ? [] : members,
    globals: [...new Set([...a.globals, ...b.globals])],
    unknown,
  };
}

function uniqueLists(lists: ReadonlyArray<readonly AV[]>): Array<readonly AV[]> {
  const seen = new Set<string>();
  const out: Array<readonly AV[]> = [];
  for (const l of lists) {
    const key = l.map((x) => fingerprint(x)).join(',');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(l);
    }
  }
  return out;
}

export function joinAll(values: readonly AV[]): AV {
  return values.reduce(join, BOTTOM);
}

/** Structural equality used to detect the analysis' fixpoint. */
export function sameAV(a: AV, b: AV): boolean {
  return fingerprint(a) === fingerprint(b);
}

export function fingerprint(a: AV, depth = 0): string {
  if (depth > 6) return '…';
  const seqs = a.seqs.map((s) => `[${s.map((x) => fingerprint(x, depth + 1)).join(',')}]`).join(';');
  const dicts = a.dicts.map((s) => `{${s.map((x) => fingerprint(x, depth + 1)).join(',')}}`).join(';');
  const members = a.members.map((x) => fingerprint(x, depth + 1)).join(';');
  return `${a.unknown}|${a.consts.map((v) => `${typeof v}:${String(v)}`).join(',')}|${seqs}|${dicts}|${members}|${a.globals.join(',')}`;
}

/** True when anything constant or built flows into `a` (so derived strings count as built). */
export function carriesConstruction(a: AV): boolean {
  return a.consts.length > 0 || a.seqs.length > 0 || a.dicts.length > 0 || a.unknown === UNKNOWN_BUILT || a.globals.length > 0;
}

/** Result of an operation the analysis does not model, derived from `inputs`. */
export function opaque(...inputs: AV[]): AV {
  const built = inputs.some(carriesConstruction);
  const data = inputs.some((a) => a.unknown !== UNKNOWN_NONE);
  return built ? BUILT : data ? DATA : BUILT;
}

/** Python's `str()` of a constant. */
export function pyStr(v: Prim): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v);
  return v;
}

function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const s = String(v);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** Every string this value may stringify to, or undefined when not all are known. */
export function stringsOf(a: AV): string[] | undefined {
  if (a.unknown !== UNKNOWN_NONE || a.seqs.length > 0 || a.dicts.length > 0 || a.globals.length > 0) return undefined;
  return a.consts.map(pyStr);
}

/** Applies `f` to every combination of known constants (capped); anything else makes it opaque. */
export function lift2(a: AV, b: AV, f: (x: Prim, y: Prim) => Prim | undefined): AV {
  if (a.consts.length === 0 || b.consts.length === 0 || a.consts.length * b.consts.length > MAX_CONSTS * 4) return opaque(a, b);
  const out: Prim[] = [];
  for (const x of a.consts) {
    for (const y of b.consts) {
      const r = f(x, y);
      if (r === undefined) return opaque(a, b);
      out.push(r);
    }
  }
  const partial = a.unknown !== UNKNOWN_NONE || b.unknown !== UNKNOWN_NONE || a.seqs.length + b.seqs.length + a.dicts.length + b.dicts.length > 0;
  return partial ? join(consts(out), BUILT) : consts(out);
}

export function lift1(a: AV, f: (x: Prim) => Prim | undefined): AV {
  if (a.consts.length === 0) return opaque(a);
  const out: Prim[] = [];
  for (const x of a.consts) {
    const r = f(x);
    if (r === undefined) return opaque(a);
    out.push(r);
  }
  const partial = a.unknown !== UNKNOWN_NONE || a.seqs.length + a.dicts.length > 0;
  return partial ? join(consts(out), BUILT) : consts(out);
}

/** Possible elements of an iterable value (list items, dict keys, string characters). */
export function elementsOf(a: AV): AV {
  let out = BOTTOM;
  for (const s of a.seqs) out = join(out, joinAll(s));
  for (const d of a.dicts) out = join(out, joinAll(d));
  const chars: string[] = [];
  for (const c of a.consts) if (typeof c === 'string') chars.push(...c);
  if (chars.length > 0) out = join(out, consts(chars));
  if (a.unknown !== UNKNOWN_NONE) out = join(out, a.unknown === UNKNOWN_BUILT ? BUILT : DATA);
  return out;
}

/** A value derived from others by an unmodelled operation: caller data stays data, anything else is built. */
export function derived(...inputs: AV[]): AV {
  if (inputs.every((a) => a.consts.length === 0 && a.seqs.length === 0 && a.dicts.length === 0 && a.globals.length === 0)) {
    return inputs.some((a) => a.unknown === UNKNOWN_BUILT) ? BUILT : DATA;
  }
  return opaque(...inputs);
}

/** Methods of Python lists, dicts and strings: looking one up yields a bound method. */
const LIST_METHODS = new Set(['append', 'clear', 'copy', 'count', 'extend', 'index', 'insert', 'pop', 'remove', 'reverse', 'sort']);
const DICT_METHODS = new Set(['clear', 'copy', 'fromkeys', 'get', 'items', 'keys', 'pop', 'popitem', 'setdefault', 'update', 'values']);
const STR_METHODS = new Set([
  'capitalize', 'casefold', 'center', 'count', 'encode', 'endswith', 'expandtabs', 'find', 'format', 'format_map', 'index',
  'isalnum', 'isalpha', 'isascii', 'isdecimal', 'isdigit', 'isidentifier', 'islower', 'isnumeric', 'isprintable', 'isspace',
  'istitle', 'isupper', 'join', 'ljust', 'lower', 'lstrip', 'maketrans', 'partition', 'removeprefix', 'removesuffix',
  'replace', 'rfind', 'rindex', 'rjust', 'rpartition', 'rsplit', 'rstrip', 'split', 'splitlines', 'startswith', 'strip',
  'swapcase', 'title', 'translate', 'upper', 'zfill',
]);

/**
 * `obj.name` as Jinja evaluates it: a method of a literal list, dict or string is a bound
 * method (built: its `|string` spells characters); a dict literal's other names are its values
 * (Jinja falls back from attribute to item); any other name of a literal is Undefined (data).
 * Globals and unknown values derive as before.
 */
export function lookup(obj: AV, name: string): AV {
  let out = BOTTOM;
  if (obj.dicts.length > 0) out = join(out, DICT_METHODS.has(name) ? BUILT : (obj.members[0] ?? BOTTOM));
  if (obj.seqs.length > 0) out = join(out, LIST_METHODS.has(name) ? BUILT : DATA);
  if (obj.consts.length > 0) out = join(out, STR_METHODS.has(name) || obj.consts.some((c) => typeof c !== 'string') ? BUILT : DATA);
  if (obj.globals.length > 0 || obj.unknown !== UNKNOWN_NONE) out = join(out, derived({ ...BOTTOM, globals: obj.globals, unknown: obj.unknown }));
  return out;
}
