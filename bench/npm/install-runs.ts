/**
 * `npm ci` of the workload against a registry: fresh project copy and fresh npm cache per run,
 * on a RAM filesystem when there is one (`scratch.ts` says why).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cpuSeconds, exitedChildrenCpuSeconds, mainThreadSchedule } from './processes.ts';
import { npmScratchRoot } from './scratch.ts';
import { WORKLOAD_DIR } from './workload.ts';

export interface InstallResult {
  readonly seconds: number;
  readonly packages: number;
  /** CPU seconds npm used. */
  readonly npmCpu: number;
  /** CPU seconds the registry process (`serverPid`) used meanwhile. */
  readonly serverCpu: number;
  /** Seconds the registry's main thread ran, and waited for a core, meanwhile (null: not known here). */
  readonly serverMain: { readonly running: number; readonly waiting: number } | null;
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, NO_UPDATE_NOTIFIER: '1' };
}

/**
 * Both processes' CPU is reported beside the wall time: on a 2-core machine the install is as
 * slow as npm's and the registry's CPU demand together allow, whatever the registry's latency.
 */
export async function npmCi(registry: string, serverPid: number): Promise<InstallResult> {
  const dir = await mkdtemp(join(npmScratchRoot(), 'airlock-bench-ci-'));
  try {
    await copyFile(join(WORKLOAD_DIR, 'package.json'), join(dir, 'package.json'));
    await copyFile(join(WORKLOAD_DIR, 'package-lock.json'), join(dir, 'package-lock.json'));
    await writeFile(join(dir, '.npmrc-user'), '');
    const args = [
      'ci',
      '--registry', registry,
      '--cache', join(dir, '.npm-cache'),
      '--userconfig', join(dir, '.npmrc-user'),
      '--prefer-online',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
      '--loglevel', 'error',
    ];
    const started = process.hrtime.bigint();
    const npm0 = exitedChildrenCpuSeconds();
    const server0 = cpuSeconds(serverPid);
    const main0 = mainThreadSchedule(serverPid);
    const out = await new Promise<string>((resolve, reject) => {
      execFile('npm', args, { cwd: dir, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 }, (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`npm ci against ${registry} failed: ${stderr.slice(-2000)}`));
        else resolve(stdout);
      });
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const serverCpu = cpuSeconds(serverPid) - server0;
    const main1 = mainThreadSchedule(serverPid);
    const serverMain = main0 === null || main1 === null ? null : { running: main1.running - main0.running, waiting: main1.waiting - main0.waiting };
    const m = /added (\d+) packages/.exec(out);
    return { seconds, packages: m === null ? -1 : Number(m[1]), npmCpu: exitedChildrenCpuSeconds() - npm0, serverCpu, serverMain };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
