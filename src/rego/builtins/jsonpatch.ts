/**
 * `json.patch` (RFC 6902 over Rego values, with OPA's extension to sets: a set member is
 * addressed by its own value). A patch that cannot apply makes the call undefined, as in OPA.
 */
import { RObject, RSet, valuesEqual, type RArray, type Value } from '../value.ts';
import { ANY_OBJECT, array, arrayOf, fn } from './args.ts';
import { parsePath, type Path } from './json-paths.ts';
import type { BuiltinDecl } from './types.ts';

class PatchError extends Error {}

const INT = /^[+-]?\d+$/;

/** OPA's edittree index rules: "-" is the end, no leading zeros, numbers must be integers. */
function toIndex(length: number, key: Value): number {
  if (typeof key === 'number') {
    if (!Number.isInteger(key)) throw new PatchError('invalid number type for indexing');
    return key;
  }
  if (typeof key === 'string') {
    if (key === '-') return length;
    if (!INT.test(key)) throw new PatchError('invalid string for indexing');
    if (key !== '0' && key.startsWith('0')) throw new PatchError('leading zeros are not allowed in JSON paths');
    return Number(key);
  }
  throw new PatchError('invalid type for indexing');
}

function child(doc: Value, key: Value): Value {
  if (doc instanceof RObject) {
    const v = doc.get(key);
    if (v === undefined) throw new PatchError('path does not exist');
    return v;
  }
  if (Array.isArray(doc)) {
    const i = toIndex(doc.length, key);
    if (i < 0 || i >= doc.length) throw new PatchError('index out of range');
    return (doc as RArray)[i] as Value;
  }
  if (doc instanceof RSet) {
    if (!doc.has(key)) throw new PatchError('path does not exist');
    return key;
  }
  throw new PatchError('cannot descend into a scalar');
}

function replaceChild(doc: Value, key: Value, next: Value): Value {
  if (doc instanceof RObject) {
    const out = new RObject();
    doc.forEach((k, v) => {
      out.set(k, valuesEqual(k, key) ? next : v);
    });
    return out;
  }
  if (Array.isArray(doc)) {
    const out = (doc as RArray).slice();
    out[toIndex(doc.length, key)] = next;
    return out;
  }
  const out = new RSet();
  for (const v of (doc as RSet).values()) out.add(valuesEqual(v, key) ? next : v);
  return out;
}

function insertAt(doc: Value, path: Path, value: Value): Value {
  if (path.length === 0) return value;
  const key = path[0] as Value;
  if (path.length > 1) return replaceChild(doc, key, insertAt(child(doc, key), path.slice(1), value));
  if (doc instanceof RObject) {
    const out = new RObject();
    doc.forEach((k, v) => {
      out.set(k, v);
    });
    out.set(key, value);
    return out;
  }
  if (Array.isArray(doc)) {
    const i = toIndex(doc.length, key);
    if (i < 0 || i > doc.length) throw new PatchError('index out of range');
    const out = (doc as RArray).slice();
    out.splice(i, 0, value);
    return out;
  }
  if (doc instanceof RSet) {
    if (!valuesEqual(key, value)) throw new PatchError('set member key and value differ');
    const out = RSet.of(doc.values());
    out.add(value);
    return out;
  }
  throw new PatchError('cannot insert into a scalar');
}

function deleteAt(doc: Value, path: Path): Value {
  if (path.length === 0) throw new PatchError('cannot remove the document root');
  const key = path[0] as Value;
  if (path.length > 1) return replaceChild(doc, key, deleteAt(child(doc, key), path.slice(1)));
  child(doc, key); // must exist
  if (doc instanceof RObject) {
    const out = new RObject();
    doc.forEach((k, v) => {
      if (!valuesEqual(k, key)) out.set(k, v);
    });
    return out;
  }
  if (Array.isArray(doc)) {
    const out = (doc as RArray).slice();
    out.splice(toIndex(doc.length, key), 1);
    return out;
  }
  const out = new RSet();
  for (const v of (doc as RSet).values()) if (!valuesEqual(v, key)) out.add(v);
  return out;
}

function getAt(doc: Value, path: Path): Value {
  let cur = doc;
  for (const k of path) cur = child(cur, k);
  return cur;
}

function attr(op: RObject, name: string): Value {
  const v = op.get(name);
  if (v === undefined) throw new PatchError(`missing '${name}' attribute`);
  return v;
}

function pathOf(v: Value): Path {
  try {
    return parsePath('json.patch', v);
  } catch {
    throw new PatchError('invalid path');
  }
}

export function applyPatch(doc: Value, ops: RArray): Value {
  let cur = doc;
  for (const o of ops) {
    if (!(o instanceof RObject)) throw new PatchError('must be an array of JSON-Patch objects');
    const op = attr(o, 'op');
    const path = pathOf(attr(o, 'path'));
    switch (op) {
      case 'add':
        cur = insertAt(cur, path, attr(o, 'value'));
        break;
      case 'remove':
        cur = deleteAt(cur, path);
        break;
      case 'replace': {
        const value = attr(o, 'value');
        cur = path.length === 0 ? value : insertAt(deleteAt(cur, path), path, value);
        break;
      }
      case 'move': {
        const from = pathOf(attr(o, 'from'));
        const chunk = getAt(cur, from);
        cur = insertAt(deleteAt(cur, from), path, chunk);
        break;
      }
      case 'copy': {
        const from = pathOf(attr(o, 'from'));
        cur = insertAt(cur, path, getAt(cur, from));
        break;
      }
      case 'test':
        if (!valuesEqual(getAt(cur, path), attr(o, 'value'))) throw new PatchError('test failed');
        break;
      default:
        throw new PatchError(`unrecognized op`);
    }
  }
  return cur;
}

export const JSONPATCH_BUILTINS: readonly BuiltinDecl[] = [
  fn('json.patch', ['any', arrayOf(ANY_OBJECT)], 'any', (args) => {
    const ops = array('json.patch', args, 1);
    try {
      return applyPatch(args[0] as Value, ops);
    } catch (e) {
      if (e instanceof PatchError) return undefined;
      throw e;
    }
  }),
];
