/**
 * The npm URL space (npm.md §1–2), parsed from the raw request path under the repository
 * prefix. Names arrive as `name`, `@scope%2fname` (any case of `%2f`) or `@scope/name`; a
 * scoped `/@scope/name/…` path is a packument unless the next segment is `-` (a tarball).
 */
import { AirlockError, parseNpmPackageName, type NpmPackageName } from '../../core/index.ts';
import { memo } from '../shared/memo.ts';

export type NpmRoute =
  | { readonly kind: 'packument'; readonly name: NpmPackageName }
  | { readonly kind: 'version'; readonly name: NpmPackageName; readonly spec: string }
  | { readonly kind: 'tarball'; readonly name: NpmPackageName; readonly filename: string }
  | { readonly kind: 'ping' }
  | { readonly kind: 'keys' }
  | { readonly kind: 'attestations'; readonly name: NpmPackageName; readonly version: string }
  | { readonly kind: 'dist-tags'; readonly name: NpmPackageName }
  | { readonly kind: 'whoami' }
  | { readonly kind: 'audit'; readonly endpoint: 'advisories/bulk' | 'audits/quick' | 'audits' }
  | { readonly kind: 'search' }
  /** `npm publish`: a hosted repository's to take, refused by a proxy. */
  | { readonly kind: 'publish'; readonly name: NpmPackageName }
  /** `npm dist-tag add` (a JSON string body: the version) and `npm dist-tag rm`. */
  | { readonly kind: 'dist-tag-set'; readonly name: NpmPackageName; readonly tag: string }
  | { readonly kind: 'dist-tag-remove'; readonly name: NpmPackageName; readonly tag: string }
  /**
   * `npm unpublish name@version`: the packument read with `?write=true`, sent back without the
   * version (`PUT /<name>/-rev/<rev>`), then its file removed (`DELETE /<name>/-/<file>/-rev/<rev>`).
   * `npm unpublish name --force` (or of the last version): `DELETE /<name>/-rev/<rev>`.
   */
  | { readonly kind: 'unpublish-version'; readonly name: NpmPackageName; readonly rev: string }
  | { readonly kind: 'unpublish-file'; readonly name: NpmPackageName; readonly filename: string; readonly rev: string }
  | { readonly kind: 'unpublish'; readonly name: NpmPackageName; readonly rev: string }
  | { readonly kind: 'unsupported'; readonly what: string }
  | { readonly kind: 'unknown' };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (cause) {
    throw new AirlockError('BAD_REQUEST', 'malformed percent-encoding in the path', { cause });
  }
}

/** A package name from its first segment(s); returns the name and the remaining segments. */
function nameAt(segs: readonly string[]): { name: NpmPackageName; rest: readonly string[] } {
  const first = segs[0] ?? '';
  if (first.startsWith('@') || first.startsWith('%40')) {
    const decodedFirst = decode(first);
    if (decodedFirst.includes('/')) return { name: parseNpmPackageName(decodedFirst), rest: segs.slice(1) };
    const second = segs[1];
    if (second === undefined || second === '') throw new AirlockError('INVALID_NAME', `invalid scoped npm package name: ${JSON.stringify(decodedFirst)}`);
    return { name: parseNpmPackageName(`${decodedFirst}/${decode(second)}`), rest: segs.slice(2) };
  }
  return { name: parseNpmPackageName(decode(first)), rest: segs.slice(1) };
}

function apiRoute(segs: readonly string[], method: string): NpmRoute {
  const path = segs.join('/');
  if (path === 'ping') return { kind: 'ping' };
  if (path === 'whoami') return { kind: 'whoami' };
  if (path === 'npm/v1/keys') return { kind: 'keys' };
  if (segs[0] === 'npm' && segs[1] === 'v1' && segs[2] === 'attestations' && segs.length === 4) {
    const spec = decode(segs[3] ?? '');
    const at = spec.lastIndexOf('@');
    if (at <= 0) throw new AirlockError('BAD_REQUEST', 'attestations need <name>@<version>');
    return { kind: 'attestations', name: parseNpmPackageName(spec.slice(0, at)), version: spec.slice(at + 1) };
  }
  if (method === 'POST' && segs[0] === 'npm' && segs[1] === 'v1' && segs[2] === 'security') {
    const rest = segs.slice(3).join('/');
    if (rest === 'advisories/bulk' || rest === 'audits/quick' || rest === 'audits') return { kind: 'audit', endpoint: rest };
  }
  if (segs[0] === 'package' && segs.length >= 3) {
    const { name, rest } = nameAt(segs.slice(1));
    if (rest[0] === 'dist-tags' && rest.length === 1 && method !== 'PUT' && method !== 'DELETE') return { kind: 'dist-tags', name };
    if (rest[0] === 'dist-tags' && rest.length === 2 && (method === 'PUT' || method === 'DELETE')) {
      const tag = decode(rest[1] ?? '');
      return method === 'PUT' ? { kind: 'dist-tag-set', name, tag } : { kind: 'dist-tag-remove', name, tag };
    }
    return { kind: 'unsupported', what: 'changing packages (dist-tags, visibility, access)' };
  }
  if (segs[0] === 'v1' && segs[1] === 'login') return { kind: 'unsupported', what: 'npm login' };
  if (segs[0] === 'user') return { kind: 'unsupported', what: 'npm login/adduser' };
  if (segs[0] === 'v1' && segs[1] === 'search' && segs.length === 2 && (method === 'GET' || method === 'HEAD')) return { kind: 'search' };
  if (segs[0] === 'stage') return { kind: 'unsupported', what: 'publishing' };
  return { kind: 'unknown' };
}

/** A revision as `_rev` gives it (`3-k2x9a1`): short, printable, no path characters. */
function revision(segment: string): string {
  const rev = decode(segment);
  if (!/^[0-9]{1,12}-[0-9a-z]{1,16}$/.test(rev)) throw new AirlockError('BAD_REQUEST', `invalid revision ${JSON.stringify(rev.slice(0, 40))}: send the _rev of the packument read with ?write=true`);
  return rev;
}

/**
 * Read routes already parsed, by path: a hot packument or tarball is asked for thousands of times
 * a second, and parsing its path (splitting, decoding, validating the name) cost more than the
 * lookup. Bounded by count and by the length of a path kept; emptied when full.
 */
const READ_ROUTES = new Map<string, NpmRoute>();
const MAX_READ_ROUTES = 4096;
const MAX_CACHED_PATH = 256;

/** `path` is the request path below the repository prefix, starting with `/`, without query. */
export function parseNpmPath(path: string, method: string): NpmRoute {
  if (method !== 'GET' && method !== 'HEAD') return parsePath(path, method);
  return path.length > MAX_CACHED_PATH ? readRoute(path) : memo(READ_ROUTES, path, readRoute, MAX_READ_ROUTES);
}

/** A read's route (GET and HEAD parse alike), frozen: the memo's callers share it. */
function readRoute(path: string): NpmRoute {
  return Object.freeze(parsePath(path, 'GET'));
}

function parsePath(path: string, method: string): NpmRoute {
  const segs = path.split('/').slice(1);
  if (segs.length === 0 || segs[0] === '') return { kind: 'unknown' };
  if (segs[0] === '-') return apiRoute(segs.slice(1), method);
  const { name, rest } = nameAt(segs);
  const write = method !== 'GET' && method !== 'HEAD';
  if (write) {
    if (method === 'PUT' && (rest.length === 0 || (rest.length === 1 && rest[0] === ''))) return { kind: 'publish', name };
    // CouchDB's revision paths, as npm unpublish sends them.
    if (rest.length === 2 && rest[0] === '-rev') {
      const rev = revision(rest[1] ?? '');
      if (method === 'PUT') return { kind: 'unpublish-version', name, rev };
      if (method === 'DELETE') return { kind: 'unpublish', name, rev };
    }
    if (method === 'DELETE' && rest.length === 4 && rest[0] === '-' && rest[2] === '-rev') {
      const filename = decode(rest[1] ?? '');
      if (filename === '' || filename.includes('/')) throw new AirlockError('BAD_REQUEST', 'invalid tarball file name');
      return { kind: 'unpublish-file', name, filename, rev: revision(rest[3] ?? '') };
    }
    return { kind: 'unsupported', what: 'changing published versions' };
  }
  if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) return { kind: 'packument', name };
  if (rest[0] === '-' && rest.length === 2) {
    const filename = decode(rest[1] ?? '');
    if (filename === '' || filename.includes('/')) throw new AirlockError('BAD_REQUEST', 'invalid tarball file name');
    return { kind: 'tarball', name, filename };
  }
  if (rest.length === 1) return { kind: 'version', name, spec: decode(rest[0] ?? '') };
  return { kind: 'unknown' };
}
