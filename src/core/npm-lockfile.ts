/**
 * The entries of an npm lockfile (`package-lock.json`, `npm-shrinkwrap.json`) in the file's order,
 * as npm reads them: version 2 and 3's `packages` (the root, `''`, left out), else version 1's
 * nested `dependencies`; each with its place in the tree (`node_modules/a/node_modules/b`) and
 * its package name (version 1's key; a `packages` entry's `name`, else the path's last
 * `node_modules/` part, or null for a workspace folder). Read by the pre-flight check of a
 * project's lockfile and by the inspection of a dependency's shrinkwrap. Hostile JSON: bounded in
 * entries and nesting; a walk a bound stopped says why.
 */

import { isPlainObject, type PlainObject } from './plain-object.ts';

export interface NpmLockEntry {
  readonly path: string;
  readonly name: string | null;
  readonly entry: PlainObject;
}

export interface NpmLockEntries {
  /** `lockfileVersion`, 1 when absent. */
  readonly lockfileVersion: number;
  /** Neither `packages` (version 2+) nor `dependencies`: not a lockfile. */
  readonly found: boolean;
  readonly entries: readonly NpmLockEntry[];
  /** Why a bound stopped the walk (the rest is unknown), or null. */
  readonly cut: string | null;
}

export interface NpmLockBounds {
  readonly maxEntries: number;
  readonly maxDepth: number;
}

function nameFromPath(path: string): string | null {
  const i = path.lastIndexOf('node_modules/');
  return i === -1 ? null : path.slice(i + 'node_modules/'.length);
}

export function npmLockEntries(doc: PlainObject, bounds: NpmLockBounds): NpmLockEntries {
  const lockfileVersion = typeof doc['lockfileVersion'] === 'number' ? doc['lockfileVersion'] : 1;
  const entries: NpmLockEntry[] = [];
  const packages = doc['packages'];
  if (lockfileVersion >= 2 && isPlainObject(packages)) {
    for (const [path, entry] of Object.entries(packages)) {
      if (path === '' || !isPlainObject(entry)) continue;
      if (entries.length >= bounds.maxEntries) return { lockfileVersion, found: true, entries, cut: `more than ${bounds.maxEntries} packages` };
      entries.push({ path, name: typeof entry['name'] === 'string' ? entry['name'] : nameFromPath(path), entry });
    }
    return { lockfileVersion, found: true, entries, cut: null };
  }
  if (!isPlainObject(doc['dependencies'])) return { lockfileVersion, found: false, entries, cut: null };
  let cut: string | null = null;
  const walk = (deps: PlainObject, prefix: string, depth: number): void => {
    if (depth > bounds.maxDepth) {
      cut = `dependencies nested deeper than ${bounds.maxDepth}`;
      return;
    }
    for (const [name, entry] of Object.entries(deps)) {
      if (cut !== null) return;
      if (!isPlainObject(entry)) continue;
      if (entries.length >= bounds.maxEntries) {
        cut = `more than ${bounds.maxEntries} packages`;
        return;
      }
      const path = `${prefix}node_modules/${name}`;
      entries.push({ path, name, entry });
      if (isPlainObject(entry['dependencies'])) walk(entry['dependencies'], `${path}/`, depth + 1);
    }
  };
  walk(doc['dependencies'], '', 0);
  return { lockfileVersion, found: true, entries, cut };
}
