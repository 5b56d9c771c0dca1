/**
 * The real pip, for end-to-end tests, insulated from the machine's pip configuration.
 *
 * The venv: `python3 -m venv` (with pip from CPython's bundled `ensurepip` wheels, so it works
 * offline) at `/tmp/airlock-e2e-clients/pip-venv-<python version>`, made once and reused while its
 * `python -m pip --version` works. It is built in a scratch folder and renamed into place, so test
 * processes running side by side can race safely. No `--system-site-packages`: the host's packages
 * must not satisfy requirements that are meant to come from the index.
 *
 * Insulation: development machines set a global `extra-index-url` and `find-links` (in
 * `~/.config/pip/pip.conf` and `PIP_*` variables). Every run gets an environment without any
 * `PIP_*`/`PYTHON*` variable of the caller, plus `PIP_CONFIG_FILE=/dev/null` (pip then reads no
 * configuration file at all), `PIP_FIND_LINKS=` and the other resets below. Not `--isolated`:
 * that makes pip ignore the environment (our resets too) while still reading `/etc/pip.conf`.
 * Build isolation runs a child pip that inherits this environment, so it is insulated as well.
 * `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE` are left out too: pip's HTTP library (requests) lets
 * them win over `--cert`/`PIP_CERT`, so a machine that sets them would decide which authorities a
 * test's pip trusts (a test may still give them, in `env`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface RunResult {
  /** Exit code; null when killed (time-out or signal). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface RunOptions {
  readonly cwd?: string;
  /** Extra environment variables (after the insulating ones, so they can override them). */
  readonly env?: Readonly<Record<string, string>>;
  /** Default 120 000. */
  readonly timeoutMs?: number;
}

export const CLIENTS_DIR = '/tmp/airlock-e2e-clients';
/** pip's default working directory: empty, so nothing there can be taken for a local project. */
const PIP_CWD = join(CLIENTS_DIR, 'pip-cwd');

/** The interpreter venvs are made from. */
const PYTHON = 'python3';

/** Variables requests reads for its trust store over pip's own `--cert` (see the file comment). */
const CA_BUNDLE_VARIABLES = new Set(['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']);

function cleanEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('PIP_') || k.startsWith('PYTHON') || k === 'VIRTUAL_ENV' || CA_BUNDLE_VARIABLES.has(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    PIP_CONFIG_FILE: '/dev/null',
    PIP_FIND_LINKS: '',
    PIP_NO_CACHE_DIR: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONNOUSERSITE: '1',
    ...extra,
  };
}

/** Runs a program to completion; never throws for a non-zero exit. */
export function run(command: string, args: readonly string[], env: Record<string, string>, opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: opts.cwd ?? CLIENTS_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    });
  });
}

let venv: Promise<string> | undefined; // once per process, as the venv is shared by every test in it

async function makeVenv(): Promise<string> {
  await mkdir(PIP_CWD, { recursive: true });
  const version = await run(PYTHON, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], cleanEnv());
  if (version.code !== 0) throw new Error(`${PYTHON} does not run: ${version.stderr}`);
  const dir = join(CLIENTS_DIR, `pip-venv-${version.stdout.trim()}`);
  const works = async (d: string): Promise<boolean> => existsSync(join(d, 'bin', 'python')) && (await run(join(d, 'bin', 'python'), ['-m', 'pip', '--version'], cleanEnv())).code === 0;
  if (await works(dir)) return dir;
  const scratch = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const made = await run(PYTHON, ['-m', 'venv', scratch], cleanEnv(), { timeoutMs: 120_000 });
  if (made.code !== 0) throw new Error(`python3 -m venv failed: ${made.stderr}`);
  try {
    await rename(scratch, dir);
  } catch {
    // Another process got there first (its rename is atomic, so a venv there is whole), or a
    // broken venv is in the way.
    if (!(await works(dir))) {
      await rm(dir, { recursive: true, force: true });
      await rename(scratch, dir);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (!(await works(dir))) throw new Error(`the pip venv at ${dir} does not work`);
  return dir;
}

/** The venv's folder (made on first use). */
export function pipVenv(): Promise<string> {
  venv ??= makeVenv();
  return venv;
}

/** Runs the venv's python, insulated (see the file comment). */
export async function python(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const dir = await pipVenv();
  return run(join(dir, 'bin', 'python'), args, cleanEnv(opts.env), { cwd: PIP_CWD, ...opts });
}

/** Runs the real pip (`<venv>/bin/python -m pip …`); resolves with its exit code and output, never throws for a failed run. */
export function pip(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return python(['-m', 'pip', ...args], opts);
}

/** `import <module>; print(<module>.VERSION)` with `PYTHONPATH=targetDir`; the output, trimmed. Throws if it fails. */
export async function pythonImport(targetDir: string, module: string, attribute = 'VERSION'): Promise<string> {
  const script = 'import importlib, sys\nm = importlib.import_module(sys.argv[1])\nprint(getattr(m, sys.argv[2]))';
  const r = await python(['-c', script, module, attribute], { env: { PYTHONPATH: targetDir } });
  if (r.code !== 0) throw new Error(`import ${module} from ${targetDir} failed (${String(r.code)}): ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * A setuptools wheel new enough to build wheels on its own (≥ 70.1, no `wheel` package needed),
 * for a fixture index to serve so pip can build sdists with build isolation: pip fetches build
 * requirements from the same index. Fetched once with the machine's ordinary pip configuration
 * (its index or local mirror; this is provisioning, not the test) into
 * `/tmp/airlock-e2e-clients/build-backend/`. Null when none can be had (offline, no mirror).
 */
export async function buildBackendWheels(): Promise<ReadonlyArray<{ readonly filename: string; readonly bytes: Buffer }> | null> {
  const dir = join(CLIENTS_DIR, 'build-backend');
  const read = async (d: string): Promise<Array<{ filename: string; bytes: Buffer }>> => {
    const names = existsSync(d) ? (await readdir(d)).filter((n) => /^setuptools-.*\.whl$/.test(n)) : [];
    return Promise.all(names.map(async (filename) => ({ filename, bytes: await readFile(join(d, filename)) })));
  };
  const have = await read(dir);
  if (have.length > 0) return have;
  await mkdir(CLIENTS_DIR, { recursive: true });
  const scratch = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const r = await run(PYTHON, ['-m', 'pip', 'download', '--no-deps', '--only-binary', ':all:', '--timeout', '10', '--retries', '1', '-d', scratch, 'setuptools>=70.1'], env, { timeoutMs: 90_000 });
  try {
    if (r.code === 0) await rename(scratch, dir);
  } catch {
    // another process got there first
  }
  await rm(scratch, { recursive: true, force: true });
  const got = await read(dir);
  return got.length > 0 ? got : null;
}
