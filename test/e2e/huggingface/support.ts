/**
 * A fixture Hugging Face Hub (with its CDN on a port of its own), Airlock proxying it with the
 * built-in policy, and the real `@huggingface/hub` client pointed at Airlock only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { FixtureHub, hfClient, type HfClientOp, type HfClientResult, type HfClientValues } from '../../support/hf-hub/index.ts';
import { adminGet, airlockCli } from '../npm/support.ts';

/** Long before any cooldown. */
export const OLD = new Date('2025-06-01T10:00:00Z');

/**
 * `acme/tiny` on the hub: an old, popular transformers model in safe formats (a config, the
 * safetensors weights given, a README under `onnx/`), one commit made long before any cooldown.
 */
export function addTinyModel(hub: FixtureHub, safetensors: { readonly path: string; readonly bytes: Uint8Array }): void {
  hub.addRepo({ id: 'acme/tiny', createdAt: OLD, downloads: 1200, library_name: 'transformers' });
  hub.commit('acme/tiny', [
    { path: 'config.json', bytes: '{"model_type": "bert", "hidden_size": 8}\n' },
    { path: safetensors.path, bytes: safetensors.bytes },
    { path: 'onnx/README.md', bytes: '# exported weights\n' },
  ], { date: OLD });
}

export interface HfE2e {
  readonly hub: FixtureHub;
  readonly airlock: StartedAirlock;
  /** `http://127.0.0.1:<port>/huggingface`: what HF_ENDPOINT is set to. */
  readonly endpoint: string;
  readonly tmp: string;
  /** The real client through Airlock, with a cache folder of its own unless one is given. */
  client<O extends HfClientOp>(op: O, options?: { readonly cacheDir?: string }): Promise<HfClientResult<HfClientValues[O['op']]>>;
  /** `airlock <args>` against this Airlock with its admin token. */
  cli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** A GET of Airlock's admin API with the admin token. */
  api(path: string): Promise<unknown>;
  close(): Promise<void>;
}

let caches = 0;

/**
 * `config`: the repository's settings next to its upstream; `top`: other sections of the
 * configuration (`policy` …); `env`: the environment its secret references are read from.
 */
export async function hfE2e(
  options: { readonly config?: Record<string, unknown>; readonly top?: Record<string, unknown>; readonly hub?: FixtureHub; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<HfE2e> {
  const hub = await (options.hub ?? new FixtureHub()).start();
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-hf-'));
  let airlock: StartedAirlock;
  try {
    airlock = await startAirlock({ config: { ...options.top, repositories: [{ name: 'huggingface', format: 'huggingface', upstream: `${hub.url}/`, ...options.config }] }, ...(options.env === undefined ? {} : { env: options.env }) });
  } catch (err) {
    await hub.close();
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const endpoint = `${airlock.url}/huggingface`;
  return {
    hub,
    airlock,
    endpoint,
    tmp,
    client: (op, o = {}) => hfClient(op, { hubUrl: endpoint, cacheDir: o.cacheDir ?? join(tmp, `cache-${++caches}`) }),
    cli: (args) => airlockCli(args, { AIRLOCK_SERVER: airlock.url, AIRLOCK_TOKEN: airlock.adminToken }),
    api: (path) => adminGet(airlock, path),
    async close() {
      await airlock.close();
      await hub.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** The quarantine id in a refusal ("Quarantine id X;"), or ''. */
export function quarantineIdIn(output: string): string {
  return /Quarantine id (\S+);/.exec(output)?.[1] ?? '';
}
