/**
 * The registry packages of an npm lockfile (`package-lock.json` v1, v2 and v3, or
 * `npm-shrinkwrap.json`): name and exact version of every installed package, deduplicated, in
 * the lockfile's order. Workspace links, git, file and remote-tarball dependencies are not
 * registry packages: they are listed apart (Airlock does not serve them). Hostile input: a size
 * cap, a depth cap for v1 trees, names and versions checked.
 */
import { isNpmPackageName, isPlainObject, npmLockEntries } from '../../../core/index.ts';

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
const MAX_ENTRIES = 200_000;
const SEMVER_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** `npm:real-name@1.2.3` (an alias) → the real package. */
function alias(spec: string): { name: string; version: string } | null {
  if (!spec.startsWith('npm:')) return null;
  const rest = spec.slice(4);
  const at = rest.lastIndexOf('@');
  if (at <= 0) return null;
  return { name: rest.slice(0, at), version: rest.slice(at + 1) };
}

/**
 * Collects a lockfile's entries, whatever its format: the registry packages (deduplicated by
 * name and version), where each entry is downloaded from (every one), and the entries that are
 * not registry packages, with why.
 */
export class LockedCollector {
  readonly #packages: LockedPackage[] = [];
  readonly #sources: LockedSource[] = [];
  readonly #skipped: { path: string; why: string }[] = [];
  readonly #seen = new Set<string>();
  #count = 0;

  /** An entry that is not a registry package. */
  skip(path: string, why: string): void {
    this.#skipped.push({ path: path.slice(0, 512), why });
  }

  /**
   * An entry: `version` may be an alias (`npm:real@1.2.3`); `resolved` is where the client
   * downloads it from, when the lockfile says; a link, or a bundled dependency (which ships in
   * its parent's tarball), downloads nothing.
   */
  add(path: string, name: string, version: string, resolved: string | null, how: { readonly link?: boolean; readonly bundled?: boolean } = {}): void {
    if (++this.#count > MAX_ENTRIES) throw new LockfileError(`more than ${MAX_ENTRIES} packages`);
    path = path.slice(0, 512);
    const aliased = alias(version);
    const realName = aliased?.name ?? name;
    const realVersion = aliased?.version ?? version;
    const why = this.#notRegistry(realName, realVersion, resolved, how.link === true);
    if (why !== null) return this.skip(path, why);
    if (resolved !== null && how.bundled !== true) this.#sources.push({ name: realName, version: realVersion, path, resolved: resolved.slice(0, 2048) });
    const key = `${realName}@${realVersion}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#packages.push({ name: realName, version: realVersion, path });
  }

  /** Why an entry is not a registry package, or null when it is one. */
  #notRegistry(name: string, version: string, resolved: string | null, link: boolean): string | null {
    if (link) return 'a workspace link';
    if (resolved !== null && /^(git\+|git:|github:|file:|link:)/.test(resolved)) return `not from a registry (${resolved.slice(0, 80)})`;
    if (!isNpmPackageName(name)) return `not a valid package name: ${JSON.stringify(name.slice(0, 80))}`;
    if (!SEMVER_RE.test(version)) return `not a registry version: ${JSON.stringify(version.slice(0, 80))}`;
    return null;
  }

  result(lockfileVersion: number): LockfilePackages {
    return { lockfileVersion, packages: this.#packages, sources: this.#sources, skipped: this.#skipped };
  }
}

/** An npm lockfile (package-lock.json v1-v3, npm-shrinkwrap.json). */
export function parseLockfile(text: string): LockfilePackages {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new LockfileError(`not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isPlainObject(doc)) throw new LockfileError('not a lockfile: the document is not an object');
  const walk = npmLockEntries(doc, { maxEntries: MAX_ENTRIES, maxDepth: MAX_DEPTH });
  if (!walk.found) throw new LockfileError('not a lockfile: neither "packages" nor "dependencies"');
  if (walk.cut !== null) throw new LockfileError(walk.cut);
  const out = new LockedCollector();
  for (const { path, name, entry } of walk.entries) {
    if (name === null) out.skip(path, 'a workspace package');
    else if (typeof entry['version'] !== 'string') out.skip(path, 'no version');
    else {
      const resolved = typeof entry['resolved'] === 'string' ? entry['resolved'] : null;
      out.add(path, name, entry['version'], resolved, { link: entry['link'] === true, bundled: entry['inBundle'] === true || entry['bundled'] === true });
    }
  }
  return out.result(walk.lockfileVersion);
}
