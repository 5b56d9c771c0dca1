/**
 * A project's `package.json` as `airlock check --package-json` reads it: every dependency of
 * `dependencies`, `optionalDependencies` and `devDependencies` (and, asked for, of
 * `peerDependencies`: npm 7 and later installs a project's peers, except those its
 * `peerDependenciesMeta` marks optional) with the spec npm resolves — an exact version, a range
 * (`^4.17.0`, `1.x`, `""` and `*`: any), a dist-tag (`latest`, `next`), or an alias
 * (`npm:other@^1`, which fetches `other`) — as the check takes it: a purl (with the version or
 * the tag), or a purl without a version and the range. What is not fetched from the registry by
 * name is listed apart with why, as npm-package-arg tells the kinds apart: git (`git+…`,
 * `github:user/repo`, `user/repo`), local paths (`file:`, `link:`, `./dir`), `workspace:`,
 * tarball URLs, and specs npm reads as none of these.
 *
 * Hostile input: JSON only, a size cap, a cap on the dependencies, names checked as npm names,
 * registry specs of at most 256 characters (the check's limit), others of at most 4096; every
 * error names the key.
 */
import semver from 'semver';
import type { CheckItem } from '../../../api/client.ts';
import { isAirlockError, isPlainObject, makePurl, parseNpmPackageName } from '../../../core/index.ts';
import { isVersionRange, parseVersionRange } from '../../../gate/version-range.ts';
import { clip } from '../../admin/cli-support.ts';

/** The sections read, in npm's order; `peerDependencies` only when asked for. */
const DEPENDENCY_SECTIONS = ['dependencies', 'optionalDependencies', 'devDependencies'] as const;

export interface PackageJsonLimits {
  readonly maxBytes: number;
  /** Dependencies over all the sections read. */
  readonly maxDependencies: number;
  /** Characters of a version, range or tag (the check takes ranges of at most 256). */
  readonly maxRangeChars: number;
  /** Characters of any other spec (a URL, a path). */
  readonly maxSpecChars: number;
}

export const PACKAGE_JSON_LIMITS: PackageJsonLimits = Object.freeze({ maxBytes: 1024 * 1024, maxDependencies: 5000, maxRangeChars: 256, maxSpecChars: 4096 });

export interface Dependency {
  /** Where in the file: `dependencies.lodash`. */
  readonly key: string;
  /** The package npm fetches (an alias's target), and the name it is installed under when that differs. */
  readonly name: string;
  readonly alias: string | null;
  /** As written. */
  readonly spec: string;
  /** What the check is asked: a purl with a version or dist-tag, or a purl without a version and a range. */
  readonly item: CheckItem;
}

export interface PackageJsonDependencies {
  readonly dependencies: readonly Dependency[];
  /** Dependencies that are not checked, with why. */
  readonly skipped: readonly { readonly path: string; readonly why: string }[];
}

export class PackageJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageJsonError';
  }
}

type Spec = { readonly kind: 'item'; readonly name: string; readonly item: CheckItem } | { readonly kind: 'skip'; readonly why: string };

const GIT_RE = /^(git\+[a-z]+:|git:|github:|gitlab:|bitbucket:|gist:)/i;
/** `git@host:path` (scp-like git over ssh), as npm-package-arg reads it. */
const GIT_SSH_RE = /^[^\s@/:]+@[^\s/:]+:/;
/** `user/repo`, `user/repo#ref`: a GitHub repository (npm's shortcut). */
const GITHUB_SHORTCUT_RE = /^[^@\s/#:][^\s/#:]*\/[^\s/#:]+(#.*)?$/;
const LOCAL_RE = /^(file:|link:|\.{1,2}$|\.{1,2}[/\\]|~[/\\]|\/|[A-Za-z]:[/\\])/;
const TARBALL_RE = /\.(tgz|tar\.gz|tar)$/i;
const URL_RE = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * What npm fetches for the registry spec `spec` of `name`: an exact version, a range, a dist-tag
 * (the version the tag served through Airlock names), or why it is not checked; null: npm
 * reads it as none of these (npm-package-arg: not a version, not a range, not a valid tag).
 */
function registrySpec(name: string, spec: string, key: string, limits: PackageJsonLimits): Spec | null {
  if (spec.length > limits.maxRangeChars) throw new PackageJsonError(`${key}: longer than ${limits.maxRangeChars} characters (a version, range or tag)`);
  const version = semver.valid(spec);
  if (version !== null) return { kind: 'item', name, item: makePurl('npm', name, version) };
  if (spec === '' || isVersionRange('npm', spec)) {
    try {
      return { kind: 'item', name, item: { purl: makePurl('npm', name, null), range: parseVersionRange('npm', spec === '' ? '*' : spec).text } };
    } catch (err) {
      if (!isAirlockError(err, 'INVALID_VERSION')) throw err;
      return { kind: 'skip', why: `${clip(spec, 80)}: not checkable: ${err.message}` };
    }
  }
  // A dist-tag (npm-package-arg: a name that needs no escaping): the check takes the version the
  // tag Airlock serves names, as npm installs it (withheld versions hidden, `latest` names an allowed one).
  // A lone surrogate needs escaping too, and encodeURIComponent throws a URIError on it.
  if (spec.isWellFormed() && encodeURIComponent(spec) === spec) return { kind: 'item', name, item: makePurl('npm', name, spec) };
  return null;
}

/** How npm reads a dependency's spec (npm-package-arg's order: alias, paths and URLs, git shortcuts, then version, range or tag). */
function classify(name: string, raw: string, key: string, limits: PackageJsonLimits): Spec {
  const spec = raw.trim();
  if (spec.startsWith('npm:')) {
    const rest = spec.slice(4);
    const at = rest.indexOf('@', 1);
    const target = at < 0 ? rest : rest.slice(0, at);
    try {
      parseNpmPackageName(target);
    } catch (err) {
      if (!isAirlockError(err, 'INVALID_NAME')) throw err;
      throw new PackageJsonError(`${key}: the alias ${JSON.stringify(clip(spec, 80))} names no npm package: ${err.message}`);
    }
    const inner = at < 0 ? 'latest' : rest.slice(at + 1);
    const r = registrySpec(target, inner, key, limits);
    // npm refuses an alias to anything but a registry version, range or tag.
    return r ?? { kind: 'skip', why: `the alias ${clip(spec, 80)}: npm reads ${JSON.stringify(clip(inner, 80))} as no version, range or tag` };
  }
  if (spec.length > limits.maxSpecChars) throw new PackageJsonError(`${key}: longer than ${limits.maxSpecChars} characters`);
  if (spec.startsWith('workspace:')) return { kind: 'skip', why: `a workspace protocol spec (${clip(spec, 80)}): a package of this workspace, not from the registry` };
  if (GIT_RE.test(spec) || GIT_SSH_RE.test(spec)) return { kind: 'skip', why: `a git dependency (${clip(spec, 80)}): not from the registry` };
  if (LOCAL_RE.test(spec)) return { kind: 'skip', why: `a local path (${clip(spec, 80)}): not from the registry` };
  if (/^https?:\/\/[^#]*\.git(#.*)?$/i.test(spec)) return { kind: 'skip', why: `a git dependency (${clip(spec, 80)}): not from the registry` };
  if (/^https?:\/\//i.test(spec)) return { kind: 'skip', why: `a tarball URL (${clip(spec, 80)}): downloaded from there, not through Airlock` };
  if (URL_RE.test(spec)) return { kind: 'skip', why: `a URL (${clip(spec, 80)}): not from the registry` };
  if (GITHUB_SHORTCUT_RE.test(spec)) return { kind: 'skip', why: `a GitHub repository (${clip(spec, 80)}): a git dependency, not from the registry` };
  if (TARBALL_RE.test(spec)) return { kind: 'skip', why: `a local tarball (${clip(spec, 80)}): not from the registry` };
  return registrySpec(name, spec, key, limits) ?? { kind: 'skip', why: `${JSON.stringify(clip(spec, 80))}: npm reads it as no version, range or tag (an install fails on it)` };
}

/** The optional peers of `peerDependenciesMeta` (`{name: {optional: true}}`). */
function optionalPeers(doc: Record<string, unknown>): Set<string> {
  const meta = doc['peerDependenciesMeta'];
  if (meta === undefined) return new Set();
  if (!isPlainObject(meta)) throw new PackageJsonError('peerDependenciesMeta: not an object');
  return new Set(Object.entries(meta).filter(([, v]) => isPlainObject(v) && v['optional'] === true).map(([k]) => k));
}

/**
 * The dependencies of a package.json: each section's entries in the file's order. `peers`: read
 * `peerDependencies` too (those marked optional are listed as not checked).
 */
export function parsePackageJson(text: string, options: { readonly peers?: boolean } = {}, limits: PackageJsonLimits = PACKAGE_JSON_LIMITS): PackageJsonDependencies {
  if (text.length > limits.maxBytes) throw new PackageJsonError(`larger than ${limits.maxBytes} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new PackageJsonError(`not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isPlainObject(doc)) throw new PackageJsonError('not a package.json: the document is not an object');
  const sections: readonly string[] = options.peers === true ? [...DEPENDENCY_SECTIONS, 'peerDependencies'] : DEPENDENCY_SECTIONS;
  const optional = options.peers === true ? optionalPeers(doc) : new Set<string>();
  const dependencies: Dependency[] = [];
  const skipped: { path: string; why: string }[] = [];
  let count = 0;
  for (const section of sections) {
    const deps = doc[section];
    if (deps === undefined) continue;
    if (!isPlainObject(deps)) throw new PackageJsonError(`${section}: not an object of package names and versions`);
    for (const [alias, spec] of Object.entries(deps)) {
      if (++count > limits.maxDependencies) throw new PackageJsonError(`more than ${limits.maxDependencies} dependencies`);
      try {
        parseNpmPackageName(alias);
      } catch (err) {
        if (!isAirlockError(err, 'INVALID_NAME')) throw err;
        throw new PackageJsonError(`${section}: ${JSON.stringify(clip(alias, 80))} is not an npm package name: ${err.message}`);
      }
      const key = `${section}.${alias}`;
      if (typeof spec !== 'string') throw new PackageJsonError(`${key}: not a string (a version, range, tag, URL or path)`);
      if (section === 'peerDependencies' && optional.has(alias)) {
        skipped.push({ path: key, why: 'an optional peer (peerDependenciesMeta): npm does not install it' });
        continue;
      }
      const r = classify(alias, spec, key, limits);
      if (r.kind === 'skip') {
        skipped.push({ path: key, why: r.why });
        continue;
      }
      dependencies.push({ key, name: r.name, alias: r.name === alias ? null : alias, spec, item: r.item });
    }
  }
  return { dependencies, skipped };
}
