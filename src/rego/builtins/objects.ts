/** Object builtins: get, keys, filter, remove, union, union_n, subset. */
import { compareValues, RObject, RSet, valuesEqual, type RArray, type Value } from '../value.ts';
import { ANY_OBJECT, anyOf, arg, array, arrayOf, elementError, fn, obj, setOf, typeError } from './args.ts';
import { BuiltinError, type BuiltinDecl } from './types.ts';

/** Follow a path of keys/indexes/members through nested values (OPA's Value.Find). */
export function findPath(root: Value, path: RArray): Value | undefined {
  let cur: Value = root;
  for (const key of path) {
    if (cur instanceof RObject) {
      const next = cur.get(key);
      if (next === undefined) return undefined;
      cur = next;
    } else if (Array.isArray(cur)) {
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= cur.length) return undefined;
      cur = (cur as RArray)[key] as Value;
    } else if (cur instanceof RSet) {
      if (!cur.has(key)) return undefined;
      cur = key;
    } else return undefined;
  }
  return cur;
}

function objectGet(args: readonly Value[]): Value {
  const o = obj('object.get', args, 0);
  const key = arg(args, 1);
  const dflt = arg(args, 2);
  if (!Array.isArray(key)) return o.get(key) ?? dflt;
  if (key.length === 0) return o;
  return findPath(o, key as RArray) ?? dflt;
}

function keySet(name: string, v: Value): RSet | RObject {
  if (v instanceof RSet || v instanceof RObject) return v;
  if (Array.isArray(v)) return RSet.of(v as RArray);
  throw typeError(name, 2, v, 'object', 'set', 'array');
}

function filterObject(args: readonly Value[]): Value {
  const o = obj('object.filter', args, 0);
  const keys = keySet('object.filter', arg(args, 1));
  const out = new RObject();
  const small = keys.size < o.size;
  if (small) {
    const list = keys instanceof RSet ? keys.values() : keys.keys();
    for (const k of list) {
      const v = o.get(k);
      if (v !== undefined) out.set(k, v);
    }
  } else {
    o.forEach((k, v) => {
      if (keys.has(k)) out.set(k, v);
    });
  }
  return out;
}

function removeKeys(args: readonly Value[]): Value {
  const o = obj('object.remove', args, 0);
  const keys = keySet('object.remove', arg(args, 1));
  const out = new RObject();
  o.forEach((k, v) => {
    if (!keys.has(k)) out.set(k, v);
  });
  return out;
}

/** Recursive merge; b wins, nested objects merge. */
export function mergeObjects(a: RObject, b: RObject): RObject {
  if (b.size === 0) return a;
  const out = new RObject();
  a.forEach((k, v) => {
    out.set(k, v);
  });
  b.forEach((k, v) => {
    const prev = a.get(k);
    out.set(k, prev instanceof RObject && v instanceof RObject ? mergeObjects(prev, v) : v);
  });
  return out;
}

function unionN(args: readonly Value[]): Value {
  const arr = array('object.union_n', args, 0);
  let acc = new RObject();
  for (const x of arr) {
    if (!(x instanceof RObject)) throw elementError('object.union_n', 1, arr, x, 'object');
    acc = acc.size === 0 ? x : mergeObjects(acc, x);
  }
  return acc;
}

function arraySubset(sup: RArray, sub: RArray): boolean {
  if (sub.length > sup.length) return false;
  if (sub.length === 0) return true;
  outer: for (let i = 0; i + sub.length <= sup.length; i++) {
    for (let j = 0; j < sub.length; j++) {
      if (compareValues(sup[i + j] as Value, sub[j] as Value) !== 0) continue outer;
    }
    return true;
  }
  return false;
}

function setSubset(sup: RSet, sub: RSet): boolean {
  for (const v of sub.values()) if (!sup.has(v)) return false;
  return true;
}

function objectSubset(sup: RObject, sub: RObject): boolean {
  let ok = true;
  sub.forEach((k, v) => {
    const w = sup.get(k);
    if (w === undefined) ok = false;
    else if (valuesEqual(v, w)) ok = true;
    else if (w instanceof RObject && v instanceof RObject) ok = objectSubset(w, v);
    else if (w instanceof RSet && v instanceof RSet) ok = setSubset(w, v);
    else if (Array.isArray(w) && Array.isArray(v)) ok = arraySubset(w as RArray, v as RArray);
    else ok = false;
    return ok;
  });
  return ok;
}

function subset(args: readonly Value[]): Value {
  const sup = arg(args, 0);
  const sub = arg(args, 1);
  if (sup instanceof RObject && sub instanceof RObject) return objectSubset(sup, sub);
  if (sup instanceof RSet && sub instanceof RSet) return setSubset(sup, sub);
  if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup as RArray, sub as RArray);
  if (Array.isArray(sup) && sub instanceof RSet) {
    let unmatched = sub.size;
    if (unmatched === 0) return (sup as RArray).length > 0; // as OPA
    const seen = new RSet();
    for (const x of sup as RArray) {
      if (sub.has(x) && seen.add(x)) unmatched--;
      if (unmatched === 0) return true;
    }
    return false;
  }
  throw new BuiltinError('eval_type_error', 'object.subset: both arguments object.subset must be of the same type or array and set');
}

const KEYS = anyOf(arrayOf('any'), ANY_OBJECT, setOf('any'));

export const OBJECT_BUILTINS: readonly BuiltinDecl[] = [
  fn('object.get', [ANY_OBJECT, 'any', 'any'], 'any', objectGet),
  fn('object.keys', [ANY_OBJECT], setOf('any'), (args) => RSet.of(obj('object.keys', args, 0).keys())),
  fn('object.filter', [ANY_OBJECT, KEYS], 'any', filterObject),
  fn('object.remove', [ANY_OBJECT, KEYS], 'any', removeKeys),
  fn('object.union', [ANY_OBJECT, ANY_OBJECT], 'any', (args) => mergeObjects(obj('object.union', args, 0), obj('object.union', args, 1))),
  fn('object.union_n', [arrayOf(ANY_OBJECT)], 'any', unionN),
  fn('object.subset', [KEYS, KEYS], 'any', subset),
];
