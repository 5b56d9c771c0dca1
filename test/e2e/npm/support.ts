/**
 * Real-client end-to-end support: a fixture upstream, a listening Airlock with the test policy,
 * temporary npm projects, and the system `npm` (and the `airlock` CLI) spawned as child
 * processes with an isolated configuration (empty user config, own cache, explicit registry).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { serverFor, npmTestEnv, type NpmTestEnv } from '../../npm/helpers.ts';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { FixtureRegistry, type FixturePackage } from '../../support/npm-registry/index.ts';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for assertions on what the user sees. */
  readonly output: string;
}

const ROOT = join(import.meta.dirname, '..', '..', '..');
/** npm retries 5xx answers with back-off from 10 s; keep its retries, shorten the waits. */
const FAST_RETRIES = ['--fetch-retries', '2', '--fetch-retry-mintimeout', '50', '--fetch-retry-maxtimeout', '200'];

/** The environment for child processes: no npm_* variables inherited from `npm test`. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && !k.startsWith('AIRLOCK_')) env[k] = v;
  return { ...env, NO_UPDATE_NOTIFIER: '1', ...extra };
}

export function run(cmd: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: options.cwd, env: options.env ?? cleanEnv(), timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
      resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
}

export interface Project {
  readonly dir: string;
  /** `npm <args>` against the registry, with this project's own cache and an empty user config. */
  npm(args: readonly string[], options?: { registry?: string; cache?: string }): Promise<RunResult>;
  readJson(rel: string): Promise<Record<string, unknown>>;
}

export async function project(defaultRegistry: string, root: string): Promise<Project> {
  const dir = await mkdtemp(join(root, 'proj-'));
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'e2e-project', version: '1.0.0', private: true }, null, 2)}\n`);
  const userconfig = join(dir, '.npmrc-user');
  await writeFile(userconfig, '');
  return {
    dir,
    npm(args, options = {}) {
      return run(
        'npm',
        [...args, '--registry', options.registry ?? defaultRegistry, '--cache', options.cache ?? join(dir, '.npm-cache'), '--userconfig', userconfig, '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel', 'warn', ...FAST_RETRIES],
        { cwd: dir },
      );
    },
    async readJson(rel) {
      const { readFile } = await import('node:fs/promises');
      return JSON.parse(await readFile(join(dir, rel), 'utf8')) as Record<string, unknown>;
    },
  };
}

/** The quarantine id in what npm printed for a held version ("Quarantine id X;"), or ''. */
export function quarantineIdIn(output: string): string {
  return /Quarantine id (\S+);/.exec(output)?.[1] ?? '';
}

/** `airlock <args>` — the real CLI, as an operator would run it. */
export function airlockCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return run(process.execPath, [join(ROOT, 'bin', 'airlock.js'), ...args], { cwd: ROOT, env: cleanEnv(env) });
}

export interface E2e {
  readonly env: NpmTestEnv;
  readonly airlock: StartedAirlock;
  /** `http://127.0.0.1:<port>/npm/` */
  readonly registry: string;
  readonly tmp: string;
  project(): Promise<Project>;
  /** `airlock <args>` against this Airlock with its admin token. */
  cli(args: readonly string[]): Promise<RunResult>;
  /** Stop Airlock and start it again on the same data directory. */
  restart(): Promise<E2e>;
  close(): Promise<void>;
}

async function started(env: NpmTestEnv, tmp: string, dataDir: string | undefined, extra: Record<string, unknown>): Promise<E2e> {
  const airlock = await serverFor(env, extra, dataDir);
  const registry = `${airlock.url}/npm/`;
  const self: E2e = {
    env,
    airlock,
    registry,
    tmp,
    project: () => project(registry, tmp),
    cli: (args) => airlockCli(args, { AIRLOCK_SERVER: airlock.url, AIRLOCK_TOKEN: airlock.adminToken }),
    async restart() {
      const dir = airlock.dataDir;
      await airlock.app.close();
      return started(env, tmp, dir, extra);
    },
    async close() {
      await airlock.close();
      // After a restart the data directory came from the first Airlock, which no longer removes it.
      await rm(airlock.dataDir, { recursive: true, force: true });
      await env.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
  return self;
}

/** Fixture upstream + Airlock (test policy) on ephemeral ports, temp data dir and projects. */
export async function e2e(
  options: { packages?: readonly FixturePackage[]; config?: Record<string, unknown>; registryHost?: string; dataDir?: string } = {},
): Promise<E2e> {
  const env = await npmTestEnv(options.packages, options.registryHost);
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-'));
  try {
    return await started(env, tmp, options.dataDir, options.config ?? {});
  } catch (err) {
    // A configuration the test expects Airlock to refuse must not leave the fixture registry listening.
    await env.close();
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** How many blobs a data directory's blob store holds (files under blobs/sha256). */
export async function blobFiles(dataDir: string): Promise<number> {
  const root = join(dataDir, 'blobs', 'sha256');
  let n = 0;
  for (const dir of await readdir(root)) n += (await readdir(join(root, dir))).length;
  return n;
}

/** A new token of `role` from the admin API, as `airlock token create` makes one. */
export async function createToken(airlock: StartedAirlock, role: string, label: string): Promise<string> {
  const res = await fetch(`${airlock.url}/-/api/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${airlock.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role, label }),
  });
  if (res.status !== 201) throw new Error(`token create answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A GET of Airlock's admin API with the admin token, its JSON. */
export async function adminGet(airlock: StartedAirlock, path: string): Promise<unknown> {
  const res = await fetch(`${airlock.url}/-/api/${path}`, { headers: { authorization: `Bearer ${airlock.adminToken}` } });
  if (!res.ok) throw new Error(`GET /-/api/${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A user config with the token for `registry` (none: empty), as `npm login` would leave it. */
export async function userConfig(root: string, registry: string, authToken: string | null): Promise<string> {
  const rc = join(await mkdtemp(join(root, 'rc-')), '.npmrc');
  await writeFile(rc, authToken === null ? '' : `${registry.replace(/^https?:/, '')}:_authToken=${authToken}\n`);
  return rc;
}

/** A small package directory, published with `npm publish` as a developer would (own user config with the token). */
export async function publishPackage(
  root: string,
  registry: string,
  authToken: string | null,
  manifest: Record<string, unknown>,
  args: readonly string[] = [],
  files: Readonly<Record<string, string>> = {},
): Promise<RunResult> {
  const dir = await mkdtemp(join(root, 'pkg-'));
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'index.js'), `module.exports = ${JSON.stringify(`${String(manifest['name'])}@${String(manifest['version'])}`)};\n`);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content, { mode: 0o755 });
  }
  const rc = await userConfig(root, registry, authToken);
  // No retries: refusals (401, 403, 405) are what these publishes test, and they come at once.
  return run('npm', ['publish', ...args, '--registry', registry, '--userconfig', rc, '--cache', join(dir, '.npm-cache'), '--loglevel', 'warn', '--no-update-notifier', '--fetch-retries', '0'], {
    cwd: dir,
    env: cleanEnv(),
  });
}

export interface InternalAndPublic {
  readonly airlock: StartedAirlock;
  readonly upstream: FixtureRegistry;
  readonly tmp: string;
  /** `…/internal/`: the hosted repository. */
  readonly hosted: string;
  /** `…/all/`: the group (internal, then npm), publishing to internal. */
  readonly group: string;
  /** A publisher token labelled release-bot. */
  readonly publisher: string;
}

/**
 * A public upstream with `packages`, and a listening Airlock with its proxy (`npm`), a hosted
 * repository (`internal`) and a group of both (`all`, publishing to internal), plus `repositories`
 * and any other `config`; its data in a temporary directory. Everything is closed after the test.
 */
export async function internalAndPublic(
  t: { after(fn: () => Promise<unknown>): void },
  packages: readonly FixturePackage[],
  options: { readonly repositories?: readonly Record<string, unknown>[]; readonly config?: Record<string, unknown> } = {},
): Promise<InternalAndPublic> {
  const upstream = await FixtureRegistry.start(packages);
  t.after(() => upstream.close());
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-internal-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const airlock = await startAirlock({
    config: {
      repositories: [
        { name: 'npm', format: 'npm', upstream: upstream.url },
        { name: 'internal', format: 'npm', kind: 'hosted' },
        { name: 'all', format: 'npm', kind: 'group', members: ['internal', 'npm'], publishTo: 'internal' },
        ...(options.repositories ?? []),
      ],
      ...options.config,
    },
    dataDir: join(tmp, 'data'),
  });
  t.after(() => airlock.close());
  return { airlock, upstream, tmp, hosted: `${airlock.url}/internal/`, group: `${airlock.url}/all/`, publisher: await createToken(airlock, 'publisher', 'release-bot') };
}
