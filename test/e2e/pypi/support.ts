/**
 * A fixture PyPI (index and files host on their own ports), Airlock proxying it with the built-in
 * policy, and the real pip pointed at Airlock only.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { buildWheel, FixturePypiIndex, pip, type RunResult, type WheelSpec } from '../../support/pypi-index/index.ts';
import { airlockCli, createToken, type RunResult as CliResult } from '../npm/support.ts';

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

/** What a client printed, its line wrapping undone. */
export const printed = (r: { readonly stdout: string; readonly stderr: string }): string => (r.stdout + r.stderr).replace(/\s+/g, ' ');

/** A hosted pypi project's page as PEP 691 JSON gives a file. */
export interface JsonPageFile {
  readonly filename: string;
  readonly url: string;
  readonly yanked: boolean | string;
}

/** Airlock with a proxy of a fixture index (`pypi`), a hosted repository (`internal`) and a group in front (`python`, publishing to `internal`), and tokens. */
export interface HostedPypiE2e {
  readonly index: FixturePypiIndex;
  readonly airlock: StartedAirlock;
  /** `http://127.0.0.1:<port>/internal/` */
  readonly hosted: string;
  /** A publisher token labelled `release-bot`, and a reader's. */
  readonly publisher: string;
  readonly reader: string;
  /** `airlock pypi <args>` against this Airlock with the token given (none: null). */
  cli(token: string | null, ...args: string[]): Promise<CliResult>;
  /** A wheel built and written alone in a folder of its own; its path. */
  wheelFile(spec: WheelSpec): Promise<string>;
  /** `pip install --target <fresh dir> requirement` from `indexUrl`; the target comes back with the result. */
  install(indexUrl: string, requirement: string): Promise<RunResult & { readonly target: string }>;
  /** The project's page in the hosted repository, as JSON. */
  page(project: string): Promise<{ readonly versions: readonly string[]; readonly files: readonly JsonPageFile[] }>;
}

export async function hostedPypiE2e(t: { after(fn: () => Promise<unknown>): void }): Promise<HostedPypiE2e> {
  const index = await new FixturePypiIndex().start();
  t.after(() => index.close());
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-pypi-hosted-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const airlock = await startAirlock({
    config: {
      repositories: [
        { name: 'pypi', format: 'pypi', upstream: index.url, filesUpstream: index.filesUrl },
        { name: 'internal', format: 'pypi', kind: 'hosted' },
        { name: 'python', format: 'pypi', kind: 'group', members: ['internal', 'pypi'], publishTo: 'internal' },
      ],
    },
  });
  t.after(() => airlock.close());
  const hosted = `${airlock.url}/internal/`;
  let n = 0;
  return {
    index,
    airlock,
    hosted,
    publisher: await createToken(airlock, 'publisher', 'release-bot'),
    reader: await createToken(airlock, 'reader', 'dev'),
    cli: (token, ...args) => airlockCli(['pypi', ...args, '--server', airlock.url], token === null ? {} : { AIRLOCK_TOKEN: token }),
    async wheelFile(spec) {
      const built = buildWheel(spec);
      const dir = join(tmp, `dist-${++n}`);
      await mkdir(dir);
      await writeFile(join(dir, built.filename), built.bytes);
      return join(dir, built.filename);
    },
    async install(indexUrl, requirement) {
      const target = join(tmp, `target-${++n}`);
      return { ...(await pip(['install', '--index-url', indexUrl, '--retries', '0', '--target', target, requirement])), target };
    },
    page: async (project) => (await (await fetch(`${hosted}simple/${project}/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { versions: string[]; files: JsonPageFile[] },
  };
}
