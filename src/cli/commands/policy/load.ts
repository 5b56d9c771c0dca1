/**
 * Loading policy bundles from disk for `airlock policy …`, like OPA's loader: `.rego` files
 * are modules; `.json`, `.yaml`, `.yml` files are data, merged into `data` at the path of
 * their directory relative to the argument (a file argument merges at the root).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { parseJSONText } from '../../../rego/builtins/json-text.ts';
import { parseYaml } from '../../../rego/builtins/yaml.ts';
import type { RegoModule } from '../../../rego/index.ts';
import { RObject, type Value } from '../../../rego/value.ts';

const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_FILES = 10_000;

export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadError';
  }
}

export interface Bundle {
  readonly modules: RegoModule[];
  readonly data: RObject;
}

function readText(path: string): string {
  const st = statSync(path);
  if (st.size > MAX_FILE_BYTES) throw new LoadError(`${path}: file too large (${st.size} bytes, limit ${MAX_FILE_BYTES})`);
  return readFileSync(path, 'utf8');
}

/** Deep-merges `v` into `target` at `path`; objects merge, anything else must not collide. */
function mergeAt(target: RObject, path: readonly string[], v: Value, file: string): void {
  let o = target;
  for (let i = 0; i < path.length; i++) {
    const k = path[i] as string;
    let next = o.get(k);
    if (next === undefined) {
      next = new RObject();
      o.set(k, next);
    }
    if (!(next instanceof RObject)) throw new LoadError(`${file}: data conflicts with a value at data.${path.slice(0, i + 1).join('.')}`);
    o = next;
  }
  if (!(v instanceof RObject)) {
    if (path.length === 0) throw new LoadError(`${file}: a data file at the root must hold an object`);
    throw new LoadError(`${file}: data files must hold objects`);
  }
  mergeObjects(o, v, file, path);
}

function mergeObjects(into: RObject, from: RObject, file: string, path: readonly string[]): void {
  from.forEach((k, v) => {
    const cur = into.get(k);
    if (cur === undefined) {
      into.set(k, v);
      return;
    }
    const key = typeof k === 'string' ? k : JSON.stringify(k);
    if (cur instanceof RObject && v instanceof RObject) {
      const copy = new RObject();
      cur.forEach((ck, cv) => void copy.set(ck, cv));
      mergeObjects(copy, v, file, [...path, key]);
      into.set(k, copy);
      return;
    }
    throw new LoadError(`${file}: merge error: conflicting values at data.${[...path, key].join('.')}`);
  });
}

function loadFile(path: string, dataPath: readonly string[], out: Bundle): void {
  const ext = extname(path).toLowerCase();
  if (ext === '.rego') {
    out.modules.push({ path, source: readText(path) });
    return;
  }
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') return;
  const text = readText(path);
  let v: Value;
  try {
    v = ext === '.json' ? parseJSONText(text) : parseYaml(text);
  } catch (e) {
    throw new LoadError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  mergeAt(out.data, dataPath, v, path);
}

function walk(root: string, dir: string, out: Bundle, count: { n: number }): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(root, full, out, count);
    else if (entry.isFile()) {
      if (++count.n > MAX_FILES) throw new LoadError(`${root}: too many files (limit ${MAX_FILES})`);
      const rel = relative(root, dir);
      loadFile(full, rel === '' ? [] : rel.split(sep), out);
    }
  }
}

/** Loads every path (files or directories). Throws LoadError. */
export function loadPaths(paths: readonly string[]): Bundle {
  const out: Bundle = { modules: [], data: new RObject() };
  const count = { n: 0 };
  for (const p of paths) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (st === undefined) throw new LoadError(`${p}: no such file or directory`);
    if (st.isDirectory()) walk(p, p, out, count);
    else loadFile(p, [], out);
  }
  return out;
}

/** Reads an input document (`-i`): JSON or YAML by extension. */
export function loadInput(path: string): Value {
  const text = path === '-' ? readFileSync(0, 'utf8') : readText(path);
  const ext = extname(path).toLowerCase();
  try {
    return ext === '.yaml' || ext === '.yml' ? parseYaml(text) : parseJSONText(text);
  } catch (e) {
    throw new LoadError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
