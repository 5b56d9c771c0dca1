/**
 * TUF metadata (The Update Framework, specification 1.0): the four top-level roles' files as
 * a repository serves them, `{signed, signatures}`, parsed as hostile input — every field
 * type-checked and bounded, errors naming the field — and their signatures checked over the
 * canonical JSON of `signed` (securesystemslib's: sorted keys, no whitespace, only `"` and `\`
 * escaped, integers only). Keys: ECDSA P-256 (`ecdsa`/`ecdsa-sha2-nistp256`, PEM), Ed25519
 * (hex) and RSA-PSS with SHA-256 (PEM), the schemes Sigstore's and other public repositories use.
 */
import { createPublicKey, verify, constants, type KeyObject } from 'node:crypto';
import { cutShort, isPlainObject, shownJson, type PlainObject } from '../../core/index.ts';

export class TufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TufError';
  }
}

function fail(message: string): never {
  throw new TufError(message);
}

export type RoleName = 'root' | 'timestamp' | 'snapshot' | 'targets';
export const ROLES: readonly RoleName[] = ['root', 'timestamp', 'snapshot', 'targets'];

const MAX_KEYS = 256;
const MAX_KEYIDS = 64;
const MAX_SIGNATURES = 64;
const MAX_META = 4096;
const MAX_TARGETS = 10_000;
const MAX_TEXT = 4096;
/** How deep `signed` may nest (custom fields included): canonicalJson recurses once per level. */
const MAX_NESTING = 64;

export interface TufKey {
  readonly key: KeyObject;
  /** For `verify`: the digest (null for Ed25519) and, for RSA-PSS, the padding. */
  readonly digest: string | null;
  readonly pss: boolean;
}

export interface Role {
  readonly keyids: readonly string[];
  readonly threshold: number;
}

/** A file's version, and optionally its length and hashes, as the role above it lists it. */
export interface MetaFile {
  readonly version: number;
  readonly length: number | null;
  readonly hashes: Readonly<Record<string, string>> | null;
}

export interface TargetFile {
  readonly length: number;
  readonly hashes: Readonly<Record<string, string>>;
}

interface Common {
  readonly version: number;
  /** ms since the epoch */
  readonly expires: number;
}

export interface Root extends Common {
  readonly type: 'root';
  readonly consistentSnapshot: boolean;
  readonly keys: ReadonlyMap<string, TufKey>;
  readonly roles: Readonly<Record<RoleName, Role>>;
}

export interface Timestamp extends Common {
  readonly type: 'timestamp';
  readonly snapshot: MetaFile;
}

export interface Snapshot extends Common {
  readonly type: 'snapshot';
  readonly meta: ReadonlyMap<string, MetaFile>;
}

export interface Targets extends Common {
  readonly type: 'targets';
  readonly targets: ReadonlyMap<string, TargetFile>;
}

export type Signed = Root | Timestamp | Snapshot | Targets;

/** A parsed metadata file: its `signed` part, the canonical bytes its signatures are over, and the signatures. */
export interface Envelope<T extends Signed> {
  readonly signed: T;
  readonly canonical: Buffer;
  readonly signatures: readonly { readonly keyid: string; readonly sig: Buffer }[];
}

function object(v: unknown, path: string): PlainObject {
  if (!isPlainObject(v)) fail(`${path} is not an object`);
  return v;
}

function string(v: unknown, path: string, max = MAX_TEXT): string {
  if (typeof v !== 'string') fail(`${path} is not a string`);
  if (v.length > max) fail(`${path} is longer than ${max} characters`);
  return v;
}

function integer(v: unknown, path: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(`${path} is not an integer of at least ${min}`);
  return v;
}

/**
 * The members of an object: key, value, and the member's path for messages, its key cut to 100
 * characters (a key is any string the file's author chose: a target name of a megabyte would go
 * whole into the message, and into the log).
 */
function entries(v: unknown, path: string, max: number): [string, unknown, string][] {
  const o = object(v, path);
  const keys = Object.keys(o);
  if (keys.length > max) fail(`${path} has ${keys.length} entries (at most ${max})`);
  return keys.map((k) => [k, o[k], `${path}.${cutShort(k, 100)}`]);
}

const HEX = /^[0-9a-f]+$/;

function hashes(v: unknown, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [alg, value, at] of entries(v, path, 8)) {
    const hex = string(value, at, 256).toLowerCase();
    if (!HEX.test(hex)) fail(`${at} is not hex`);
    out[alg] = hex;
  }
  return out;
}

/** securesystemslib's canonical JSON of a parsed JSON value. */
export function canonicalJson(v: unknown): string {
  return canonical(v, 0);
}

function canonical(v: unknown, depth: number): string {
  if (depth > MAX_NESTING) fail(`canonical JSON nested deeper than ${MAX_NESTING} levels`);
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) fail('canonical JSON has integers only');
    return String(v);
  }
  if (typeof v === 'string') return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x, depth + 1)).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${canonical(k, depth)}:${canonical(v[k], depth + 1)}`)
      .join(',')}}`;
  }
  fail('not JSON');
}

function key(v: unknown, path: string): TufKey {
  const o = object(v, path);
  const keytype = string(o['keytype'], `${path}.keytype`, 64);
  const scheme = string(o['scheme'], `${path}.scheme`, 64);
  const pub = string(object(o['keyval'], `${path}.keyval`)['public'], `${path}.keyval.public`, MAX_TEXT);
  try {
    if (keytype === 'ed25519' && scheme === 'ed25519') {
      if (!/^[0-9a-f]{64}$/.test(pub)) fail(`${path}.keyval.public is not a 32-byte hex Ed25519 key`);
      const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(pub, 'hex')]);
      return { key: createPublicKey({ key: der, format: 'der', type: 'spki' }), digest: null, pss: false };
    }
    if ((keytype === 'ecdsa' || keytype === 'ecdsa-sha2-nistp256') && scheme === 'ecdsa-sha2-nistp256') {
      const k = createPublicKey(pub);
      if (k.asymmetricKeyDetails?.namedCurve !== 'prime256v1') fail(`${path} is not a P-256 key`);
      return { key: k, digest: 'sha256', pss: false };
    }
    if (keytype === 'rsa' && scheme === 'rsassa-pss-sha256') {
      const k = createPublicKey(pub);
      if (k.asymmetricKeyType !== 'rsa') fail(`${path} is not an RSA key`);
      return { key: k, digest: 'sha256', pss: true };
    }
  } catch (err) {
    if (err instanceof TufError) throw err;
    fail(`${path}.keyval.public is not a usable ${keytype} key (${(err as Error).message})`);
  }
  fail(`${path}: key type ${JSON.stringify(keytype)} with scheme ${JSON.stringify(scheme)} is not supported (ed25519, ecdsa-sha2-nistp256, rsassa-pss-sha256)`);
}

function role(v: unknown, path: string): Role {
  const o = object(v, path);
  const ids = o['keyids'];
  if (!Array.isArray(ids) || ids.length > MAX_KEYIDS) fail(`${path}.keyids is not a list of at most ${MAX_KEYIDS} key ids`);
  const keyids = ids.map((k, i) => string(k, `${path}.keyids[${i}]`, 256));
  if (new Set(keyids).size !== keyids.length) fail(`${path}.keyids lists a key twice`);
  return { keyids, threshold: integer(o['threshold'], `${path}.threshold`, 1) };
}

function metaFile(v: unknown, path: string): MetaFile {
  const o = object(v, path);
  return {
    version: integer(o['version'], `${path}.version`, 1),
    length: o['length'] === undefined ? null : integer(o['length'], `${path}.length`),
    hashes: o['hashes'] === undefined ? null : hashes(o['hashes'], `${path}.hashes`),
  };
}

function expires(v: unknown, path: string): number {
  const s = string(v, path, 64);
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/.test(s) ? Date.parse(s) : Number.NaN;
  if (Number.isNaN(ms)) fail(`${path} is not a UTC time`);
  return ms;
}

function parseSigned(o: PlainObject, expected: RoleName, file: string): Signed {
  const type = o['_type'];
  if (type !== expected) fail(`${file}: signed._type is ${shownJson(type, 40)}, not ${expected}`);
  const spec = string(o['spec_version'], `${file}: signed.spec_version`, 32);
  if (!/^1\.\d+(\.\d+)?$/.test(spec)) fail(`${file}: spec_version ${spec} is not a TUF 1.x version`);
  const common = { version: integer(o['version'], `${file}: signed.version`, 1), expires: expires(o['expires'], `${file}: signed.expires`) };
  if (expected === 'root') {
    const keys = new Map<string, TufKey>();
    for (const [id, k, at] of entries(o['keys'], `${file}: signed.keys`, MAX_KEYS)) keys.set(id, key(k, at));
    const r = object(o['roles'], `${file}: signed.roles`);
    const roles = Object.fromEntries(ROLES.map((name) => [name, role(r[name], `${file}: signed.roles.${name}`)])) as Record<RoleName, Role>;
    const cs = o['consistent_snapshot'];
    if (cs !== undefined && typeof cs !== 'boolean') fail(`${file}: signed.consistent_snapshot is not a boolean`);
    return { type: 'root', ...common, consistentSnapshot: cs === true, keys, roles };
  }
  if (expected === 'timestamp') {
    const meta = entries(o['meta'], `${file}: signed.meta`, 8);
    const snap = meta.find(([name]) => name === 'snapshot.json');
    if (snap === undefined) fail(`${file}: signed.meta has no snapshot.json`);
    return { type: 'timestamp', ...common, snapshot: metaFile(snap[1], `${file}: signed.meta.snapshot.json`) };
  }
  if (expected === 'snapshot') {
    const meta = new Map<string, MetaFile>();
    for (const [name, m, at] of entries(o['meta'], `${file}: signed.meta`, MAX_META)) meta.set(name, metaFile(m, at));
    return { type: 'snapshot', ...common, meta };
  }
  const targets = new Map<string, TargetFile>();
  for (const [name, t, at] of entries(o['targets'], `${file}: signed.targets`, MAX_TARGETS)) {
    const tf = object(t, at);
    const h = hashes(tf['hashes'], `${at}.hashes`);
    if (h['sha256'] === undefined && h['sha512'] === undefined) fail(`${at} has neither a sha256 nor a sha512 hash`);
    targets.set(name, { length: integer(tf['length'], `${at}.length`), hashes: h });
  }
  return { type: 'targets', ...common, targets };
}

/** Parses one metadata file of role `expected`; throws TufError naming the file and field. */
export function parseMetadata<T extends Signed>(bytes: Buffer, expected: T['type'], file: string): Envelope<T> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    fail(`${file} is not JSON`);
  }
  const o = object(json, file);
  const sigs = o['signatures'];
  if (!Array.isArray(sigs) || sigs.length > MAX_SIGNATURES) fail(`${file}: signatures is not a list of at most ${MAX_SIGNATURES}`);
  const signatures = sigs.map((s, i) => {
    const so = object(s, `${file}: signatures[${i}]`);
    const sig = string(so['sig'], `${file}: signatures[${i}].sig`, 2048).toLowerCase();
    if (sig !== '' && !HEX.test(sig)) fail(`${file}: signatures[${i}].sig is not hex`);
    return { keyid: string(so['keyid'], `${file}: signatures[${i}].keyid`, 256), sig: Buffer.from(sig, 'hex') };
  });
  const signed = object(o['signed'], `${file}: signed`);
  return { signed: parseSigned(signed, expected, file) as T, canonical: Buffer.from(canonicalJson(signed), 'utf8'), signatures };
}

/**
 * Null when at least `role.threshold` distinct keys of `role`, as `root` defines them, signed
 * `env`; else why not.
 */
export function thresholdProblem(env: Envelope<Signed>, root: Root, name: RoleName, file: string): string | null {
  const r = root.roles[name];
  const good = new Set<string>();
  for (const { keyid, sig } of env.signatures) {
    if (sig.length === 0 || good.has(keyid) || !r.keyids.includes(keyid)) continue;
    const k = root.keys.get(keyid);
    if (k === undefined) continue;
    let ok = false;
    try {
      ok = k.pss ? verify(k.digest, env.canonical, { key: k.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig) : verify(k.digest, env.canonical, k.key, sig);
    } catch {
      ok = false;
    }
    if (ok) good.add(keyid);
  }
  return good.size >= r.threshold ? null : `${file} is signed by ${good.size} of the ${name} role's keys (threshold ${r.threshold}, root version ${root.version})`;
}
