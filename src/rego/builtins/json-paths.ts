/**
 * JSON-pointer style paths shared by `json.filter`, `json.remove` and `json.patch`: a path is
 * either a `/`-separated string (`~1` is `/`, `~0` is `~`) or an array of segments.
 */
import { canonicalKey, RObject, RSet, typeName, type RArray, type Value } from '../value.ts';
import { operandError, typeError } from './args.ts';

export type Path = readonly Value[];

export function parsePath(name: string, p: Value): Path {
  if (typeof p === 'string') {
    if (p === '') return [];
    return p
      .replace(/^\/+/, '')
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  }
  if (Array.isArray(p)) return p as RArray;
  throw operandError(
    name,
    2,
    `must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`,
  );
}

export function parsePaths(name: string, v: Value): Path[] {
  let items: readonly Value[];
  if (Array.isArray(v)) items = v as RArray;
  else if (v instanceof RSet) items = v.values();
  else throw typeError(name, 2, v, 'set', 'array');
  return items.map((p) => parsePath(name, p));
}

/** Mutable tree of path prefixes; a `null` leaf marks the end of a path. */
export type PathTree = Map<string, { key: Value; child: PathTree | null }>;

function keyOf(v: Value): string {
  return typeof v === 'string' ? `s${v}` : `v${canonicalKey(v)}`;
}

/** OPA's pathsToObject: a shorter path subsumes longer ones that share its prefix. */
export function pathsToTree(paths: readonly Path[]): PathTree {
  const root: PathTree = new Map();
  for (const path of paths) {
    if (path.length === 0) continue;
    let node: PathTree | null = root;
    for (let i = 0; i < path.length - 1 && node !== null; i++) {
      const k = path[i] as Value;
      const entry = node.get(keyOf(k));
      if (entry === undefined) {
        const child: PathTree = new Map();
        node.set(keyOf(k), { key: k, child });
        node = child;
      } else node = entry.child;
    }
    if (node !== null) {
      const k = path[path.length - 1] as Value;
      node.set(keyOf(k), { key: k, child: null });
    }
  }
  return root;
}

/** The entry of a path tree for a value key (arrays use index strings, as OPA does). */
export function treeLookup(tree: PathTree, key: Value): { child: PathTree | null } | undefined {
  return tree.get(keyOf(key));
}

/** Keep only what the paths select (OPA's Object.Filter with a path object). */
export function filterByTree(v: Value, tree: PathTree | null): Value {
  if (tree === null) return v;
  if (v instanceof RObject) {
    const out = new RObject();
    if (v.size <= tree.size) {
      v.forEach((k, x) => {
        const e = treeLookup(tree, k);
        if (e !== undefined) out.set(k, filterByTree(x, e.child));
      });
    } else {
      for (const e of tree.values()) {
        const x = v.get(e.key);
        if (x !== undefined) out.set(e.key, filterByTree(x, e.child));
      }
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    (v as RArray).forEach((x, i) => {
      const e = treeLookup(tree, String(i));
      if (e !== undefined) out.push(filterByTree(x, e.child));
    });
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const x of v.values()) {
      const e = treeLookup(tree, x);
      if (e !== undefined) out.add(filterByTree(x, e.child));
    }
    return out;
  }
  return v;
}

/** Drop what the paths select (OPA's jsonRemove); undefined when the value itself goes. */
export function removeByTree(v: Value, entry: { child: PathTree | null } | undefined): Value | undefined {
  if (entry === undefined) return v;
  const tree = entry.child;
  if (tree === null) return undefined;
  if (v instanceof RObject) {
    const out = new RObject();
    v.forEach((k, x) => {
      const r = removeByTree(x, treeLookup(tree, k));
      if (r !== undefined) out.set(k, r);
    });
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const x of v.values()) {
      const r = removeByTree(x, treeLookup(tree, x));
      if (r !== undefined) out.add(r);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    (v as RArray).forEach((x, i) => {
      const r = removeByTree(x, treeLookup(tree, String(i)));
      if (r !== undefined) out.push(r);
    });
    return out;
  }
  return v;
}
