/**
 * The configuration schema, version 1. Strict: unknown keys are errors naming their path
 * (`repositories[0].upstreem: unknown key`); every value is checked and bounded; secrets only by
 * reference. Produces a draft in which an npm repository's upstream may still be unknown (it is
 * then read from `npm config get registry` by the loader).
 */
import { resolve } from 'node:path';
import type { Json } from '../../storage/ports/index.ts';
import {
  boolean,
  duration,
  fail,
  filePath,
  httpUrl,
  integer,
  join,
  jsonData,
  list,
  object,
  oneOf,
  optionalObject,
  size,
  string,
  type Raw,
} from './checks.ts';
import { readCaFile, type TrustedCa } from './ca.ts';
import { readPublicKeyFile } from './public-key-file.ts';
import { EMPTY_TRUSTED_ROOT, publicRegistryKeys, publicGoodTrustedRoot, SIGSTORE_TUF_URL, sigstoreTufRoot } from '../../verify/index.ts';
import { readSigstoreRootFile, readTufRootFile } from './sigstore-root-file.ts';
import { readRegistryKeysFile } from './registry-keys-file.ts';
import { proxyUrlProblem } from './proxy-url.ts';
import { secretRef, type Secret } from './secret.ts';
import { blobDriver, metadataDriver } from './storage-drivers.ts';
import { webhooks } from './webhooks.ts';
import { oidcConfig } from './oidc.ts';
import { mcpConfig } from './mcp.ts';
import { ssoConfig } from './sso.ts';
import { tlsConfig } from './tls.ts';
import { AUDITS_AT_ONCE, AUDITS_WAITING } from '../../ecosystems/npm/audit.ts';
import { policyBundle } from './policy-bundle.ts';
import {
  CONFIG_VERSION,
  LOG_LEVELS,
  type AccessConfig,
  type AirlockConfig,
  type PolicyConfig,
  type ProxySetting,
  type GroupRepositoryConfig,
  type ModelSigningTrustConfig,
  type HostedRepositoryConfig,
  type ProxyRepositoryConfig,
  type ServerConfig,
  type SignalsConfig,
  type TrustedRegistryKeys,
  type TrustedSigstoreRoot,
  type UpstreamAuth,
} from './types.ts';

export interface ValidateContext {
  readonly env: NodeJS.ProcessEnv;
  /** Relative paths in the file (data dir, policy paths, secret files) resolve against this directory. */
  readonly baseDir: string;
  /** Defaults (`./data`) resolve against the working directory. */
  readonly cwd: string;
}

export type ProxyRepositoryDraft = Omit<ProxyRepositoryConfig, 'upstream' | 'upstreamSource' | 'proxy'> & { readonly upstream: string | null; readonly proxy: ProxySetting };
export type RepositoryDraft = ProxyRepositoryDraft | HostedRepositoryConfig | GroupRepositoryConfig;
export type ConfigDraft = Omit<AirlockConfig, 'repositories'> & { readonly repositories: readonly RepositoryDraft[] };

export const TOP_KEYS = ['version', 'server', 'storage', 'policy', 'access', 'signals', 'repositories', 'webhooks'] as const;
export const SERVER_KEYS = ['host', 'port', 'publicUrl', 'trustProxy', 'logLevel', 'accessLog', 'shutdownTimeout', 'cacheMemory', 'tls', 'audits'] as const;
const AUDITS_KEYS = ['concurrency', 'queue'] as const;
export const STORAGE_KEYS = ['dataDir', 'metadata', 'blobs', 'sweepEvery', 'sweepGrace', 'artifactRetention'] as const;
export const POLICY_KEYS = ['paths', 'data', 'watch', 'onError', 'timeout', 'maxSteps', 'reevaluateEvery', 'verdictCacheSize', 'syncInterval', 'bundle'] as const;
export const ACCESS_KEYS = ['anonymousRead', 'adminToken', 'oidc', 'sso', 'mcp'] as const;
export const SIGNALS_KEYS = ['enabled', 'internalNames', 'factsTtl', 'feedPoll'] as const;
export const INTERNAL_NAME_KEYS = ['npm', 'pypi'] as const;
export const REPOSITORY_KEYS = [
  'name',
  'format',
  'kind',
  'upstream',
  'upstreamAuth',
  'proxy',
  'ca',
  'metadataMaxAge',
  'blockedVersions',
  'timeouts',
  'maxArtifactSize',
  'maxMetadataSize',
  'registryKeys',
  'sigstoreTrustedRoot',
  'members',
  'publishTo',
  'unpublish',
  'filesUpstream',
  'modelSigning',
  'cosignKeys',
  'defaultNamespace',
] as const;
export const MODEL_SIGNING_KEYS = ['keys', 'certificateAuthorities'] as const;
export const TIMEOUT_KEYS = ['connect', 'headers', 'body'] as const;
/** What a hosted repository may set: the rest is about reaching an upstream, which it has none of. */
export const HOSTED_REPOSITORY_KEYS = ['name', 'format', 'kind', 'metadataMaxAge', 'blockedVersions', 'maxArtifactSize', 'maxMetadataSize', 'unpublish'] as const;
/** What a group repository may set: its members serve, with their own settings. */
export const GROUP_REPOSITORY_KEYS = ['name', 'format', 'kind', 'members', 'publishTo'] as const;
/** Members a group repository may have. */
const MAX_GROUP_MEMBERS = 16;

const REPO_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const DAY = 86_400_000;
/** `server.cacheMemory` by default. */
export const DEFAULT_CACHE_MEMORY = 64 * 1024 ** 2;

function server(v: unknown, ctx: ValidateContext): ServerConfig {
  const p = 'server';
  const o = optionalObject(v, p, SERVER_KEYS);
  return {
    host: o['host'] === undefined ? '127.0.0.1' : string(o['host'], join(p, 'host'), { max: 255 }),
    port: o['port'] === undefined ? 8080 : integer(o['port'], join(p, 'port'), 0, 65535),
    publicUrl: o['publicUrl'] === undefined || o['publicUrl'] === null ? null : httpUrl(o['publicUrl'], join(p, 'publicUrl')),
    trustProxy: o['trustProxy'] === undefined ? false : boolean(o['trustProxy'], join(p, 'trustProxy')),
    logLevel: o['logLevel'] === undefined ? 'info' : oneOf(o['logLevel'], join(p, 'logLevel'), LOG_LEVELS),
    accessLog: o['accessLog'] === undefined ? true : boolean(o['accessLog'], join(p, 'accessLog')),
    shutdownTimeoutMs: o['shutdownTimeout'] === undefined ? 10_000 : duration(o['shutdownTimeout'], join(p, 'shutdownTimeout'), 0, 600_000),
    cacheMemoryBytes: o['cacheMemory'] === undefined ? DEFAULT_CACHE_MEMORY : size(o['cacheMemory'], join(p, 'cacheMemory'), 4 * 1024 ** 2, 64 * 1024 ** 3),
    tls: tlsConfig(o['tls'], join(p, 'tls'), ctx),
    audits: audits(o['audits'], join(p, 'audits')),
  };
}

/** `server.audits`: the npm audits the gateway answers at once, and how many more wait (see docs/signals.md, "Audits"). */
function audits(v: unknown, path: string): ServerConfig['audits'] {
  const o = optionalObject(v, path, AUDITS_KEYS);
  return {
    concurrency: o['concurrency'] === undefined ? AUDITS_AT_ONCE : integer(o['concurrency'], join(path, 'concurrency'), 1, 64),
    queue: o['queue'] === undefined ? AUDITS_WAITING : integer(o['queue'], join(path, 'queue'), 0, 10_000),
  };
}

function policy(v: unknown, ctx: ValidateContext): PolicyConfig {
  const p = 'policy';
  const o = optionalObject(v, p, POLICY_KEYS);
  const paths = o['paths'] === undefined ? [] : list(o['paths'], join(p, 'paths'), 100).map((x, i) => filePath(x, join(join(p, 'paths'), i), ctx.baseDir));
  const bundle = policyBundle(o['bundle'], join(p, 'bundle'), ctx);
  if (bundle !== null && paths.length > 0) fail(join(p, 'bundle'), 'give either policy.paths (files) or policy.bundle (a bundle server), not both');
  let data: { readonly [k: string]: Json } = {};
  if (o['data'] !== undefined && o['data'] !== null) {
    object(o['data'], join(p, 'data'), Object.keys(o['data'] as object));
    data = jsonData(o['data'], join(p, 'data')) as { readonly [k: string]: Json };
  }
  return {
    paths,
    data,
    watch: o['watch'] === undefined ? true : boolean(o['watch'], join(p, 'watch')),
    onError: o['onError'] === undefined ? 'block' : oneOf(o['onError'], join(p, 'onError'), ['block', 'quarantine'] as const),
    timeoutMs: o['timeout'] === undefined ? 1000 : duration(o['timeout'], join(p, 'timeout'), 1, 60_000),
    maxSteps: o['maxSteps'] === undefined ? 1_000_000 : integer(o['maxSteps'], join(p, 'maxSteps'), 1000, 1_000_000_000),
    reevaluateEveryMs: o['reevaluateEvery'] === undefined ? 15 * 60_000 : duration(o['reevaluateEvery'], join(p, 'reevaluateEvery'), 1000, 7 * DAY),
    verdictCacheSize: o['verdictCacheSize'] === undefined ? 200_000 : integer(o['verdictCacheSize'], join(p, 'verdictCacheSize'), 1, 10_000_000),
    syncIntervalMs: o['syncInterval'] === undefined ? 2000 : duration(o['syncInterval'], join(p, 'syncInterval'), 0, DAY),
    bundle,
  };
}

function access(v: unknown, ctx: ValidateContext, repositories: readonly string[], publicUrl: string | null): AccessConfig {
  const p = 'access';
  const o = optionalObject(v, p, ACCESS_KEYS);
  let adminToken: Secret | null = null;
  if (o['adminToken'] !== undefined && o['adminToken'] !== null) adminToken = secretRef(o['adminToken'], join(p, 'adminToken'), ctx);
  else if (ctx.env['AIRLOCK_ADMIN_TOKEN'] !== undefined && ctx.env['AIRLOCK_ADMIN_TOKEN'] !== '') {
    adminToken = secretRef({ env: 'AIRLOCK_ADMIN_TOKEN' }, 'AIRLOCK_ADMIN_TOKEN', ctx);
  }
  return {
    anonymousRead: o['anonymousRead'] === undefined ? true : boolean(o['anonymousRead'], join(p, 'anonymousRead')),
    adminToken,
    oidc: oidcConfig(o['oidc'], join(p, 'oidc'), repositories),
    sso: ssoConfig(o['sso'], join(p, 'sso'), ctx, publicUrl),
    mcp: mcpConfig(o['mcp'], join(p, 'mcp')),
  };
}

const INTERNAL_NAME_RE = /^[^\s]{1,214}$/;

function internalNames(v: unknown, path: string): readonly string[] {
  if (v === undefined || v === null) return [];
  const names = list(v, path, 10_000).map((x, i) => string(x, join(path, i), { max: 214, pattern: INTERNAL_NAME_RE, hint: 'a package name without spaces' }));
  return [...new Set(names)];
}

function signals(v: unknown): SignalsConfig {
  const p = 'signals';
  const o = optionalObject(v, p, SIGNALS_KEYS);
  const n = optionalObject(o['internalNames'], join(p, 'internalNames'), INTERNAL_NAME_KEYS);
  return {
    enabled: o['enabled'] === undefined ? true : boolean(o['enabled'], join(p, 'enabled')),
    internalNames: {
      npm: internalNames(n['npm'], join(join(p, 'internalNames'), 'npm')),
      pypi: internalNames(n['pypi'], join(join(p, 'internalNames'), 'pypi')),
    },
    factsTtlMs: o['factsTtl'] === undefined ? 10 * 60_000 : duration(o['factsTtl'], join(p, 'factsTtl'), 0, DAY),
    feedPollMs: o['feedPoll'] === undefined ? 2000 : duration(o['feedPoll'], join(p, 'feedPoll'), 0, DAY),
  };
}

function upstreamAuth(v: unknown, path: string, ctx: ValidateContext): UpstreamAuth | null {
  if (v === undefined || v === null) return null;
  const o = object(v, path, ['token', 'username', 'password']);
  if (o['token'] !== undefined) {
    if (o['username'] !== undefined || o['password'] !== undefined) fail(path, 'give either token or username and password');
    return { kind: 'bearer', token: secretRef(o['token'], join(path, 'token'), ctx) };
  }
  if (o['username'] === undefined || o['password'] === undefined) fail(path, 'give token, or username and password');
  return { kind: 'basic', username: string(o['username'], join(path, 'username'), { max: 256 }), password: secretRef(o['password'], join(path, 'password'), ctx) };
}

/** `proxy`: omitted (see `ProxySetting`), `env`, `npm`, `none`, a URL, or `{url, username, password}`. */
function proxySetting(v: unknown, path: string, ctx: ValidateContext): ProxySetting {
  if (v === undefined || v === null) return { kind: 'default' };
  if (v === 'env') return { kind: 'env' };
  if (v === 'npm') return { kind: 'npm' };
  if (v === 'none') return { kind: 'none' };
  const o = typeof v === 'string' ? { url: v } : object(v, path, ['url', 'username', 'password']);
  const at = typeof v === 'string' ? path : join(path, 'url');
  if (o['url'] === undefined) fail(at, 'required');
  const text = string(o['url'], at);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(at, `not a URL: ${JSON.stringify(text)} (or give env, npm or none)`);
  }
  const problem = proxyUrlProblem(url);
  if (problem === 'scheme') fail(at, 'must be an http:// or https:// proxy URL');
  if (url.username !== '' || url.password !== '') fail(at, 'must not contain credentials; give username and password (a secret reference)');
  if (problem === 'not-origin') fail(at, 'must be the proxy\'s origin only (scheme, host and port)');
  if ((o['username'] === undefined) !== (o['password'] === undefined)) fail(path, 'give both username and password, or neither');
  return {
    kind: 'url',
    url: url.origin,
    username: o['username'] === undefined ? null : string(o['username'], join(path, 'username'), { max: 256 }),
    password: o['password'] === undefined ? null : secretRef(o['password'], join(path, 'password'), ctx),
  };
}

/** `ca`: a PEM file of certificate authorities, relative to the configuration file. */
function caFile(v: unknown, path: string, ctx: ValidateContext): TrustedCa {
  const file = filePath(v, path, ctx.baseDir);
  return { pems: readCaFile(file, path), source: `the repository's ca file ${file}` };
}

const BUILTIN_KEYS = 'builtin';

/** A TUF target path: relative, `/`-separated names without `.` or `..` parts. */
const TUF_TARGET_RE = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[A-Za-z0-9._~:@+-]+(?:\/[A-Za-z0-9._~:@+-]+)*$/;

/**
 * `registryKeys`: `builtin` (the public npm registry's keys, pinned in Airlock; the default), a
 * key file relative to the configuration file, `tuf` (the keys the TUF repository publishes for
 * the upstream's host, kept current) or `{tuf: TARGET}` (another target of it), or a list of
 * them; `[]` trusts no key.
 */
function registryKeys(v: unknown, path: string, ctx: ValidateContext): TrustedRegistryKeys {
  const single = v === undefined || typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v));
  const items = v === undefined ? [BUILTIN_KEYS] : single ? [v] : list(v, path, 20);
  const sources: string[] = [];
  let tuf: TrustedRegistryKeys['tuf'] = null;
  const keys = items.flatMap((x, i) => {
    const at = single ? path : join(path, i);
    if (x === 'tuf' || (typeof x === 'object' && x !== null && !Array.isArray(x))) {
      if (tuf !== null) fail(at, 'the keys from TUF are named twice (one `tuf` entry per repository)');
      const target = x === 'tuf' ? null : string(object(x, at, ['tuf'])['tuf'], join(at, 'tuf'), { max: 256, pattern: TUF_TARGET_RE, hint: 'a TUF target path such as registry.example/keys.json' });
      tuf = { target };
      return [];
    }
    const item = string(x, at);
    if (item === BUILTIN_KEYS) {
      sources.push('the public npm registry (built in)');
      return publicRegistryKeys();
    }
    const file = filePath(item, at, ctx.baseDir);
    sources.push(`the file ${file}`);
    return readRegistryKeysFile(file, at);
  });
  return { listed: keys, sources, tuf };
}

export const SIGSTORE_TUF_KEYS = ['tuf', 'initialRoot', 'refresh'] as const;
const TUF_REFRESH_MS = DAY;

/** Sigstore's public TUF repository, from the root shipped with Airlock, checked daily. */
export function sigstoreTuf(): NonNullable<TrustedSigstoreRoot['tuf']> {
  return { url: SIGSTORE_TUF_URL, initialRoot: sigstoreTufRoot().toString('utf8'), refreshMs: TUF_REFRESH_MS };
}

/**
 * `sigstoreTrustedRoot`: `builtin` (Sigstore's public-good root, built in; the default), `tuf`
 * (the same, kept current through Sigstore's TUF repository), a trusted_root.json relative to the
 * configuration file, or `{tuf: URL, initialRoot: FILE, refresh: DURATION}`: a private TUF
 * repository that publishes `trusted_root.json`, whose chain starts at the given TUF root.
 */
function sigstoreRoot(v: unknown, path: string, ctx: ValidateContext): TrustedSigstoreRoot {
  if (v !== undefined && typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = object(v, path, SIGSTORE_TUF_KEYS);
    if (o['tuf'] === undefined) fail(join(path, 'tuf'), 'required (the TUF repository\'s URL)');
    if (o['initialRoot'] === undefined) fail(join(path, 'initialRoot'), 'required (the TUF root.json the chain starts from)');
    const url = httpUrl(o['tuf'], join(path, 'tuf'));
    const file = filePath(o['initialRoot'], join(path, 'initialRoot'), ctx.baseDir);
    const initialRoot = readTufRootFile(file, join(path, 'initialRoot'));
    const refreshMs = o['refresh'] === undefined ? TUF_REFRESH_MS : duration(o['refresh'], join(path, 'refresh'), 1000, 30 * DAY);
    // Nothing is trusted until the first update has verified a root (or one is stored from before).
    return { root: EMPTY_TRUSTED_ROOT, source: `the TUF repository ${url}`, tuf: { url, initialRoot, refreshMs } };
  }
  const item = v === undefined ? BUILTIN_KEYS : string(v, path);
  if (item === BUILTIN_KEYS) return { root: publicGoodTrustedRoot(), source: "Sigstore's public-good root (built in)", tuf: null };
  if (item === 'tuf') {
    return {
      root: publicGoodTrustedRoot(),
      source: `Sigstore's public-good root, kept current through ${SIGSTORE_TUF_URL}`,
      tuf: sigstoreTuf(),
    };
  }
  const file = filePath(item, path, ctx.baseDir);
  return { root: readSigstoreRootFile(file, path), source: `the file ${file}`, tuf: null };
}

function repository(v: unknown, path: string, ctx: ValidateContext): RepositoryDraft {
  const o = object(v, path, REPOSITORY_KEYS);
  if (o['name'] === undefined) fail(join(path, 'name'), 'required');
  if (o['format'] === undefined) fail(join(path, 'format'), 'required');
  const name = string(o['name'], join(path, 'name'), {
    pattern: REPO_NAME_RE,
    hint: 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters',
  });
  // `/-/` is Airlock's own API, and `/v2/` the registry API oci repositories are served under.
  if (name === '-' || name === 'v2') fail(join(path, 'name'), 'reserved');
  const format = oneOf(o['format'], join(path, 'format'), ['npm', 'pypi', 'huggingface', 'oci'] as const);
  const kind = o['kind'] === undefined ? 'proxy' : oneOf(o['kind'], join(path, 'kind'), ['proxy', 'hosted', 'group'] as const);
  if (format === 'pypi') return pypiRepository(o, name, kind, path, ctx);
  if (format === 'huggingface') return huggingfaceRepository(o, name, kind, path, ctx);
  if (format === 'oci') return ociRepository(o, name, kind, path, ctx);
  if (o['cosignKeys'] !== undefined) fail(join(path, 'cosignKeys'), 'only for an oci repository (image signatures)');
  if (o['defaultNamespace'] !== undefined) fail(join(path, 'defaultNamespace'), 'only for an oci repository (image names)');
  if (kind === 'group') return groupRepository(o, name, format, path);
  if (kind === 'hosted') return hostedRepository(o, name, format, path, ctx);
  for (const k of ['members', 'publishTo'] as const) if (o[k] !== undefined) fail(join(path, k), 'only for a group repository (kind: group)');
  if (o['unpublish'] !== undefined) fail(join(path, 'unpublish'), 'only for a hosted repository (kind: hosted): a proxy serves what its upstream publishes');
  if (o['filesUpstream'] !== undefined) fail(join(path, 'filesUpstream'), 'only for a pypi repository: an npm registry serves its tarballs itself');
  if (o['modelSigning'] !== undefined) fail(join(path, 'modelSigning'), 'only for a huggingface repository (model signatures)');
  return {
    ...proxyCommon(o, path, ctx),
    name,
    format,
    kind,
    upstream: o['upstream'] === undefined || o['upstream'] === null ? null : httpUrl(o['upstream'], join(path, 'upstream')),
    filesUpstream: null,
    registryKeys: registryKeys(o['registryKeys'], join(path, 'registryKeys'), ctx),
    sigstoreRoot: sigstoreRoot(o['sigstoreTrustedRoot'], join(path, 'sigstoreTrustedRoot'), ctx),
  };
}

/** A group repository: its members, in lookup order, and the hosted member that takes writes. */
function groupRepository(o: Raw, name: string, format: GroupRepositoryConfig['format'], path: string): GroupRepositoryConfig {
  for (const k of Object.keys(o)) {
    if (!(GROUP_REPOSITORY_KEYS as readonly string[]).includes(k)) fail(join(path, k), 'not for a group repository: its members serve the packages, with their own settings');
  }
  if (o['members'] === undefined) fail(join(path, 'members'), 'required: the repositories the group serves from, in lookup order');
  const members = list(o['members'], join(path, 'members'), MAX_GROUP_MEMBERS).map((m, i) => string(m, join(join(path, 'members'), i), { max: 64 }));
  if (members.length === 0) fail(join(path, 'members'), 'needs at least one repository');
  return {
    name,
    format,
    kind: 'group',
    members,
    publishTo: o['publishTo'] === undefined || o['publishTo'] === null ? null : string(o['publishTo'], join(path, 'publishTo'), { max: 64 }),
  };
}

/**
 * A hosted repository: what is published (npm) or pushed (oci) to Airlock itself. An npm publish
 * carries its tarball in memory (base64 in a JSON body), so its size is bounded well below a
 * proxy's; an oci blob streams to the blob store, so it may be as large as a proxy's layers.
 */
function hostedRepository(o: Raw, name: string, format: 'npm' | 'oci' | 'pypi', path: string, ctx: ValidateContext): HostedRepositoryConfig {
  const keys: readonly string[] = format === 'oci' ? [...HOSTED_REPOSITORY_KEYS, 'cosignKeys'] : HOSTED_REPOSITORY_KEYS;
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) fail(join(path, k), 'not for a hosted repository: it has no upstream (packages are published to it)');
  }
  // A pypi upload streams to the blob store like an oci blob; its default is PyPI's own file size limit.
  const maxArtifact =
    format === 'oci' ? { fallback: 16 * 1024 ** 3, max: 64 * 1024 ** 3 } : format === 'pypi' ? { fallback: 100 * 1024 ** 2, max: 4 * 1024 ** 3 } : { fallback: 64 * 1024 ** 2, max: 512 * 1024 ** 2 };
  return {
    name,
    format,
    kind: 'hosted',
    // Read from Airlock's own store: a publish through this gateway is seen at once, one through another within this.
    metadataMaxAgeMs: o['metadataMaxAge'] === undefined ? 10_000 : duration(o['metadataMaxAge'], join(path, 'metadataMaxAge'), 0, DAY),
    // pip and uv skip a yanked file and print its reason to a pinned install: as for a pypi proxy, show.
    blockedVersions: o['blockedVersions'] === undefined ? (format === 'pypi' ? 'show' : 'hide') : oneOf(o['blockedVersions'], join(path, 'blockedVersions'), ['hide', 'show'] as const),
    maxArtifactBytes: o['maxArtifactSize'] === undefined ? maxArtifact.fallback : size(o['maxArtifactSize'], join(path, 'maxArtifactSize'), 1024, maxArtifact.max),
    // The store keeps a hosted packument (an image repository's record) in one row (at most 64 MiB).
    maxMetadataBytes: o['maxMetadataSize'] === undefined ? 16 * 1024 ** 2 : size(o['maxMetadataSize'], join(path, 'maxMetadataSize'), 1024, 64 * 1024 ** 2),
    unpublish: o['unpublish'] === undefined ? 'admin' : oneOf(o['unpublish'], join(path, 'unpublish'), ['never', 'admin', 'publisher'] as const),
    ...(format === 'oci' ? { cosignKeys: cosignKeys(o['cosignKeys'], join(path, 'cosignKeys'), ctx) } : {}),
  };
}

/** What every proxy repository sets about reaching its upstream and what it serves, whatever its format. */
function proxyCommon(o: Raw, path: string, ctx: ValidateContext) {
  const t = optionalObject(o['timeouts'], join(path, 'timeouts'), TIMEOUT_KEYS);
  const tp = join(path, 'timeouts');
  return {
    upstreamAuth: upstreamAuth(o['upstreamAuth'], join(path, 'upstreamAuth'), ctx),
    proxy: proxySetting(o['proxy'], join(path, 'proxy'), ctx),
    ca: o['ca'] === undefined || o['ca'] === null ? null : caFile(o['ca'], join(path, 'ca'), ctx),
    metadataMaxAgeMs: o['metadataMaxAge'] === undefined ? 5 * 60_000 : duration(o['metadataMaxAge'], join(path, 'metadataMaxAge'), 0, 30 * DAY),
    blockedVersions: o['blockedVersions'] === undefined ? 'hide' : oneOf(o['blockedVersions'], join(path, 'blockedVersions'), ['hide', 'show'] as const),
    timeouts: {
      connectMs: t['connect'] === undefined ? 5_000 : duration(t['connect'], join(tp, 'connect'), 1, 600_000),
      headersMs: t['headers'] === undefined ? 30_000 : duration(t['headers'], join(tp, 'headers'), 1, 600_000),
      bodyMs: t['body'] === undefined ? 30_000 : duration(t['body'], join(tp, 'body'), 1, 3_600_000),
    },
    maxArtifactBytes: o['maxArtifactSize'] === undefined ? 1024 ** 3 : size(o['maxArtifactSize'], join(path, 'maxArtifactSize'), 1024, 64 * 1024 ** 3),
    maxMetadataBytes: o['maxMetadataSize'] === undefined ? 128 * 1024 ** 2 : size(o['maxMetadataSize'], join(path, 'maxMetadataSize'), 1024, 4 * 1024 ** 3),
  };
}

/**
 * A pypi repository: a proxy of a simple index (PEP 503/691), which must be named, since nothing
 * on the machine says which index to use the way npm's configuration does for npm; or a hosted
 * repository (twine uploads to it), or a group of them.
 */
function pypiRepository(o: Raw, name: string, kind: 'proxy' | 'hosted' | 'group', path: string, ctx: ValidateContext): ProxyRepositoryDraft | HostedRepositoryConfig | GroupRepositoryConfig {
  if (kind === 'group') return groupRepository(o, name, 'pypi', path);
  if (kind === 'hosted') return hostedRepository(o, name, 'pypi', path, ctx);
  for (const k of ['members', 'publishTo', 'unpublish', 'registryKeys', 'modelSigning'] as const) {
    if (o[k] !== undefined) fail(join(path, k), k === 'registryKeys' ? "npm's registry signatures: not for a pypi repository" : 'not for a pypi proxy repository');
  }
  if (o['upstream'] === undefined || o['upstream'] === null) fail(join(path, 'upstream'), 'required for a pypi repository: the simple index to proxy, e.g. https://pypi.org/simple/');
  return {
    ...proxyCommon(o, path, ctx),
    name,
    format: 'pypi',
    kind: 'proxy',
    upstream: httpUrl(o['upstream'], join(path, 'upstream')),
    // pip installs a yanked file only when pinned to its version, and prints the yank reason: a
    // withheld version listed as yanked is skipped by resolvers and explained to a pinned install.
    blockedVersions: o['blockedVersions'] === undefined ? 'show' : oneOf(o['blockedVersions'], join(path, 'blockedVersions'), ['hide', 'show'] as const),
    filesUpstream: o['filesUpstream'] === undefined || o['filesUpstream'] === null ? null : httpUrl(o['filesUpstream'], join(path, 'filesUpstream')),
    // npm's registry signatures: no key is trusted for a Python index.
    registryKeys: { listed: [], sources: [], tuf: null },
    sigstoreRoot: sigstoreRoot(o['sigstoreTrustedRoot'], join(path, 'sigstoreTrustedRoot'), ctx),
  };
}

/**
 * A proxy of an upstream the configuration must name, with no files host and no npm registry
 * keys, whose signatures are checked against `sigstoreTrustedRoot`: what huggingface and oci
 * repositories share. `what` names the upstream in the message when it is missing.
 */
function namedProxy(o: Raw, name: string, format: 'huggingface' | 'oci', path: string, ctx: ValidateContext, what: string, defaultMaxArtifactBytes: number) {
  if (o['upstream'] === undefined || o['upstream'] === null) fail(join(path, 'upstream'), `required for ${format === 'oci' ? 'an' : 'a'} ${format} repository: ${what}`);
  const common = proxyCommon(o, path, ctx);
  return {
    ...common,
    name,
    format,
    kind: 'proxy' as const,
    upstream: httpUrl(o['upstream'], join(path, 'upstream')),
    maxArtifactBytes: o['maxArtifactSize'] === undefined ? defaultMaxArtifactBytes : common.maxArtifactBytes,
    filesUpstream: null,
    registryKeys: { listed: [], sources: [], tuf: null },
    sigstoreRoot: sigstoreRoot(o['sigstoreTrustedRoot'], join(path, 'sigstoreTrustedRoot'), ctx),
  };
}

/**
 * A huggingface repository: a proxy of the Hub (or a mirror speaking its API), which must be
 * named. Model files run to gigabytes, so its default size limit is the largest Airlock takes.
 * Keyless model signatures (model.sig) are checked against its Sigstore root.
 */
function huggingfaceRepository(o: Raw, name: string, kind: 'proxy' | 'hosted' | 'group', path: string, ctx: ValidateContext): ProxyRepositoryDraft {
  if (kind !== 'proxy') fail(join(path, 'kind'), 'a huggingface repository is a proxy of the Hub for now (hosted and group huggingface repositories are not supported yet)');
  for (const k of ['members', 'publishTo', 'unpublish', 'registryKeys', 'filesUpstream', 'blockedVersions'] as const) {
    if (o[k] !== undefined) fail(join(path, k), k === 'registryKeys' ? "npm's registry signatures: not for a huggingface repository" : k === 'blockedVersions' ? 'not for a huggingface repository: a client asks for one revision, so nothing is hidden from a list' : 'not for a huggingface proxy repository');
  }
  return {
    ...namedProxy(o, name, 'huggingface', path, ctx, 'the Hub to proxy, e.g. https://huggingface.co/', 64 * 1024 ** 3),
    modelSigning: modelSigning(o['modelSigning'], join(path, 'modelSigning'), ctx),
  };
}

/**
 * An oci repository: a pull-through proxy of a container registry (its `/v2/` API), which must be
 * named, a hosted one, or a group of them. Images are served under `/v2/<name>/`; layers run to gigabytes. Keyless cosign
 * signatures are checked against its Sigstore root, key-based ones against `cosignKeys`.
 */
function ociRepository(o: Raw, name: string, kind: 'proxy' | 'hosted' | 'group', path: string, ctx: ValidateContext): ProxyRepositoryDraft | HostedRepositoryConfig | GroupRepositoryConfig {
  if (kind === 'group') return groupRepository(o, name, 'oci', path);
  if (kind === 'hosted') return hostedRepository(o, name, 'oci', path, ctx);
  for (const k of ['members', 'publishTo', 'unpublish', 'registryKeys', 'filesUpstream', 'blockedVersions', 'modelSigning'] as const) {
    if (o[k] !== undefined) fail(join(path, k), k === 'blockedVersions' ? 'not for an oci repository: a client asks for one tag or digest, so nothing is hidden from a list' : 'not for an oci repository');
  }
  const proxy = namedProxy(o, name, 'oci', path, ctx, 'the registry to proxy, e.g. https://registry-1.docker.io/', 16 * 1024 ** 3);
  return {
    ...proxy,
    // Tag lists are bounded by it; a manifest is at most 4 MiB whatever it says (what registries take).
    maxMetadataBytes: o['maxMetadataSize'] === undefined ? 4 * 1024 ** 2 : proxy.maxMetadataBytes,
    cosignKeys: cosignKeys(o['cosignKeys'], join(path, 'cosignKeys'), ctx),
    defaultNamespace: defaultNamespace(o['defaultNamespace'], join(path, 'defaultNamespace'), proxy.upstream),
  };
}

/** `cosignKeys`: PEM public key files (relative to the configuration file) cosign signatures are checked against. */
function cosignKeys(v: unknown, path: string, ctx: ValidateContext): string[] {
  return v === undefined ? [] : list(v, path, 64).map((f, i) => readPublicKeyFile(filePath(f, join(path, i), ctx.baseDir), join(path, i)));
}

/** Docker Hub's hosts: a one-component image name there is an official image, `library/<name>`. */
const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set(['registry-1.docker.io', 'index.docker.io', 'docker.io', 'registry.hub.docker.com']);

/**
 * `defaultNamespace`: where a one-component image name (`alpine`) is looked up upstream, as
 * docker writes Docker Hub's official images (`library/alpine`): `library` by default for Docker
 * Hub, none elsewhere; null turns it off.
 */
function defaultNamespace(v: unknown, path: string, upstream: string): string | null {
  if (v === undefined) return DOCKER_HUB_HOSTS.has(new URL(upstream).hostname) ? 'library' : null;
  if (v === null) return null;
  return string(v, path, { pattern: /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/, hint: 'a repository path of the upstream registry, e.g. library' });
}

/**
 * `modelSigning`: what a model.sig signed with a key or a certificate (not keyless) is checked
 * against: public key files and certificate authority files, relative to the configuration file.
 */
function modelSigning(v: unknown, path: string, ctx: ValidateContext): ModelSigningTrustConfig {
  const o = optionalObject(v, path, MODEL_SIGNING_KEYS);
  const files = (key: 'keys' | 'certificateAuthorities'): string[] =>
    o[key] === undefined ? [] : list(o[key], join(path, key), 64).map((f, i) => filePath(f, join(join(path, key), i), ctx.baseDir));
  const keys = files('keys').map((file, i) => readPublicKeyFile(file, join(join(path, 'keys'), i)));
  const certificateAuthorities = files('certificateAuthorities').flatMap((file, i) => readCaFile(file, join(join(path, 'certificateAuthorities'), i)));
  return { keys, certificateAuthorities };
}

/** A group's members exist, serve packages of its format themselves, and are each named once; it publishes to a hosted member. */
function checkGroup(group: GroupRepositoryConfig, path: string, repositories: readonly RepositoryDraft[]): void {
  const byName = new Map(repositories.map((r) => [r.name, r]));
  const seen = new Set<string>();
  group.members.forEach((name, i) => {
    const at = join(join(path, 'members'), i);
    const member = byName.get(name);
    if (member === undefined) fail(at, `no repository is named ${JSON.stringify(name)}`);
    if (member.kind === 'group') fail(at, `${name} is a group: a group's members are proxies and hosted repositories`);
    if (member.format !== group.format) fail(at, `${name} is a ${member.format} repository, the group is ${group.format}`);
    if (seen.has(name)) fail(at, `${name} is listed twice`);
    seen.add(name);
  });
  if (group.publishTo === null) return;
  const target = byName.get(group.publishTo);
  if (!seen.has(group.publishTo) || target === undefined) fail(join(path, 'publishTo'), `${group.publishTo} is not a member of the group`);
  if (target.kind !== 'hosted') fail(join(path, 'publishTo'), `${group.publishTo} is a ${target.kind}: only a hosted repository takes publishes`);
}

/** The repository used when the configuration lists none. */
export const DEFAULT_REPOSITORIES: readonly Raw[] = [{ name: 'npm', format: 'npm' }];

/** `storage.sweepEvery`: a day by default; 0 turns the sweep off, anything else is at least a second. */
function sweepEvery(v: unknown): number {
  if (v === undefined) return DAY;
  const ms = duration(v, 'storage.sweepEvery', 0, 30 * DAY);
  if (ms > 0 && ms < 1000) fail('storage.sweepEvery', 'must be 0 (never) or at least 1s');
  return ms;
}

/**
 * `storage.artifactRetention`: `never` (the default) or at least an hour. Each tarball's downloads
 * are written at most hourly, so the recorded last download can be up to about an hour older than
 * the real one: a shorter retention would evict bytes clients are still installing.
 */
function artifactRetention(v: unknown): number | null {
  if (v === undefined || v === null || v === 'never') return null;
  return duration(v, 'storage.artifactRetention', 3_600_000, 10 * 365 * DAY);
}

export function validateConfig(raw: unknown, ctx: ValidateContext): ConfigDraft {
  const o = raw === undefined || raw === null ? {} : object(raw, '', TOP_KEYS);
  if (o['version'] !== undefined && o['version'] !== CONFIG_VERSION) fail('version', `unsupported configuration version ${JSON.stringify(o['version'])} (this Airlock reads version ${CONFIG_VERSION})`);
  const storage = optionalObject(o['storage'], 'storage', STORAGE_KEYS);
  const reposRaw = o['repositories'] === undefined || o['repositories'] === null ? DEFAULT_REPOSITORIES : list(o['repositories'], 'repositories', 100);
  const repositories = reposRaw.map((r, i) => repository(r, join('repositories', i), ctx));
  const seen = new Set<string>();
  repositories.forEach((r, i) => {
    if (seen.has(r.name)) fail(join(join('repositories', i), 'name'), `duplicate repository name ${JSON.stringify(r.name)}`);
    seen.add(r.name);
  });
  repositories.forEach((r, i) => {
    if (r.kind === 'group') checkGroup(r, join('repositories', i), repositories);
  });
  const serverConfig = server(o['server'], ctx);
  return {
    version: CONFIG_VERSION,
    server: serverConfig,
    storage: {
      dataDir: storage['dataDir'] === undefined ? resolve(ctx.cwd, 'data') : filePath(storage['dataDir'], 'storage.dataDir', ctx.baseDir),
      metadata: metadataDriver(storage['metadata'], 'storage.metadata', ctx),
      blobs: blobDriver(storage['blobs'], 'storage.blobs', ctx),
      sweepEveryMs: sweepEvery(storage['sweepEvery']),
      sweepGraceMs: storage['sweepGrace'] === undefined ? DAY : duration(storage['sweepGrace'], 'storage.sweepGrace', 3_600_000, 365 * DAY),
      artifactRetentionMs: artifactRetention(storage['artifactRetention']),
    },
    policy: policy(o['policy'], ctx),
    access: access(o['access'], ctx, repositories.map((r) => r.name), serverConfig.publicUrl),
    signals: signals(o['signals']),
    repositories,
    webhooks: webhooks(o['webhooks'], ctx),
  };
}
