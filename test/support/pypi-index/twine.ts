/**
 * The real twine (Debian's `twine` package, 4.x), for end-to-end tests of hosted pypi
 * repositories, insulated from the machine's configuration: no `~/.pypirc` (HOME is a scratch
 * folder), no `TWINE_*` variables, no keyring, no colours. Null from `twineVersion` when twine is
 * not installed: tests skip and say so.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CLIENTS_DIR, run, type RunResult } from './pip.ts';

const TWINE = ['/usr/bin/twine', '/usr/local/bin/twine'].find((p) => existsSync(p)) ?? null;
const HOME = join(CLIENTS_DIR, 'twine-home');

function twineEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('TWINE_') || k.startsWith('PYTHON') || k.startsWith('PIP_') || k === 'VIRTUAL_ENV') continue;
    env[k] = v;
  }
  return { ...env, HOME, PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring', NO_COLOR: '1', TERM: 'dumb', COLUMNS: '400', PYTHONDONTWRITEBYTECODE: '1' };
}

/** twine's version line, or null when twine is not installed. */
export async function twineVersion(): Promise<string | null> {
  if (TWINE === null) return null;
  await mkdir(HOME, { recursive: true });
  const r = await run(TWINE, ['--version'], twineEnv());
  return r.code === 0 ? r.stdout.trim() : null;
}

/**
 * `twine upload --repository-url <url> -u __token__ -p <password> [extra] <files>`, non-interactive;
 * resolves with its exit code and output, never throws for a failed run.
 */
export async function twineUpload(url: string, password: string, files: readonly string[], extra: readonly string[] = []): Promise<RunResult> {
  if (TWINE === null) throw new Error('twine is not installed');
  await mkdir(HOME, { recursive: true });
  return run(TWINE, ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', url, '-u', '__token__', '-p', password, ...extra, ...files], twineEnv(), { timeoutMs: 60_000 });
}
