/**
 * Builds the value of a virtual document from everything that contributes to it: the base
 * document, child rules, and rules with variables in their path. Conflicting contributions
 * (two values at one path, a value where another rule builds an object, a write into another
 * rule's value) raise `eval_conflict_error`, as in OPA.
 */
import { canonicalKey, RObject, RSet, valuesEqual, type Value } from '../value.ts';

export class DocConflict {
  readonly message: string;

  constructor(message: string) {
    this.message = message;
  }
}

type Key = null | boolean | number | string;

function keyOf(v: Value): Key {
  if (v === null || typeof v !== 'object') return v;
  return `\u0000${canonicalKey(v)}`;
}

export class DocNode {
  /** 'obj': built here; 'leaf': a whole value; 'set': a set built from elements. */
  kind: 'obj' | 'leaf' | 'set';
  value: Value | undefined;
  /** Leaves from the base document may be expanded when rules write below them. */
  fromBase: boolean;
  set: RSet | null = null;
  children: Map<Key, { key: Value; node: DocNode }> | null = null;

  constructor(kind: 'obj' | 'leaf' | 'set', value: Value | undefined, fromBase: boolean) {
    this.kind = kind;
    this.value = value;
    this.fromBase = fromBase;
    if (kind === 'obj') this.children = new Map();
    if (kind === 'set') this.set = new RSet();
  }

  private expand(): boolean {
    if (this.kind === 'obj') return true;
    if (this.kind !== 'leaf' || !this.fromBase || !(this.value instanceof RObject)) return false;
    const obj = this.value;
    this.kind = 'obj';
    this.children = new Map();
    obj.forEach((k, v) => {
      (this.children as Map<Key, { key: Value; node: DocNode }>).set(keyOf(k), { key: k, node: new DocNode('leaf', v, true) });
    });
    this.value = undefined;
    return true;
  }

  /** The object child at `key`, creating it. */
  child(key: Value): DocNode {
    if (!this.expand()) throw new DocConflict('object keys must be unique');
    const m = this.children as Map<Key, { key: Value; node: DocNode }>;
    const k = keyOf(key);
    const e = m.get(k);
    if (e !== undefined) {
      if (e.node.kind === 'obj') return e.node;
      if (e.node.kind === 'leaf' && e.node.expand()) return e.node;
      throw new DocConflict('object keys must be unique');
    }
    const n = new DocNode('obj', undefined, false);
    m.set(k, { key, node: n });
    return n;
  }

  /** Places a whole value at `key`. */
  putLeaf(key: Value, v: Value, fromBase: boolean): void {
    if (!this.expand()) throw new DocConflict('object keys must be unique');
    const m = this.children as Map<Key, { key: Value; node: DocNode }>;
    const k = keyOf(key);
    const e = m.get(k);
    if (e === undefined) {
      m.set(k, { key, node: new DocNode('leaf', v, fromBase) });
      return;
    }
    if (e.node.kind === 'leaf') {
      // The base document wins over a virtual document at the same path (as OPA merges them).
      if (e.node.fromBase && !fromBase) return;
      if (valuesEqual(e.node.value as Value, v)) return;
    }
    throw new DocConflict('object keys must be unique');
  }

  /** Ensures a (possibly empty) set at `key`. */
  putSet(key: Value): void {
    if (!this.expand()) throw new DocConflict('object keys must be unique');
    const m = this.children as Map<Key, { key: Value; node: DocNode }>;
    const k = keyOf(key);
    const e = m.get(k);
    if (e === undefined) m.set(k, { key, node: new DocNode('set', undefined, false) });
    else if (e.node.kind !== 'set') throw new DocConflict('object keys must be unique');
  }

  /** Adds a set element at `key`. */
  addElement(key: Value, v: Value): void {
    if (!this.expand()) throw new DocConflict('object keys must be unique');
    const m = this.children as Map<Key, { key: Value; node: DocNode }>;
    const k = keyOf(key);
    const e = m.get(k);
    if (e === undefined) {
      const n = new DocNode('set', undefined, false);
      (n.set as RSet).add(v);
      m.set(k, { key, node: n });
      return;
    }
    if (e.node.kind === 'set') {
      (e.node.set as RSet).add(v);
      return;
    }
    throw new DocConflict('object keys must be unique');
  }

  /** Inserts at a path below this node. */
  insert(path: readonly Value[], v: Value, element: boolean): void {
    let n: DocNode = this;
    const last = path.length - 1;
    for (let i = 0; i < last; i++) n = n.child(path[i] as Value);
    if (element) n.addElement(path[last] as Value, v);
    else n.putLeaf(path[last] as Value, v, false);
  }

  toValue(): Value {
    switch (this.kind) {
      case 'leaf':
        return this.value as Value;
      case 'set':
        return this.set as RSet;
      case 'obj': {
        const o = new RObject();
        for (const { key, node } of (this.children as Map<Key, { key: Value; node: DocNode }>).values()) o.set(key, node.toValue());
        return o;
      }
    }
  }
}

/** Returns `base` with `v` written at `path` (objects along the path are copied, missing ones created). */
export function upsert(base: Value | undefined, path: readonly Value[], v: Value, i = 0): Value {
  if (i === path.length) return v;
  const k = path[i] as Value;
  const o = new RObject();
  if (base instanceof RObject) base.forEach((bk, bv) => void o.set(bk, bv));
  o.set(k, upsert(base instanceof RObject ? base.get(k) : undefined, path, v, i + 1));
  return o;
}
