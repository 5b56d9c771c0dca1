/**
 * Loads the configuration: YAML file (optional) → environment overrides → command-line flags →
 * strict validation → defaults resolved (the npm upstream from `npm config get registry`).
 */
import { readFile, stat } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { dirname, resolve } from 'node:path';
import { AirlockError } from '../../core/index.ts';
import { applyEnvOverrides } from './env.ts';
import { fail } from './checks.ts';
import { validateConfig, type ConfigDraft } from './schema.ts';
import { tlsWithFlags } from './tls.ts';
import { readConfigYaml } from './yaml.ts';
import { NPM_FALLBACK_STEPS, npmDiscovery, type NpmDiscovery, type NpmConnectionSettings } from './npm-client.ts';
import { isLoopbackHost } from '../upstream-proxy.ts';
import type { AirlockConfig, ProxyConfig, ProxySetting, ProxyRepositoryConfig, RepositoryConfig, ServerConfig, StorageConfig } from './types.ts';

const MAX_CONFIG_BYTES = 1024 * 1024;

/** Command-line flags, which win over the file and the environment. */
export interface ConfigFlags {
  readonly host?: string;
  readonly port?: number;
  readonly dataDir?: string;
  readonly policy?: readonly string[];
  /** `--tls-cert`, `--tls-key`: PEM files, relative to the working directory. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

export interface LoadConfigOptions {
  /** A YAML file; absent: defaults plus environment. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly flags?: ConfigFlags;
  /** How to ask the local npm client for its registry and proxy (default: `npm config get`). */
  readonly npm?: Partial<NpmDiscovery>;
}

export function parseConfigText(text: string, file: string): unknown {
  const read = readConfigYaml(text, file, 20);
  if (read.kind === 'invalid') throw new AirlockError('CONFIG_INVALID', `${file}: ${read.message}`);
  return read.kind === 'value' ? read.value : null;
}

async function readConfigFile(file: string): Promise<unknown> {
  const st = await stat(file).catch(() => null);
  if (st === null || !st.isFile()) throw new AirlockError('CONFIG_INVALID', `configuration file ${file} does not exist`);
  if (st.size > MAX_CONFIG_BYTES) throw new AirlockError('CONFIG_INVALID', `configuration file ${file} is larger than 1 MiB`);
  return parseConfigText(await readFile(file, 'utf8'), file);
}

function withFlags(draft: ConfigDraft, flags: ConfigFlags, cwd: string): ConfigDraft {
  return {
    ...draft,
    server: {
      ...draft.server,
      ...(flags.host === undefined ? {} : { host: flags.host }),
      ...(flags.port === undefined ? {} : { port: flags.port }),
      tls: tlsWithFlags(draft.server.tls, { ...(flags.tlsCert === undefined ? {} : { cert: flags.tlsCert }), ...(flags.tlsKey === undefined ? {} : { key: flags.tlsKey }) }, cwd),
    },
    storage: flags.dataDir === undefined ? draft.storage : { ...draft.storage, dataDir: resolve(cwd, flags.dataDir) },
    policy: flags.policy === undefined || flags.policy.length === 0 ? draft.policy : { ...policyWithoutBundle(draft.policy), paths: flags.policy.map((p) => resolve(cwd, p)) },
  };
}

/** --policy names files: a configuration that fetches a bundle (policy.bundle) cannot take it too. */
function policyWithoutBundle(policy: ConfigDraft['policy']): ConfigDraft['policy'] {
  if (policy.bundle !== null) fail('policy.bundle', 'the policy comes from a bundle server; --policy (files) cannot be given with it');
  return policy;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * Whether `url` leads to this Airlock: the port it listens on, at a loopback name, the address it
 * listens on (any of this machine's when that is all of them), or its public URL's origin.
 */
export function leadsToThisServer(url: string, server: ServerConfig): boolean {
  const u = new URL(url);
  if (server.publicUrl !== null && new URL(server.publicUrl).origin === u.origin) return true;
  const port = u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  if (server.port === 0 || port !== server.port) return false;
  const host = u.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (isLoopbackHost(host) || host === server.host.toLowerCase()) return true;
  if (server.host !== '0.0.0.0' && server.host !== '::') return false;
  if (host === hostname().toLowerCase()) return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address.toLowerCase() === host) === true);
}

/**
 * Resolve what the configuration leaves to npm: a repository without an upstream takes npm's
 * registry, and a proxy setting of `npm` (the default for such a repository) takes npm's proxy.
 * Each is asked of npm at most once, and only when some repository needs it. Once clients are
 * pointed at Airlock (`npm config set registry …`), npm's registry setting leads back here; the
 * upstream is then npm's registry without the settings that do (`npmRegistryWithout`).
 */
export async function resolveDraft(draft: ConfigDraft, npm: NpmDiscovery): Promise<AirlockConfig> {
  const settings = draft.repositories.map((r): Exclude<ProxySetting, { readonly kind: 'default' }> | null =>
    r.kind !== 'proxy' ? null : r.proxy.kind === 'default' ? { kind: r.upstream === null ? 'npm' : 'env' } : r.proxy,
  );
  // The questions to npm at once: each is a process start.
  const registry = draft.repositories.some((r) => r.kind === 'proxy' && r.upstream === null) ? npm.registry() : null;
  const npmConnection = settings.some((s) => s?.kind === 'npm') ? npm.connection() : null;
  await Promise.allSettled([registry, npmConnection]);
  let npmUpstream: { url: string; source: ProxyRepositoryConfig['upstreamSource'] } | null = null;
  if (registry !== null) {
    npmUpstream = { url: await registry, source: 'npm-config' };
    const configured = npmUpstream.url;
    for (let step = 1; leadsToThisServer(npmUpstream.url, draft.server); step++) {
      if (step > NPM_FALLBACK_STEPS) {
        throw new AirlockError('CONFIG_INVALID', `npm's registry setting (${configured}) leads to this Airlock, and so does npm's default registry; set repositories[].upstream in the configuration or AIRLOCK_REPOSITORIES_<NAME>_UPSTREAM`);
      }
      npmUpstream = { url: await npm.registryWithout(step), source: 'npm-fallback' };
    }
  }
  const repositories: RepositoryConfig[] = [];
  for (const [i, r] of draft.repositories.entries()) {
    if (r.kind !== 'proxy') {
      repositories.push(r);
      continue;
    }
    if (r.upstream !== null && leadsToThisServer(r.upstream, draft.server)) {
      throw new AirlockError('CONFIG_INVALID', `repositories[${i}].upstream (${r.upstream}) leads to this Airlock itself; give the registry the repository should proxy`);
    }
    const upstream = r.upstream === null ? (npmUpstream as NonNullable<typeof npmUpstream>) : { url: r.upstream, source: 'config' as const };
    const setting = settings[i] ?? { kind: 'env' };
    // A repository that goes npm's way trusts what npm trusts, unless it names its own authorities.
    const npmWay = setting.kind === 'npm' ? await (npmConnection as Promise<NpmConnectionSettings>) : null;
    const proxy: ProxyConfig = setting.kind !== 'npm' ? setting : { kind: 'npm', proxy: npmWay?.proxy ?? null, noProxy: npmWay?.noProxy ?? '' };
    repositories.push({
      ...r,
      upstream: upstream.url,
      upstreamSource: upstream.source,
      proxy,
      ca: r.ca ?? npmWay?.ca ?? null,
      ...(npmWay?.strictSsl === false ? { npmStrictSslOff: true as const } : {}),
    });
  }
  return deepFreeze({ ...draft, repositories });
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<AirlockConfig> {
  const env = options.env ?? process.env;
  return resolveDraft(await loadDraft(options), { ...npmDiscovery(env), ...options.npm });
}

/**
 * The storage settings alone (file, environment, `--data-dir`), for the commands that work on the
 * storage directly: they need neither npm nor the repositories' upstreams.
 */
export async function loadStorageConfig(options: Omit<LoadConfigOptions, 'npm'> = {}): Promise<StorageConfig> {
  return deepFreeze((await loadDraft(options)).storage);
}

async function loadDraft(options: LoadConfigOptions): Promise<ConfigDraft> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file === undefined ? undefined : resolve(cwd, options.file);
  const raw = file === undefined ? undefined : await readConfigFile(file);
  const merged = applyEnvOverrides(raw, env);
  const draft = validateConfig(merged, { env, baseDir: file === undefined ? cwd : dirname(file), cwd });
  return withFlags(draft, options.flags ?? {}, cwd);
}
