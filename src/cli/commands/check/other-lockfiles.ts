/**
 * pnpm's and yarn's lockfiles, read into the same shape as npm's (`lockfile.ts`): the registry
 * packages to judge, where each is downloaded from, and the entries that are not registry
 * packages.
 *
 * - `pnpm-lock.yaml` (lockfile versions 6-9): `packages` keyed `name@version` (`/name@version` in
 *   6); `resolution` is `{integrity}` for a registry package, whose URL pnpm derives from the
 *   registry it is configured with, `{tarball}` for one it downloads from that URL, and
 *   `{type: git}` or `{directory}` for the rest.
 * - `yarn.lock` of yarn 1: blocks keyed by the specs they satisfy, with `version` and `resolved`.
 * - `yarn.lock` of yarn 2+ (`__metadata`): `resolution: "name@npm:1.2.3"` for a registry package.
 *
 * Hostile input: the caller caps the size; YAML aliases are bounded by the parser; entries,
 * names and versions are checked as for npm's lockfiles.
 */
import { parse as parseYaml } from 'yaml';
import { isPlainObject, yamlDepthExceeded, type PlainObject } from '../../../core/index.ts';
import { LockedCollector, LockfileError, type LockfilePackages } from './lockfile.ts';

/**
 * `s` up to the first `ch`: a yarn `resolved` URL without its `#sha1`, a pnpm key without its
 * peer suffix `(…)`. Not `replace(/#.*$/, '')` or `/\(.*$/`: `.` stops at a line terminator, which
 * a quoted YAML key or a JSON-escaped yarn value may hold, and every `#` or `(` before one started
 * a match that ran to it and failed, quadratic in the string (200,000 of them took 29 s of CPU).
 */
function before(s: string, ch: string): string {
  const at = s.indexOf(ch);
  return at === -1 ? s : s.slice(0, at);
}

/** `name@spec` split at the `@` that ends the name (a scope's leading `@` is part of it). */
function splitAt(key: string): { name: string; spec: string } | null {
  const at = key.indexOf('@', key.startsWith('@') ? 1 : 0);
  return at <= 0 ? null : { name: key.slice(0, at), spec: key.slice(at + 1) };
}

/**
 * A lockfile's version number, written as a number or a string (`'9.0'`); NaN for anything else.
 * Not `String(v)`: a YAML mapping with a `toString` key that is not a function makes it throw.
 */
function versionNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? Number.parseFloat(v) : Number.NaN;
}

/** Nesting a lockfile's YAML may have: pnpm's and yarn's go 4 or 5 levels deep. */
const MAX_YAML_DEPTH = 64;

function yamlDocument(text: string, what: string): PlainObject {
  // The YAML reader recurses once per level and takes seconds to overflow its stack on a
  // hostile 100,000-deep document; a linear scan refuses deep nesting before it starts.
  const deepAt = yamlDepthExceeded(text, MAX_YAML_DEPTH + 1);
  if (deepAt !== undefined) throw new LockfileError(`not ${what}: nested deeper than ${MAX_YAML_DEPTH} levels at line ${deepAt}`);
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100, uniqueKeys: false, logLevel: 'error' });
  } catch (err) {
    // The scan's count is a lower bound: nesting it cannot see may still overflow the reader's stack.
    if (err instanceof RangeError && /Maximum call stack size exceeded/.test(err.message)) throw new LockfileError(`not ${what}: nested too deep to read`);
    throw new LockfileError(`not YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (!isPlainObject(doc)) throw new LockfileError(`not ${what}: the document is not a mapping`);
  return doc;
}

/** A pnpm-lock.yaml. */
export function parsePnpmLock(text: string): LockfilePackages {
  const doc = yamlDocument(text, 'a pnpm lockfile');
  const version = versionNumber(doc['lockfileVersion']);
  if (!Number.isFinite(version)) throw new LockfileError('not a pnpm lockfile: no lockfileVersion');
  const packages = doc['packages'];
  const out = new LockedCollector();
  if (packages === undefined || packages === null) return out.result(version);
  if (!isPlainObject(packages)) throw new LockfileError('not a pnpm lockfile: packages is not a mapping');
  for (const [rawKey, entry] of Object.entries(packages)) {
    if (!isPlainObject(entry)) continue;
    // Version 6 writes `/name@version`, and a peer-dependency suffix `(peer@1.0.0)` may follow.
    const key = before(rawKey.replace(/^\//, ''), '(');
    const resolution = isPlainObject(entry['resolution']) ? entry['resolution'] : {};
    if (resolution['type'] === 'git' || typeof resolution['directory'] === 'string' || typeof resolution['repo'] === 'string') {
      out.skip(rawKey, 'not from a registry (a git or local dependency)');
      continue;
    }
    const parts = splitAt(key);
    if (parts === null) {
      out.skip(rawKey, 'not a name@version key');
      continue;
    }
    const name = typeof entry['name'] === 'string' ? entry['name'] : parts.name;
    const ver = typeof entry['version'] === 'string' ? entry['version'] : parts.spec;
    out.add(rawKey, name, ver, typeof resolution['tarball'] === 'string' ? resolution['tarball'] : null);
  }
  return out.result(version);
}

/** A yarn.lock of yarn 2 or later (YAML, `__metadata`). */
function parseBerryLock(text: string): LockfilePackages {
  const doc = yamlDocument(text, 'a yarn lockfile');
  const meta = isPlainObject(doc['__metadata']) ? doc['__metadata'] : {};
  const out = new LockedCollector();
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata' || !isPlainObject(entry)) continue;
    const resolution = typeof entry['resolution'] === 'string' ? entry['resolution'] : '';
    const parts = splitAt(resolution);
    if (parts === null || !parts.spec.startsWith('npm:')) {
      out.skip(key, `not from a registry (${resolution.slice(0, 80)})`);
      continue;
    }
    out.add(key, parts.name, parts.spec.slice(4), null);
  }
  return out.result(versionNumber(meta['version']) || 0);
}

/** A yarn 1 lockfile's value: a quoted string or a bare word. */
function unquote(v: string): string {
  const t = v.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
    try {
      return JSON.parse(t) as string;
    } catch {
      return t.slice(1, -1);
    }
  }
  return t;
}

/** A yarn.lock, of yarn 1 (its own format) or of yarn 2+ (YAML). */
export function parseYarnLock(text: string): LockfilePackages {
  if (/^__metadata:/m.test(text)) return parseBerryLock(text);
  const out = new LockedCollector();
  let key: string | null = null;
  let fields = new Map<string, string>();
  const flush = (): void => {
    if (key === null) return;
    const specs = key.split(',').map(unquote);
    const first = splitAt(specs[0] ?? '');
    const version = fields.get('version') ?? '';
    const resolvedRaw = fields.get('resolved') ?? null;
    if (first === null) out.skip(key, 'not a name@range key');
    else {
      // An alias (`alias@npm:real@^1`) installs the real package.
      const aliased = first.spec.startsWith('npm:') ? splitAt(first.spec.slice(4)) : null;
      out.add(key, aliased?.name ?? first.name, version, resolvedRaw === null ? null : before(resolvedRaw, '#'));
    }
    key = null;
    fields = new Map();
  };
  // Lines end in \n or \r\n (a lockfile checked out on Windows).
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (!line.startsWith(' ')) {
      flush();
      key = line.replace(/:\s*$/, '');
      continue;
    }
    // Two spaces: a field of the block (`version "1.0.0"`); deeper lines are its dependencies.
    const m = /^ {2}(\w+) (.*)$/.exec(line);
    if (m !== null && key !== null) fields.set(m[1] as string, unquote(m[2] as string));
  }
  flush();
  return out.result(1);
}
