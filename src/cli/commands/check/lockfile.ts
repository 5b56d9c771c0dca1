/**
 * The registry packages of an npm lockfile (`package-lock.json` v1, v2 and v3, or
 * `npm-shrinkwrap.json`): name and exact version of every installed package, deduplicated, in
 * the lockfile's order. Workspace links, git, file and remote-tarball dependencies are not
 * registry packages: they are listed apart (Airlock does not serve them). Hostile input: a size
 * cap, a depth cap for v1 trees, names and versions checked.
 */
import { parseNpmPackageName } from '../../../core/index.ts';

export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  /** Where in the lockfile (`node_modules/a/node_modules/b`, or the v1 path). */
  readonly path: string;
}

/** A registry package's entry that says where npm downloads it (`resolved`): every one, not deduplicated. */
export interface LockedSource {
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly resolved: string;
}

export interface LockfilePackages {
  readonly lockfileVersion: number;
  readonly packages: readonly LockedPackage[];
  /** Where each registry package is downloaded from, entry by entry. */
  readonly sources: readonly LockedSource[];
  /** Entries that are not registry packages, with why. */
  readonly skipped: readonly { readonly path: string; readonly why: string }[];
}

export class LockfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockfileError';
  }
}

const MAX_DEPTH = 200;
export const MAX_ENTRIES = 200_000;
export const SEMVER_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export type Obj = { readonly [k: string]: unknown };
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validName(name: string): boolean {
  try {
    parseNpmPackageName(name);
    return true;
  } catch {
    return false;
  }
}

/** `npm:real-name@1.2.3` (an alias) → the real package. */
function alias(spec: string): { name: string; version: string } | null {
  if (!spec.startsWith('npm:')) return null;
  const rest = spec.slice(4);
  const at = rest.lastIndexOf('@');
  if (at <= 0) return null;
  return { name: rest.slice(0, at), version: rest.slice(at + 1) };
}

function nameFromPath(path: string): string | null {
  const i = path.lastIndexOf('node_modules/');
  return i === -1 ? null : path.slice(i + 'node_modules/'.length);
}

export function parseLockfile(text: string): LockfilePackages {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new LockfileError(`not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObj(doc)) throw new LockfileError('not a lockfile: the document is not an object');
  const version = typeof doc['lockfileVersion'] === 'number' ? doc['lockfileVersion'] : 1;
  const out: LockedPackage[] = [];
  const skipped: { path: string; why: string }[] = [];
  const sources: LockedSource[] = [];
  const seen = new Set<string>();
  /** Why an entry is not a registry package, or null when it is one. */
  const notRegistry = (name: string, ver: string, entry: Obj): string | null => {
    if (entry['link'] === true) return 'a workspace link';
    const resolved = typeof entry['resolved'] === 'string' ? entry['resolved'] : null;
    if (resolved !== null && /^(git\+|git:|github:|file:)/.test(resolved)) return `not from a registry (${resolved.slice(0, 80)})`;
    if (!validName(name)) return `not a valid package name: ${JSON.stringify(name.slice(0, 80))}`;
    if (!SEMVER_RE.test(ver)) return `not a registry version: ${JSON.stringify(ver.slice(0, 80))}`;
    return null;
  };
  const add = (name: string, ver: string, path: string, entry: Obj): void => {
    const aliased = alias(ver);
    const realName = aliased?.name ?? name;
    const realVersion = aliased?.version ?? ver;
    const why = notRegistry(realName, realVersion, entry);
    if (why !== null) {
      skipped.push({ path, why });
      return;
    }
    // A bundled dependency ships inside its parent's tarball: npm downloads nothing for it.
    const bundled = entry['inBundle'] === true || entry['bundled'] === true;
    if (typeof entry['resolved'] === 'string' && !bundled) sources.push({ name: realName, version: realVersion, path, resolved: entry['resolved'].slice(0, 2048) });
    const key = `${realName}@${realVersion}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ name: realName, version: realVersion, path });
  };

  if (version >= 2 && isObj(doc['packages'])) {
    const entries = Object.entries(doc['packages']);
    if (entries.length > MAX_ENTRIES) throw new LockfileError(`more than ${MAX_ENTRIES} packages`);
    for (const [path, entry] of entries) {
      if (path === '' || !isObj(entry)) continue;
      const name = typeof entry['name'] === 'string' ? entry['name'] : nameFromPath(path);
      if (name === null) {
        skipped.push({ path, why: 'a workspace package' });
        continue;
      }
      if (typeof entry['version'] !== 'string') {
        skipped.push({ path, why: 'no version' });
        continue;
      }
      add(name, entry['version'], path, entry);
    }
    return { lockfileVersion: version, packages: out, sources, skipped };
  }

  if (!isObj(doc['dependencies'])) throw new LockfileError('not a lockfile: neither "packages" nor "dependencies"');
  let count = 0;
  const walk = (deps: Obj, prefix: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw new LockfileError(`dependencies nested deeper than ${MAX_DEPTH}`);
    for (const [name, entry] of Object.entries(deps)) {
      if (++count > MAX_ENTRIES) throw new LockfileError(`more than ${MAX_ENTRIES} packages`);
      if (!isObj(entry)) continue;
      const path = `${prefix}node_modules/${name}`;
      if (typeof entry['version'] === 'string') add(name, entry['version'], path, entry);
      if (isObj(entry['dependencies'])) walk(entry['dependencies'], `${path}/`, depth + 1);
    }
  };
  walk(doc['dependencies'], '', 0);
  return { lockfileVersion: version, packages: out, sources, skipped };
}
