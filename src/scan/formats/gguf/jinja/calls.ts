/**
 * Method calls on constants (`'…'.format(…)`, `.replace`, `.join`, `.split` …) and Jinja filters
 * (`attr`, `map`, `join`, `replace`, `format`, `first`/`last`, `list` …) for the abstract
 * evaluation: folds what they compute on known strings and checks the attribute names that
 * `attr`, `map(attribute=)`, `selectattr`, `sort(attribute=)` … reach.
 */
import type { Args, Prim } from './ast.ts';
import { NO_ARGS } from './ast.ts';
import type { Evaluator } from './evaluate.ts';
import { formatFieldAttributes } from './rules.ts';
import { printf, replaceString, strFormat, unaryStringOp } from './string-ops.ts';
import type { AV } from './values.ts';
import {
  BOTTOM, BUILT, constant, consts, derived, elementsOf, join, joinAll, lift1, lift2, pyStr, seqOf, stringsOf, UNKNOWN_BUILT, UNKNOWN_NONE,
} from './values.ts';

const ATTRIBUTE_KW_FILTERS = new Set(['map', 'sort', 'sum', 'unique', 'min', 'max', 'groupby', 'dictsort', 'join']);
const ATTRIBUTE_POS_FILTERS = new Set(['selectattr', 'rejectattr', 'groupby']);

export function applyMethod(ev: Evaluator, recv: AV, name: string, pos: AV[], kw: Map<string, AV>, at: number): AV {
  const strs = recv.consts.filter((c): c is string => typeof c === 'string');
  if (name === 'format' || name === 'format_map') {
    for (const s of strs) for (const a of formatFieldAttributes(s)) ev.checkName(a, 'str.format field', at);
    if (recv.unknown === UNKNOWN_BUILT) ev.issue('dynamic-attribute', 'computed format string', 'str.format', at);
    if (name === 'format' && strs.length === recv.consts.length && strs.length > 0) {
      const argConsts = pos.map((p) => (p.consts.length === 1 && p.unknown === UNKNOWN_NONE ? p.consts[0] : undefined));
      const kwConsts = new Map<string, Prim>();
      let exact = argConsts.every((x) => x !== undefined);
      for (const [k, v] of kw) {
        if (v.consts.length === 1 && v.unknown === UNKNOWN_NONE) kwConsts.set(k, v.consts[0] ?? null);
        else exact = false;
      }
      if (exact) {
        const out = strs.map((s) => strFormat(s, argConsts as Prim[], kwConsts));
        if (out.every((x): x is string => x !== undefined)) return consts(out);
      }
    }
    return derived(recv, ...pos, ...kw.values());
  }
  if (strs.length > 0 && strs.length === recv.consts.length && recv.unknown === UNKNOWN_NONE) {
    const unary = strs.map((s) => (pos.length === 0 ? unaryStringOp(name, s) : undefined));
    if (unary.every((x): x is string => x !== undefined)) return consts(unary);
    if (name === 'replace' && pos.length >= 2) return ev.filter(recv, 'replace', NO_ARGS, at, pos);
    if (name === 'join' && pos.length === 1 && pos[0] !== undefined) return ev.joinValues(pos[0], recv);
    if (name === 'split' && pos.length <= 1) {
      const sep = pos[0] === undefined ? undefined : stringsOf(pos[0]);
      if (pos.length === 0 || (sep !== undefined && sep.length === 1 && sep[0] !== '')) {
        return joinAll(strs.map((s) => seqOf((sep === undefined ? s.trim().split(/\s+/) : s.split(sep[0] ?? '')).map((p) => constant(p)))));
      }
    }
    if ((name === 'removeprefix' || name === 'removesuffix') && pos.length === 1 && pos[0] !== undefined) {
      return lift2(recv, pos[0], (s, p) =>
        typeof s === 'string' && typeof p === 'string' ? (name === 'removeprefix' ? (s.startsWith(p) ? s.slice(p.length) : s) : s.endsWith(p) && p !== '' ? s.slice(0, -p.length) : s) : undefined,
      );
    }
  }
  if (name === 'items' || name === 'keys' || name === 'values') {
    if (recv.dicts.length > 0) {
      const keys = joinAll(recv.dicts.flat());
      const values = recv.members[0] ?? BUILT;
      return name === 'keys' ? seqOf([keys]) : name === 'values' ? seqOf([values]) : seqOf([seqOf([keys, values])]);
    }
  }
  return derived(recv, ...pos, ...kw.values());
}

export function joinValues(ev: Evaluator, iterable: AV, sep: AV): AV {
  const seps = stringsOf(sep);
  if (seps === undefined) return derived(iterable, sep);
  let out = BOTTOM;
  const lists: AV[][] = [...iterable.seqs.map((s) => [...s]), ...iterable.dicts.map((d) => [...d])];
  for (const list of lists) {
    let acc: AV = constant('');
    list.forEach((item, i) => {
      const piece = i === 0 ? item : ev.binop('~', joinAll(seps.map((s) => constant(s))), item);
      acc = ev.binop('~', acc, piece);
    });
    out = join(out, acc);
  }
  for (const c of iterable.consts) {
    if (typeof c === 'string') out = join(out, consts(seps.map((s) => [...c].join(s))));
  }
  if (iterable.unknown !== UNKNOWN_NONE || iterable.globals.length > 0) out = join(out, derived(iterable));
  return out === BOTTOM ? constant('') : out;
}

export function applyFilter(ev: Evaluator, obj: AV, name: string, args: Args, at: number, preEvaluated?: AV[]): AV {
  const { pos, kw } = preEvaluated === undefined ? ev.evalArgs(args) : { pos: preEvaluated, kw: new Map<string, AV>() };
  const attr = kw.get('attribute');
  if (attr !== undefined && ATTRIBUTE_KW_FILTERS.has(name)) ev.checkAttributePath(attr, `|${name}(attribute=)`, at);
  if (ATTRIBUTE_POS_FILTERS.has(name) && pos[0] !== undefined) ev.checkAttributePath(pos[0], `|${name}`, at);
  switch (name) {
    case 'attr':
      if (pos[0] === undefined) return BUILT;
      ev.checkKey(pos[0], '|attr()', at, true);
      return derived(obj);
    case 'map': {
      if (attr !== undefined || pos[0] === undefined) return derived(obj);
      const filterNames = stringsOf(pos[0]);
      if (filterNames === undefined) ev.issue('dynamic-attribute', 'computed filter name', '|map()', at);
      else if (filterNames.includes('attr') && pos[1] !== undefined) ev.checkKey(pos[1], '|map("attr")', at, true);
      return derived(obj);
    }
    case 'join':
      return ev.joinValues(obj, pos[0] ?? constant(''));
    case 'replace': {
      const [from = BOTTOM, to = BOTTOM, count] = pos;
      const n = count?.consts[0];
      const r = lift2(obj, from, (s, f) => (typeof s === 'string' && typeof f === 'string' ? `${s}\u0000${f}` : undefined));
      return lift2(r, to, (sf, t) => {
        if (typeof sf !== 'string' || typeof t !== 'string') return undefined;
        const [s = '', f = ''] = sf.split('\u0000');
        return replaceString(s, f, t, typeof n === 'number' ? n : undefined);
      });
    }
    case 'format': {
      const argConsts = pos.map((p) => (p.consts.length === 1 && p.unknown === UNKNOWN_NONE ? p.consts[0] : undefined));
      if (!argConsts.every((x) => x !== undefined)) return derived(obj, ...pos);
      return lift1(obj, (s) => (typeof s === 'string' ? printf(s, argConsts as Prim[]) : undefined));
    }
    case 'first':
    case 'last': {
      let out = BOTTOM;
      for (const s of obj.seqs) out = join(out, (name === 'first' ? s[0] : s.at(-1)) ?? BOTTOM);
      for (const d of obj.dicts) out = join(out, (name === 'first' ? d[0] : d.at(-1)) ?? BOTTOM);
      if (obj.consts.length > 0) out = join(out, lift1(obj, (s) => (typeof s === 'string' ? (name === 'first' ? [...s][0] : [...s].at(-1)) : undefined)));
      if (obj.unknown !== UNKNOWN_NONE || obj.globals.length > 0) out = join(out, derived(obj));
      return out;
    }
    case 'list':
      return join(seqOf([elementsOf(obj)]), obj.seqs.length > 0 ? { ...BOTTOM, seqs: obj.seqs } : BOTTOM);
    case 'default':
    case 'd':
      return join(obj, pos[0] ?? constant(''));
    case 'length':
    case 'count':
    case 'wordcount':
      return lift1(obj, (s) => (typeof s === 'string' ? [...s].length : undefined));
    case 'int':
    case 'float':
    case 'abs':
    case 'round':
      return obj.unknown === UNKNOWN_NONE && obj.consts.length > 0 ? lift1(obj, (x) => (typeof x === 'number' ? x : undefined)) : derived(obj);
    case 'string':
      return obj.seqs.length > 0 || obj.dicts.length > 0 || obj.globals.length > 0 ? BUILT : lift1(obj, (x) => pyStr(x));
    case 'items':
    case 'dictsort':
      return obj.dicts.length > 0 ? seqOf([seqOf([joinAll(obj.dicts.flat()), obj.members[0] ?? BUILT])]) : derived(obj);
    default: {
      if (pos.length === 0 && kw.size === 0 && obj.consts.length > 0) {
        const r = lift1(obj, (s) => (typeof s === 'string' ? unaryStringOp(name, s) : undefined));
        if (r.consts.length > 0) return r;
      }
      if (name === 'reverse' && obj.seqs.length > 0) return { ...BOTTOM, seqs: obj.seqs.map((s) => [...s].reverse()) };
      return derived(obj, ...pos, ...kw.values());
    }
  }
}
