/**
 * A fixture PyPI (index and files host on their own ports), Airlock proxying it with the built-in
 * policy, and the real pip pointed at Airlock only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { buildWheel, FixturePypiIndex, pip, type RunResult, type WheelSpec } from '../../support/pypi-index/index.ts';
import { airlockCli } from '../npm/support.ts';

/** Long before any cooldown. */
export const OLD = new Date('2025-06-01T10:00:00Z');

export interface PypiE2e {
  readonly index: FixturePypiIndex;
  readonly airlock: StartedAirlock;
  /** `http://127.0.0.1:<port>/pypi/simple/` */
  readonly simple: string;
  readonly tmp: string;
  /** Add a wheel to the fixture index (uploaded long ago unless said otherwise). */
  wheel(spec: WheelSpec, options?: { readonly uploadTime?: Date; readonly yanked?: boolean | string }): void;
  /** `pip install --target <fresh dir> …` through Airlock; the target directory comes back with the result. */
  install(...requirements: string[]): Promise<RunResult & { readonly target: string }>;
  /** The same with another index URL (credentials in it). */
  installFrom(indexUrl: string, ...requirements: string[]): Promise<RunResult & { readonly target: string }>;
  /** `airlock <args>` against this Airlock with its admin token. */
  cli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

let targets = 0;

/** `config`: the repository's settings next to its upstreams; `top`: other sections of the configuration (`access` …). */
export async function pypiE2e(options: { readonly config?: Record<string, unknown>; readonly top?: Record<string, unknown>; readonly index?: FixturePypiIndex } = {}): Promise<PypiE2e> {
  const index = await (options.index ?? new FixturePypiIndex()).start();
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-pypi-'));
  let airlock: StartedAirlock;
  try {
    airlock = await startAirlock({
      config: {
        ...options.top,
        repositories: [{ name: 'pypi', format: 'pypi', upstream: index.url, filesUpstream: index.filesUrl, ...options.config }],
      },
    });
  } catch (err) {
    await index.close();
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const simple = `${airlock.url}/pypi/simple/`;
  const installFrom = async (indexUrl: string, ...requirements: string[]): Promise<RunResult & { readonly target: string }> => {
    const target = join(tmp, `target-${++targets}`);
    const r = await pip(['install', '--index-url', indexUrl, '--retries', '0', '--target', target, ...requirements]);
    return { ...r, target };
  };
  return {
    index,
    airlock,
    simple,
    tmp,
    wheel(spec, o = {}) {
      const w = buildWheel(spec);
      index.addFile(spec.name, { filename: w.filename, bytes: w.bytes, metadata: w.metadata, uploadTime: o.uploadTime ?? OLD, ...(o.yanked === undefined ? {} : { yanked: o.yanked }) });
    },
    install: (...requirements) => installFrom(simple, ...requirements),
    installFrom,
    cli: (args) => airlockCli(args, { AIRLOCK_SERVER: airlock.url, AIRLOCK_TOKEN: airlock.adminToken }),
    async close() {
      await airlock.close();
      await index.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** The quarantine id in what pip printed for a held file ("Quarantine id X;"), or ''. */
export function quarantineIdIn(output: string): string {
  return /Quarantine id (\S+);/.exec(output)?.[1] ?? '';
}
