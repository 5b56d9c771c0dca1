/**
 * The npm facts Airlock puts in `input.facts` (documented in docs/facts/npm.md). Metadata-phase
 * facts come from one version's manifest and the packument's `time` and `dist-tags`; the
 * artifact phase adds `tarball` (what the bytes are) from `tarball-inspect.ts`. Every value is
 * bounded: strings and lists are truncated so a hostile manifest cannot blow up the policy
 * input or the decision records.
 */
import { isPlainObject, npmInstallTimeScripts, personBeforeEmail, setMember, type PlainObject } from '../../core/index.ts';
import type { Json } from '../../storage/ports/index.ts';
import type { Facts } from '../../gate/index.ts';
import type { ManifestExtract } from './manifest-reader.ts';
import { binNamesOf } from './bin-names.ts';
import { EMPTY_LIST, FactInterner } from './fact-interner.ts';

const MAX_TEXT = 1024;
const MAX_LIST = 64;
/**
 * Characters kept of each install-time script: a tarball's package.json is at most 1 MiB
 * (`DEFAULT_INSPECT_LIMITS.maxManifestBytes`), so the scripts npm would run from it are kept
 * whole, and the analysis reads every character of them (a script cut short, as the 1,024
 * characters of other texts, could hide its end from it).
 */
const MAX_SCRIPT_CHARS = 1024 ** 2;

function text(x: unknown): string | null {
  return typeof x === 'string' ? x.slice(0, MAX_TEXT) : null;
}

function count(x: unknown): number {
  if (Array.isArray(x)) return x.length;
  return isPlainObject(x) ? Object.keys(x).length : 0;
}

/** Strict SemVer 2.0.0 (no leading `v`/`=`, no leading zeros), as the registry publishes versions. */
const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isStrictSemver(version: string): boolean {
  return version.length <= 256 && SEMVER_RE.test(version);
}

function isPrerelease(version: string): boolean {
  const plus = version.indexOf('+');
  return (plus === -1 ? version : version.slice(0, plus)).includes('-');
}

function nonNegative(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : null;
}

/**
 * The scripts that run when npm installs the package (`npmInstallTimeScripts`: the install
 * lifecycle scripts and those they run by name, such as `npm run build`); with `hasBindingGyp`,
 * the `node-gyp rebuild` npm runs when binding.gyp exists and no install or preinstall script is
 * set.
 */
export function installScripts(scripts: unknown, hasBindingGyp = false): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [name, command] of Object.entries(npmInstallTimeScripts(scripts))) setMember(out, name, command.slice(0, MAX_SCRIPT_CHARS));
  if (hasBindingGyp && out['install'] === undefined && out['preinstall'] === undefined) out['install'] = 'node-gyp rebuild';
  return out;
}

/** Config values kept, and characters of each (a package.json is at most 1 MiB anyway). */
const MAX_CONFIG_VALUES = 64;
const MAX_CONFIG_CHARS = 64 * 1024;

/**
 * The package's `config` as its scripts see it: npm puts every value in their environment as
 * `npm_package_config_<key>` (nested keys joined with `_`), so `sh -c "$npm_package_config_cmd"`
 * runs whatever the value says. Flattened to those names without the prefix (`cmd`, `a_b`),
 * strings, numbers and booleans, the first 64; the analysis reads them with the install scripts.
 */
export function scriptConfig(config: unknown): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  let n = 0;
  const walk = (v: unknown, key: string, depth: number): void => {
    if (n >= MAX_CONFIG_VALUES || depth > 8) return;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      setMember(out, key.slice(0, 256), String(v).slice(0, MAX_CONFIG_CHARS));
      n++;
    } else if (isPlainObject(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, key === '' ? k : `${key}_${k}`, depth + 1);
    }
  };
  if (isPlainObject(config)) walk(config, '', 0);
  return out;
}

/**
 * A JSON file of a tarball (package.json, npm-shrinkwrap.json), parsed as npm parses it
 * (json-parse-even-better-errors drops a leading byte order mark first); the problem when it is
 * not a JSON object.
 */
export function parseTarballJson(bytes: Buffer): { readonly object: PlainObject } | { readonly problem: 'is not valid JSON' | 'is not an object' } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return { problem: 'is not valid JSON' };
  }
  return isPlainObject(parsed) ? { object: parsed } : { problem: 'is not an object' };
}

function licenseOf(m: PlainObject): string | null {
  const l = m['license'];
  if (typeof l === 'string') return l.slice(0, 256);
  if (isPlainObject(l)) return text(l['type']);
  const ls = m['licenses'];
  if (Array.isArray(ls)) {
    const types = ls.map((x) => (isPlainObject(x) ? text(x['type']) : text(x))).filter((x): x is string => x !== null);
    return types.length > 0 ? types.join(' OR ').slice(0, 256) : null;
  }
  return null;
}

function repositoryOf(m: PlainObject): string | null {
  const r = m['repository'];
  if (typeof r === 'string') return r.slice(0, 512);
  return isPlainObject(r) ? (text(r['url'])?.slice(0, 512) ?? null) : null;
}

function personName(p: unknown): string | null {
  const n = typeof p === 'string' ? personBeforeEmail(p) : isPlainObject(p) ? text(p['name']) : null;
  return n !== null && n !== '' ? n.slice(0, 214) : null;
}

function people(x: unknown): string[] {
  if (!Array.isArray(x)) return [];
  const out: string[] = [];
  for (const p of x.slice(0, MAX_LIST)) {
    const n = personName(p);
    if (n !== null) out.push(n);
  }
  return out;
}

const SRI_ALGORITHM = /^(sha1|sha256|sha384|sha512)-/;

function integrityAlgorithms(dist: PlainObject): string[] {
  const sri = dist['integrity'];
  const shasum = typeof dist['shasum'] === 'string';
  // The usual shape: one sha512 token and a shasum.
  if (typeof sri === 'string' && sri.startsWith('sha512-') && !/\s/.test(sri)) return shasum ? ['sha1', 'sha512'] : ['sha512'];
  const algos = new Set<string>();
  if (typeof sri === 'string') {
    for (const token of sri.trim().split(/\s+/).slice(0, 8)) {
      const m = SRI_ALGORITHM.exec(token);
      if (m?.[1] !== undefined) algos.add(m[1]);
    }
  }
  if (shasum) algos.add('sha1');
  return [...algos].sort();
}

/** What the packument says about the whole package (shared by its versions). */
export interface PackageContext {
  readonly time: Readonly<Record<string, string>>;
  readonly tagsByVersion: ReadonlyMap<string, readonly string[]>;
  readonly versionCount: number;
  /** Equal values in different versions' facts are one value. */
  readonly intern: FactInterner;
}

export function packageContext(time: Readonly<Record<string, string>>, distTags: Readonly<Record<string, string>>, versionCount: number): PackageContext {
  const tags = new Map<string, string[]>();
  for (const [tag, v] of Object.entries(distTags)) {
    const list = tags.get(v) ?? [];
    if (list.length < MAX_LIST) list.push(tag.slice(0, 64));
    tags.set(v, list);
  }
  const tagsByVersion = new Map<string, readonly string[]>();
  for (const [v, list] of tags) tagsByVersion.set(v, Object.freeze(list));
  return { time, tagsByVersion, versionCount, intern: new FactInterner() };
}

/**
 * The commands the registry's manifest says the version installs (its `bin`, as npm normalizes
 * it): the metadata phase can hide a version that shadows a common tool before a client picks
 * it. A `directories.bin` needs the tarball's file list; the artifact phase reads that.
 */
function binNamesInManifest(m: PlainObject, intern: FactInterner): readonly string[] {
  if (m['bin'] === undefined || m['bin'] === null) return EMPTY_LIST;
  const bins = binNamesOf(m, [], false);
  return bins === 'unknown' || bins.count === 0 ? EMPTY_LIST : intern.list(bins.names as string[]);
}

/** Metadata-phase facts for one version. The manifest is untrusted upstream JSON. */
export function metadataFacts(version: string, manifest: ManifestExtract, ctx: PackageContext): Facts {
  const m: PlainObject = manifest.fields;
  const counts = manifest.counts;
  const dist: PlainObject = isPlainObject(m['dist']) ? m['dist'] : {};
  const scripts = installScripts(m['scripts']);
  const attestations = isPlainObject(dist['attestations']) ? dist['attestations'] : null;
  const provenance = attestations !== null && isPlainObject(attestations['provenance']) ? attestations['provenance'] : null;
  const deprecated = m['deprecated'];
  const user = isPlainObject(m['_npmUser']) ? m['_npmUser'] : null;
  const trustedPublisher = user !== null && isPlainObject(user['trustedPublisher']) ? user['trustedPublisher'] : null;
  const intern = ctx.intern;
  return {
    published_at: ctx.time[version] ?? null,
    package_created_at: ctx.time['created'] ?? null,
    version_count: ctx.versionCount,
    dist_tags: ctx.tagsByVersion.get(version) ?? EMPTY_LIST,
    prerelease: isPrerelease(version),
    deprecated: typeof deprecated === 'string' && deprecated !== '' ? intern.string(deprecated.slice(0, MAX_TEXT)) : null,
    install_scripts: intern.object(scripts),
    has_install_script: m['hasInstallScript'] === true || Object.keys(scripts).length > 0,
    maintainers: intern.list(people(m['maintainers'])),
    publisher: user === null ? null : intern.string(text(user['name'])),
    trusted_publisher: trustedPublisher === null ? null : intern.string(text(trustedPublisher['id'])?.slice(0, 64) ?? 'unknown'),
    trusted_publisher_config: trustedPublisher === null ? null : intern.string(text(trustedPublisher['oidcConfigId'])?.slice(0, 256) ?? null),
    publish_approver: user === null ? null : intern.string(personName(user['approver'])),
    provenance: provenance !== null,
    provenance_predicate_type: provenance === null ? null : intern.string(text(provenance['predicateType'])),
    registry_signatures: Array.isArray(dist['signatures']) ? dist['signatures'].length : 0,
    integrity_algorithms: intern.list(integrityAlgorithms(dist)),
    declared_file_count: nonNegative(dist['fileCount']),
    declared_unpacked_size: nonNegative(dist['unpackedSize']),
    license: intern.string(licenseOf(m)),
    repository: intern.string(repositoryOf(m)),
    has_bin: typeof m['bin'] === 'string' || count(m['bin']) > 0,
    bin_names: binNamesInManifest(m, intern),
    dependency_count: counts.dependencies ?? 0,
    optional_dependency_count: counts.optionalDependencies ?? 0,
    peer_dependency_count: counts.peerDependencies ?? 0,
    bundled_dependency_count: counts.bundleDependencies ?? counts.bundledDependencies ?? 0,
    dependency_sources: manifest.sourceCount === 0 ? EMPTY_LIST : intern.list(manifest.sources),
    dependency_source_count: manifest.sourceCount,
  };
}

/**
 * Why a listed version cannot be served at all, or null when it can: the key is not a valid
 * semver version, the manifest disagrees with the packument about name or version, or it has
 * no tarball. Such versions are always hidden.
 */
export function versionProblem(name: string, version: string, extract: ManifestExtract | null): string | null {
  if (!isStrictSemver(version)) return 'not a valid semver version';
  if (extract === null) return 'the manifest is not an object';
  const manifest = extract.fields;
  if (manifest['version'] !== version) return 'the manifest names another version';
  if (manifest['name'] !== name) return 'the manifest names another package';
  const dist = manifest['dist'];
  if (!isPlainObject(dist) || typeof dist['tarball'] !== 'string') return 'the manifest has no tarball';
  if (typeof dist['integrity'] !== 'string' && typeof dist['shasum'] !== 'string') return 'the manifest has no integrity or shasum';
  return null;
}
