/**
 * The commands an npm package installs into `node_modules/.bin`, read from the tarball's own
 * package.json as npm normalizes it before linking them (npm-normalize-package-bin,
 * @npmcli/package-json): `bin` as a path (named after the package, without its scope), a list
 * of paths (named after each file) or name → path, a name keeping only its last path component;
 * without `bin`, every file and folder under `directories.bin`, named after itself.
 *
 * Those names matter beyond the package: npm puts `node_modules/.bin` first on the PATH of every
 * install script and `npm run` script, so a package installing a command named `node` or `sh`
 * runs in place of the real one for every other package's `node install.js`.
 */
import { isPlainObject, type PlainObject } from '../../core/index.ts';
import type { Json } from '../../storage/ports/index.ts';

/** Names listed in the facts (all are counted). */
const MAX_LISTED = 64;
const MAX_NAME = 214;

/** The last component of a path, `\` and `:` counting as separators; null for nothing, `.` or `..`. */
function lastComponent(path: string): string | null {
  const parts = path.replace(/[\\:]/g, '/').split('/').filter((p) => p !== '');
  const base = parts[parts.length - 1];
  return base === undefined || base === '.' || base === '..' ? null : base.slice(0, MAX_NAME);
}

/** A path inside the package, as npm confines one (`..` cannot climb above the root). */
function confined(path: string): string {
  const kept: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') kept.pop();
    else kept.push(part);
  }
  return kept.join('/');
}

/** A bin target npm keeps: a non-empty path once confined. */
const target = (x: unknown): boolean => typeof x === 'string' && confined(x) !== '';

export interface BinFacts {
  /** The command names, sorted (the first `MAX_LISTED`). */
  readonly names: Json[];
  readonly count: number;
}

export interface BinTargets {
  /** Command name → the package-relative path it runs (for a folder under `directories.bin`, the folder). */
  readonly targets: ReadonlyMap<string, string>;
  /** The `directories.bin` the commands were read from (confined), or null when they come from `bin`. */
  readonly dir: string | null;
}

/**
 * The commands of `manifest` and what each runs. `files` are the package's files
 * (package-relative paths), read for `directories.bin`; `filesComplete` false when that list was
 * cut short: a `directories.bin` then cannot be read, and the answer is 'unknown' (the caller
 * fails closed), as it is for a `directories.bin` that is not a path.
 */
export function binTargetsOf(manifest: PlainObject, files: readonly string[], filesComplete: boolean): BinTargets | 'unknown' {
  const targets = new Map<string, string>();
  const add = (n: string | null, path: string): void => {
    if (n !== null) targets.set(n, path);
  };
  const bin = manifest['bin'];
  let dir: string | null = null;
  if (typeof bin === 'string' && bin !== '') {
    if (typeof manifest['name'] === 'string' && target(bin)) add(lastComponent(manifest['name']), confined(bin));
  } else if (Array.isArray(bin)) {
    for (const p of bin) if (target(p)) add(lastComponent(p as string), confined(p as string));
  } else if (isPlainObject(bin)) {
    for (const key of Object.keys(bin)) if (target(bin[key])) add(lastComponent(key), confined(bin[key] as string));
  } else if (!bin) {
    const dirs = manifest['directories'];
    const given = isPlainObject(dirs) ? dirs['bin'] : undefined;
    if (given) {
      if (typeof given !== 'string' || !filesComplete) return 'unknown';
      dir = confined(given);
      const prefix = dir === '' ? '' : `${dir}/`;
      for (const f of files) {
        if (!f.startsWith(prefix)) continue;
        // Every file and folder the glob `**` matches there: no component starting with a dot.
        const parts = f.slice(prefix.length).split('/');
        if (parts.some((p) => p.startsWith('.'))) continue;
        parts.forEach((p, i) => add(lastComponent(p), prefix + parts.slice(0, i + 1).join('/')));
      }
    }
  }
  return { targets, dir };
}

/** The command names of `bins`, sorted, the first `MAX_LISTED` listed and all counted. */
export function binFacts(bins: BinTargets): BinFacts {
  const sorted = [...bins.targets.keys()].sort();
  return { names: sorted.slice(0, MAX_LISTED), count: sorted.length };
}

/** The bin names of `manifest` (see `binTargetsOf` and `binFacts`). */
export function binNamesOf(manifest: PlainObject, files: readonly string[], filesComplete: boolean): BinFacts | 'unknown' {
  const bins = binTargetsOf(manifest, files, filesComplete);
  return bins === 'unknown' ? bins : binFacts(bins);
}
