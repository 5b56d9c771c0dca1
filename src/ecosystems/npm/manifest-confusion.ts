/**
 * Manifest confusion: a version's package.json inside its tarball declaring other dependencies or
 * install hooks than the registry's manifest for it. npm resolves a first install from the
 * registry's manifest, but runs the hooks of the package.json it extracted, and reads each
 * installed package.json instead of the manifest when it installs beside an existing
 * node_modules with no lockfile: the dependencies only the tarball declares are then installed,
 * though every reader of the metadata (a scanner, an SBOM, Airlock's metadata phase) never saw
 * them. npm itself writes both from one package.json at publish, so a difference means the
 * publisher sent the registry something else on purpose (or by hand through its API).
 *
 * Compared: the dependencies npm installs (`dependencies` with `optionalDependencies` over them,
 * which is how npm merges the two, and `peerDependencies`), name by name and spec by spec, as npm
 * reads them (`dependencyEntries`), the install hooks the tarball's package.json runs
 * (`preinstall`, `install`, `postinstall`) that the manifest does not list with the same command,
 * and the commands it installs into node_modules/.bin (`bin`, or the files under
 * `directories.bin`) that the manifest does not list running the same file. pnpm and yarn link
 * the package.json's commands on a first install, npm once it reads the installed package; a
 * command named after another package's (or `node`) then runs in its place, unseen in the metadata.
 * A hook only the manifest lists is not a difference: npm adds `install: node-gyp rebuild` to
 * the manifest of a package with binding.gyp and runs it from the tarball's binding.gyp alone.
 * Nor is a command only the manifest lists: the clients that read it link a file of the package.
 * Nor is a git dependency npm wrote into the manifest in another form of the same repository:
 * `npm publish` normalizes `user/repo` to `github:user/repo` in the manifest and leaves the
 * package.json as it is.
 */
import { isPlainObject, NPM_INSTALL_LIFECYCLE, type PlainObject } from '../../core/index.ts';
import type { Json } from '../../storage/ports/index.ts';
import { binTargetsOf, type BinTargets } from './bin-names.ts';
import { decodeString, forEachMember, KeySet, scanValue } from './json-scan.ts';
import { isOutsideSpec } from './manifest-reader.ts';

/** What one side declares, as npm reads it. */
export interface DeclaredManifest {
  /** name → spec: `dependencies`, with `optionalDependencies` over them. */
  readonly dependencies: ReadonlyMap<string, string>;
  /** name → spec. */
  readonly peerDependencies: ReadonlyMap<string, string>;
  /** hook → command: `preinstall`, `install`, `postinstall` (string commands only, as npm runs). */
  readonly hooks: ReadonlyMap<string, string>;
  /** command → the path it runs, as npm normalizes `bin` (and `directories.bin`, given the files). */
  readonly bins: ReadonlyMap<string, string>;
  /** The `directories.bin` the commands come from when there is no `bin` (confined), else null. */
  readonly binDir: string | null;
  /** Entries beyond `MAX_DECLARED` per map were left out: the two sides cannot be compared in full. */
  readonly truncated: boolean;
}

/** Entries kept per map: far more than any real package declares, and a bound on what a cached inspection holds. */
export const MAX_DECLARED = 2000;
/** Differences listed in the facts (all are counted). */
export const MAX_DIFFERENCES_LISTED = 32;
const MAX_TEXT = 512;

/**
 * A dependency map as npm reads it (@npmcli/package-json, which wrote the manifest at publish and
 * reads an installed package.json): an object's string specs (others it drops); a string or an
 * array of `name@spec` words made into an object, as npm does for packages from before maps.
 */
function dependencyEntries(deps: unknown): Array<[string, string]> {
  if (isPlainObject(deps)) {
    const out: Array<[string, string]> = [];
    for (const name of Object.keys(deps)) {
      const spec = deps[name];
      if (typeof spec === 'string') out.push([name, spec]);
    }
    return out;
  }
  const words = typeof deps === 'string' ? deps.trim().split(/[\n\r\s\t ,]+/) : Array.isArray(deps) ? deps : [];
  const out: Array<[string, string]> = [];
  for (const word of words) {
    if (typeof word !== 'string') continue;
    const parts = word.trim().split(/(:?[@\s><=])/);
    const name = parts.shift() as string;
    out.push([name, parts.join('').replace(/^@/, '').trim()]);
  }
  return out;
}

function addAll(into: Map<string, string>, deps: unknown): boolean {
  for (const [name, spec] of dependencyEntries(deps)) {
    if (into.size >= MAX_DECLARED && !into.has(name)) return true;
    into.set(name, spec);
  }
  return false;
}

/** npm drops this prefix from script commands at publish (node_modules/.bin is on the scripts' PATH anyway). */
const BIN_PREFIX = /^(\.[/\\])?node_modules[/\\].bin[\\/]/;

/**
 * The parts of a manifest (parsed JSON: the tarball's package.json, or a version's members)
 * compared here. `commands` are its commands as the inspection read them, with the tarball's
 * files for a `directories.bin`; by default those of `bin` alone (a version's manifest: npm
 * publish writes `bin` from that folder's files). Commands that cannot be listed (a
 * `directories.bin` that is not a path, a file list cut short) are an inspection error of the
 * tarball already; here they declare none.
 */
export function declaredOf(manifest: PlainObject, cut = false, commands: BinTargets | 'unknown' = binTargetsOf(manifest, [], true)): DeclaredManifest {
  const dependencies = new Map<string, string>();
  const peerDependencies = new Map<string, string>();
  const hooks = new Map<string, string>();
  let truncated = addAll(dependencies, manifest['dependencies']) || cut;
  truncated = addAll(dependencies, manifest['optionalDependencies']) || truncated;
  truncated = addAll(peerDependencies, manifest['peerDependencies']) || truncated;
  const scripts = manifest['scripts'];
  if (isPlainObject(scripts)) {
    for (const hook of NPM_INSTALL_LIFECYCLE) {
      const command = Object.hasOwn(scripts, hook) ? scripts[hook] : undefined;
      if (typeof command === 'string') hooks.set(hook, command.replace(BIN_PREFIX, ''));
    }
  }
  const bins = new Map<string, string>();
  if (commands !== 'unknown') {
    for (const [command, path] of commands.targets) {
      if (bins.size === MAX_DECLARED) {
        truncated = true;
        break;
      }
      bins.set(command, path);
    }
  }
  return { dependencies, peerDependencies, hooks, bins, binDir: commands === 'unknown' ? null : commands.dir, truncated };
}

/** Bytes a declared manifest holds in memory, roughly (for the caches that keep one). */
export function declaredBytes(d: DeclaredManifest): number {
  let n = 64;
  for (const map of [d.dependencies, d.peerDependencies, d.hooks, d.bins]) for (const [k, v] of map) n += 48 + 2 * (k.length + v.length);
  return n;
}

export interface ManifestDifference {
  /** `dependencies`, `peerDependencies`, `scripts` or `bin`. */
  readonly field: string;
  /** The dependency's, the hook's or the command's name. */
  readonly name: string;
  /** What the registry's manifest says (null: nothing). */
  readonly registry: string | null;
  /** What the tarball's package.json says (null: nothing). */
  readonly tarball: string | null;
}

function clip(s: string | null): string | null {
  return s === null ? null : s.slice(0, MAX_TEXT);
}

/** The shortcut providers npm (hosted-git-info) knows, by their hosts. */
const GIT_HOSTS: ReadonlyMap<string, string> = new Map([
  ['github', 'github.com'],
  ['gitlab', 'gitlab.com'],
  ['bitbucket', 'bitbucket.org'],
  ['gist', 'gist.github.com'],
]);
const SHORTCUT = /^([a-z]+):([^/\s:@]+)\/([^/\s]+)$/;
const BARE_SHORTCUT = /^([^@./:\s~][^/:\s]*)\/([^/:\s]+)$/;
const GIT_URL = /^(?:git\+)?(?:https?|ssh|git):\/\/(?:[^@/\s]+@)?([^/:\s]+)(?::\d+)?\/([^/\s]+)\/([^/\s]+?)\/?$/;
const SCP_LIKE = /^(?:git\+ssh:\/\/)?[^@/\s]+@([^/:\s]+):([^/\s]+)\/([^/\s]+)$/;

/**
 * One repository and commit-ish for the forms of a git dependency npm treats as the same
 * (`user/repo`, `github:user/repo`, `git+https://github.com/user/repo.git`,
 * `git@github.com:user/repo.git` …), lower-cased host; null for anything else.
 */
export function gitRepositoryKey(spec: string): string | null {
  let s = spec.trim();
  const hash = s.indexOf('#');
  const committish = hash === -1 ? '' : s.slice(hash);
  if (hash !== -1) s = s.slice(0, hash);
  let host: string | undefined;
  let parts: RegExpExecArray | null;
  if ((parts = SHORTCUT.exec(s)) !== null) host = GIT_HOSTS.get(parts[1] as string);
  else if ((parts = BARE_SHORTCUT.exec(s)) !== null) return `github.com/${parts[1] as string}/${(parts[2] as string).replace(/\.git$/, '')}${committish}`;
  else if ((parts = GIT_URL.exec(s) ?? SCP_LIKE.exec(s)) !== null) host = (parts[1] as string).toLowerCase();
  if (host === undefined || parts === null) return null;
  return `${host}/${parts[2] as string}/${(parts[3] as string).replace(/\.git$/, '')}${committish}`;
}

/** Whether npm reads the two specs alike: the same text, or one git repository and commit-ish written two ways. */
function sameSpec(a: string, b: string): boolean {
  if (a === b) return true;
  if (!isOutsideSpec(a) || !isOutsideSpec(b)) return false;
  const key = gitRepositoryKey(a);
  return key !== null && key === gitRepositoryKey(b);
}

function compareMaps(field: string, registry: ReadonlyMap<string, string>, tarball: ReadonlyMap<string, string>, out: ManifestDifference[]): void {
  for (const [name, spec] of tarball) {
    const listed = registry.get(name) ?? null;
    if (listed === null || !sameSpec(listed, spec)) out.push({ field, name, registry: listed, tarball: spec });
  }
  for (const [name, spec] of registry) if (!tarball.has(name)) out.push({ field, name, registry: spec, tarball: null });
}

/** Every difference between the two, in a stable order (the tarball's side first). */
export function manifestDifferences(registry: DeclaredManifest, tarball: DeclaredManifest): ManifestDifference[] {
  const out: ManifestDifference[] = [];
  compareMaps('dependencies', registry.dependencies, tarball.dependencies, out);
  compareMaps('peerDependencies', registry.peerDependencies, tarball.peerDependencies, out);
  for (const [hook, command] of tarball.hooks) {
    const listed = registry.hooks.get(hook) ?? null;
    if (listed !== command) out.push({ field: 'scripts', name: hook, registry: listed, tarball: command });
  }
  // A manifest that kept `directories.bin` (not written by npm publish, which lists the files as
  // `bin`) declares the commands of the same folder as a package.json that has it too.
  const sameFolder = registry.bins.size === 0 && registry.binDir !== null && registry.binDir === tarball.binDir;
  if (!sameFolder) {
    for (const [command, path] of tarball.bins) {
      const listed = registry.bins.get(command) ?? null;
      if (listed !== path) out.push({ field: 'bin', name: command, registry: listed, tarball: path });
    }
  }
  return out;
}

/**
 * `input.facts.tarball.manifest_differences` (the first `MAX_DIFFERENCES_LISTED`) and
 * `manifest_difference_count`; both null when either side is unknown (the tarball's package.json
 * could not be read: `manifest_unreadable` holds that). Either side cut short counts as one more
 * difference: what lies beyond was not compared.
 */
export function manifestConfusionFacts(registry: DeclaredManifest | null, tarball: DeclaredManifest | null): { manifest_differences: Json; manifest_difference_count: Json } {
  if (registry === null || tarball === null) return { manifest_differences: null, manifest_difference_count: null };
  const all = manifestDifferences(registry, tarball);
  let count = all.length;
  const listed: Json[] = [];
  for (const d of all.slice(0, MAX_DIFFERENCES_LISTED)) listed.push({ field: d.field, name: d.name.slice(0, 214), registry: clip(d.registry), tarball: clip(d.tarball) });
  if (registry.truncated || tarball.truncated) {
    count++;
    if (listed.length < MAX_DIFFERENCES_LISTED) listed.push({ field: 'dependencies', name: '', registry: null, tarball: `more than ${MAX_DECLARED} entries in a map; the rest were not compared` });
  }
  return { manifest_differences: listed, manifest_difference_count: count };
}

const DECLARED_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'scripts', 'bin', 'directories', 'name'] as const;
const DECLARED_KEYS = new KeySet(DECLARED_FIELDS);

/** Bytes of a dependency map written as a string or an array (from before maps) that are read at all. */
const MAX_LEGACY_MAP_BYTES = 64 * 1024;

/**
 * What one version's manifest, the object starting at `start` (at '{') in a packument's bytes,
 * declares (`declaredOf`), read from those members alone; null when the value is not an object.
 * Read for a version whose tarball is judged, not for every version listed. A packument may be
 * as large as the upstream limit allows, so nothing here is parsed whole: a map's members are
 * decoded one by one, at most one more than `MAX_DECLARED` of them (which marks it cut short), and
 * of `scripts` only the install hooks.
 */
export function readDeclared(b: Buffer, start: number): DeclaredManifest | null {
  if (b[start] !== 0x7b) return null;
  const found: { [k: string]: unknown } = {};
  let cut = false;
  forEachMember(b, start, 2, (ks, ke, vs) => {
    const i = DECLARED_KEYS.match(b, ks, ke);
    if (i === -1) return -1;
    const field = DECLARED_FIELDS[i] as (typeof DECLARED_FIELDS)[number];
    if (b[vs] === 0x7b) {
      const members: { [k: string]: string } = Object.create(null) as { [k: string]: string };
      let kept = 0;
      const end = forEachMember(b, vs, 3, (mks, mke, mvs) => {
        const mve = scanValue(b, mvs, 4);
        // npm reads string specs and commands only; of scripts, the install hooks.
        if (b[mvs] !== 0x22) return mve;
        const name = decodeString(b, mks, mke);
        if (field === 'scripts' ? !(NPM_INSTALL_LIFECYCLE as readonly string[]).includes(name) : kept > MAX_DECLARED && !(name in members)) return mve;
        if (!(name in members)) kept++;
        members[name] = decodeString(b, mvs, mve);
        return mve;
      });
      found[field] = members;
      return end;
    }
    const end = scanValue(b, vs, 3);
    if (field === 'scripts') delete found[field];
    else if (end - vs <= MAX_LEGACY_MAP_BYTES) found[field] = JSON.parse(b.toString('utf8', vs, end)) as unknown;
    else {
      delete found[field];
      cut = true;
    }
    return end;
  });
  return declaredOf(found, cut);
}
