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
import { npmConfigRegistry, type RegistryDiscovery } from './npm-registry.ts';
import type { AirlockConfig, RepositoryConfig } from './types.ts';

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

export async function resolveDraft(draft: ConfigDraft, discover: RegistryDiscovery): Promise<AirlockConfig> {
  let discovered: Promise<string> | null = null;
  const repositories: RepositoryConfig[] = [];
  for (const r of draft.repositories) {
    if (r.upstream !== null) {
      repositories.push({ ...r, upstream: r.upstream, upstreamSource: 'config' });
      continue;
    }
    discovered ??= discover();
    repositories.push({ ...r, upstream: await discovered, upstreamSource: 'npm-config' });
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
  return resolveDraft(withFlags(draft, options.flags ?? {}, cwd), options.discoverNpmRegistry ?? npmConfigRegistry(env));
}
