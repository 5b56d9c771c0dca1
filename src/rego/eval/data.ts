/**
 * The `data` document: base data merged with virtual documents, lookups by path, and the
 * overrides of `with data.… as …`.
 */
import type { RuleDef, TreeNode } from '../compile/rule-tree.ts';
import { isArray, RObject, RSet, valuesEqual, type Value } from '../value.ts';
import { DocConflict, DocNode, upsert } from './doc-builder.ts';
import { dynEntries, leafValue } from './rules.ts';
import type { ReadLog } from './memo.ts';
import { BUSY, type Ctx, evalError, NONE } from './runtime.ts';

/** `v[k]` for objects, arrays (integer index) and sets (membership); undefined otherwise. */
export function lookup(v: Value | undefined, k: Value): Value | undefined {
  if (v === undefined || v === null || typeof v !== 'object') return undefined;
  if (v instanceof RObject) return v.get(k);
  if (isArray(v)) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= v.length) return undefined;
    return v[k];
  }
  if (v instanceof RSet) return v.has(k) ? k : undefined;
  return undefined;
}

export function lookupPath(v: Value | undefined, keys: readonly Value[], from: number): Value | undefined {
  for (let i = from; i < keys.length && v !== undefined; i++) v = lookup(v, keys[i] as Value);
  return v;
}

/** A lookup in the base document: like storage paths in OPA, a number key also finds its text. */
export function lookupBase(v: Value | undefined, k: Value): Value | undefined {
  const r = lookup(v, k);
  if (r !== undefined || typeof k !== 'number' || !(v instanceof RObject)) return r;
  return v.get(String(k));
}

export function lookupBasePath(v: Value | undefined, keys: readonly Value[], from: number): Value | undefined {
  for (let i = from; i < keys.length && v !== undefined; i++) v = lookupBase(v, keys[i] as Value);
  return v;
}

function isPrim(k: Value): k is null | boolean | number | string {
  return k === null || typeof k !== 'object';
}

function conflictLoc(rule: RuleDef | undefined): Parameters<typeof evalError>[3] {
  return rule === undefined ? null : rule.rule.loc;
}

function exactlyOverridden(ctx: Ctx, node: TreeNode): boolean {
  const ov = ctx.overrides;
  if (ov === null) return false;
  for (const o of ov) {
    if (o.path.length !== node.path.length) continue;
    let same = true;
    for (let i = 0; i < o.path.length; i++) {
      if (!valuesEqual(o.path[i] as Value, node.path[i] as Value)) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}

function fill(ctx: Ctx, d: DocNode, node: TreeNode): void {
  const base = node.base;
  if (base instanceof RObject) base.forEach((k, v) => void d.putLeaf(k, v, true));
  for (const child of node.children.values()) {
    if (!child.hasRules || child.leafKind === 'function') continue;
    if (exactlyOverridden(ctx, child)) continue;
    // The base document wins over rules at the same path (OPA merges base over virtual).
    if (child.leafKind !== null && base instanceof RObject && base.has(child.key)) continue;
    const key = child.key;
    try {
      if (child.leafKind === 'complete') {
        const v = leafValue(ctx, child);
        if (v !== undefined) d.putLeaf(key, v, false);
      } else if (child.leafKind === 'multi') {
        const s = leafValue(ctx, child) as RSet;
        d.putSet(key);
        for (const e of s) d.addElement(key, e);
      } else {
        fill(ctx, d.child(key), child);
      }
    } catch (e) {
      if (e instanceof DocConflict) throw evalError(ctx.state, 'eval_conflict_error', e.message, conflictLoc(child.leafRules[0]));
      throw e;
    }
  }
  for (const rule of node.dynamicRules) {
    const entries = dynEntries(ctx, rule);
    try {
      for (let i = 0; i < entries.length; i += 2) {
        d.insert(entries[i] as readonly Value[], entries[i + 1] as Value, rule.multi);
      }
    } catch (e) {
      if (e instanceof DocConflict) throw evalError(ctx.state, 'eval_conflict_error', e.message, conflictLoc(rule));
      throw e;
    }
  }
}

/** The value of the document at `node` (ignoring overrides at or above it). */
export function nodeValue(ctx: Ctx, node: TreeNode): Value | undefined {
  if (node.leafKind === 'function') return undefined;
  if (node.leafKind !== null) return leafValue(ctx, node);
  if (!node.hasRules) return node.base;
  const c = ctx.values[node.id];
  const memo = ctx.memo;
  if (c !== undefined && c !== BUSY) {
    memo?.use(ctx.logs[node.id]);
    return c === NONE ? undefined : c;
  }
  ctx.values[node.id] = BUSY;
  const build = (): Value => {
    const d = new DocNode('obj', undefined, false);
    fill(ctx, d, node);
    return d.toValue();
  };
  let v: Value;
  try {
    if (memo === null) v = build();
    else {
      // In a batch the document is built again each time, but what it read is logged for its users.
      let log: ReadLog;
      [v, log] = memo.logged(() => memo.seal(build()));
      memo.use(log);
      ctx.logs[node.id] = log;
    }
  } catch (e) {
    ctx.values[node.id] = undefined;
    throw e;
  }
  ctx.values[node.id] = v;
  return v;
}

/** Walks the tree with runtime keys from `node`, ignoring overrides. */
export function dataWalk(ctx: Ctx, node: TreeNode, keys: readonly Value[], from: number): Value | undefined {
  let n = node;
  let i = from;
  while (i < keys.length) {
    if (n.leafKind !== null || n.dynamicRules.length > 0) return lookupPath(nodeValue(ctx, n), keys, i);
    if (!n.hasRules) return lookupBasePath(n.base, keys, i);
    const k = keys[i] as Value;
    const child = isPrim(k) ? n.children.get(k) : undefined;
    if (child === undefined) return lookupBasePath(n.base, keys, i);
    n = child;
    i++;
  }
  return nodeValue(ctx, n);
}

function isPrefix(prefix: readonly Value[], keys: readonly Value[]): boolean {
  if (prefix.length > keys.length) return false;
  for (let i = 0; i < prefix.length; i++) if (!valuesEqual(prefix[i] as Value, keys[i] as Value)) return false;
  return true;
}

/** `data` at a full path, honouring `with data.… as …` overrides. */
export function dataGet(ctx: Ctx, root: TreeNode, keys: readonly Value[]): Value | undefined {
  const ov = ctx.overrides;
  if (ov === null) return dataWalk(ctx, root, keys, 0);
  let start = -1;
  for (let j = ov.length - 1; j >= 0; j--) {
    if (isPrefix((ov[j] as { path: readonly Value[] }).path, keys)) {
      start = j;
      break;
    }
  }
  let v: Value | undefined;
  if (start >= 0) {
    const o = ov[start] as { path: readonly Value[]; value: Value };
    v = lookupPath(o.value, keys, o.path.length);
  } else v = dataWalk(ctx, root, keys, 0);
  for (let j = start + 1; j < ov.length; j++) {
    const o = ov[j] as { path: readonly Value[]; value: Value };
    if (o.path.length > keys.length && isPrefix(keys, o.path)) {
      v = upsert(v, o.path.slice(keys.length), o.value);
    }
  }
  return v;
}
