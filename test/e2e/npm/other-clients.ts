/**
 * pnpm and yarn for the opt-in smoke tests (AIRLOCK_CLIENTS=1): installed once from the
 * configured npm registry into a shared folder under the system temp directory.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, run } from './support.ts';

export const CLIENTS_ENABLED = process.env['AIRLOCK_CLIENTS'] === '1';
export const SKIP_CLIENTS = CLIENTS_ENABLED ? false : 'set AIRLOCK_CLIENTS=1 to run (installs pnpm and yarn from the configured registry)';

const DIR = join(tmpdir(), 'airlock-e2e-clients');

export interface Clients {
  readonly pnpm: string;
  readonly yarnClassic: string;
  readonly yarnBerry: string;
}

export async function clients(): Promise<Clients> {
  const paths: Clients = {
    pnpm: join(DIR, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs'),
    yarnClassic: join(DIR, 'node_modules', 'yarn', 'bin', 'yarn.js'),
    yarnBerry: join(DIR, 'node_modules', '@yarnpkg', 'cli-dist', 'bin', 'yarn.js'),
  };
  if (!Object.values(paths).every((p) => existsSync(p))) {
    // Test files run in parallel: each installs into its own folder, the first rename wins.
    const staging = `${DIR}.${process.pid}`;
    await mkdir(staging, { recursive: true });
    const r = await run('npm', ['i', '--prefix', staging, 'pnpm@10', 'yarn@1', '@yarnpkg/cli-dist@4', '--no-audit', '--no-fund'], { cwd: staging, env: cleanEnv(), timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`could not install pnpm/yarn: ${r.output}`);
    try {
      await rename(staging, DIR);
    } catch {
      await rm(staging, { recursive: true, force: true });
    }
  }
  return paths;
}
