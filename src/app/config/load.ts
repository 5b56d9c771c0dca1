/**
 * Loads the configuration: YAML file (optional) → environment overrides → command-line flags →
 * strict validation → defaults resolved (the npm upstream from `npm config get registry`).
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { AirlockError } from '../../core/index.ts';
import { applyEnvOverrides } from './env.ts';
import { validateConfig, type ConfigDraft } from './schema.ts';
import { npmConfigProxy, npmConfigRegistry, type NpmProxySettings, type ProxyDiscovery, type RegistryDiscovery } from './npm-client.ts';
import type { AirlockConfig, ProxyConfig, ProxySetting, RepositoryConfig } from './types.ts';

const MAX_CONFIG_BYTES = 1024 * 1024;

/** Command-line flags, which win over the file and the environment. */
export interface ConfigFlags {
  readonly host?: string;
  readonly port?: number;
  readonly dataDir?: string;
  readonly policy?: readonly string[];
}

export interface LoadConfigOptions {
  /** A YAML file; absent: defaults plus environment. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly flags?: ConfigFlags;
  /** How to find the npm upstream when a repository does not name one. */
  readonly discoverNpmRegistry?: RegistryDiscovery;
  /** How to find npm's proxy when a repository's proxy setting is `npm`. */
  readonly discoverNpmProxy?: ProxyDiscovery;
}

export function parseConfigText(text: string, file: string): unknown {
  const doc = parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new AirlockError('CONFIG_INVALID', `${file}: ${e?.message.split('\n')[0] ?? 'invalid YAML'}`);
  }
  return doc.toJS({ maxAliasCount: 20 });
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
    server: { ...draft.server, ...(flags.host === undefined ? {} : { host: flags.host }), ...(flags.port === undefined ? {} : { port: flags.port }) },
    storage: flags.dataDir === undefined ? draft.storage : { dataDir: resolve(cwd, flags.dataDir) },
    policy: flags.policy === undefined || flags.policy.length === 0 ? draft.policy : { ...draft.policy, paths: flags.policy.map((p) => resolve(cwd, p)) },
  };
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * Resolve what the configuration leaves to npm: a repository without an upstream takes npm's
 * registry, and a proxy setting of `npm` (the default for such a repository) takes npm's proxy.
 * Each is asked of npm at most once, and only when some repository needs it.
 */
export async function resolveDraft(draft: ConfigDraft, discover: RegistryDiscovery, discoverProxy: ProxyDiscovery = npmConfigProxy()): Promise<AirlockConfig> {
  const settings = draft.repositories.map((r): Exclude<ProxySetting, { readonly kind: 'default' }> =>
    r.proxy.kind === 'default' ? { kind: r.upstream === null ? 'npm' : 'env' } : r.proxy,
  );
  // Both questions to npm at once: each is a process start.
  const registry = draft.repositories.some((r) => r.upstream === null) ? discover() : null;
  const npmProxy = settings.some((s) => s.kind === 'npm') ? discoverProxy() : null;
  await Promise.allSettled([registry, npmProxy]);
  const repositories: RepositoryConfig[] = [];
  for (const [i, r] of draft.repositories.entries()) {
    const upstream = r.upstream ?? (await (registry as Promise<string>));
    const setting = settings[i] ?? { kind: 'env' };
    const proxy: ProxyConfig = setting.kind === 'npm' ? { kind: 'npm', ...(await (npmProxy as Promise<NpmProxySettings>)) } : setting;
    repositories.push({ ...r, upstream, upstreamSource: r.upstream === null ? 'npm-config' : 'config', proxy });
  }
  return deepFreeze({ ...draft, repositories });
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<AirlockConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file === undefined ? undefined : resolve(cwd, options.file);
  const raw = file === undefined ? undefined : await readConfigFile(file);
  const merged = applyEnvOverrides(raw, env);
  const draft = validateConfig(merged, { env, baseDir: file === undefined ? cwd : dirname(file), cwd });
  return resolveDraft(withFlags(draft, options.flags ?? {}, cwd), options.discoverNpmRegistry ?? npmConfigRegistry(env), options.discoverNpmProxy ?? npmConfigProxy(env));
}
