/** Child processes of the benchmark (floor registry, bare proxy, Airlock) and their memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { removeLater } from './scratch.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  stop(): Promise<void>;
}

function wrap(proc: ChildProcess): Child {
  return {
    proc,
    pid: proc.pid ?? -1,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Wait for a line matching `re` on the stream; reject if the process exits first. */
function waitForLine(proc: ChildProcess, stream: NodeJS.ReadableStream, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: stream });
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}`)), timeoutMs);
    const onExit = (code: number | null): void => reject(new Error(`process exited (${code}) before ${re}`));
    proc.once('exit', onExit);
    rl.on('line', (line) => {
      const m = re.exec(line);
      if (m === null) return;
      clearTimeout(timer);
      proc.off('exit', onExit);
      rl.close();
      resolve(m);
    });
  });
}

/** A script of this folder as a child process that prints `{"url": …}` on stdout once it serves. */
async function startServing(script: string, args: readonly string[], timeoutMs: number): Promise<{ child: Child; url: string }> {
  const proc = spawn(process.execPath, [join(import.meta.dirname, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const m = await waitForLine(proc, proc.stdout as NodeJS.ReadableStream, /^(\{.*"url".*\})$/, timeoutMs);
  return { child: wrap(proc), url: (JSON.parse(m[1] ?? '{}') as { url: string }).url };
}

export function startFloor(): Promise<{ child: Child; url: string }> {
  return startServing('floor-server.ts', [], 180_000);
}

/** The bare proxy (`bare-proxy.ts`) in front of `upstream`, its data in a fresh directory on the disk. */
export async function startBareProxy(upstream: string): Promise<{ child: Child; url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-bench-bare-'));
  const { child, url } = await startServing('bare-proxy.ts', [upstream, dir], 60_000);
  return {
    child,
    url,
    async stop() {
      await child.stop();
      removeLater(dir);
    },
  };
}

/** BENCH_AIRLOCK_NODE_FLAGS: extra runtime flags for the gateway only (to compare heap settings). */
export function gatewayFlagsFromEnv(): readonly string[] {
  return splitFlags(process.env['BENCH_AIRLOCK_NODE_FLAGS'] ?? '');
}

/** A NAME=VALUE word (an environment variable, where a flag could also stand) as its two parts, or null. */
export function envWord(word: string): readonly [string, string] | null {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
  return m === null ? null : [m[1] as string, m[2] as string];
}

export function splitFlags(text: string): readonly string[] {
  return text.split(' ').filter((f) => f !== '');
}

/**
 * `airlock serve --config <file>` as a real deployment would run it, with `flags` given to Node.
 * BENCH_AIRLOCK_ROOT in `env` (or in the benchmark's environment) runs the gateway of another
 * checkout instead of this one (a `git worktree` of an earlier commit, say), so that a compared
 * flag set such as `--compare=BENCH_AIRLOCK_ROOT=../base` measures a change of the code against
 * its baseline in the same run.
 */
export async function startAirlock(configFile: string, env: NodeJS.ProcessEnv, flags: readonly string[] = gatewayFlagsFromEnv()): Promise<{ child: Child; url: string }> {
  const root = resolve(env['BENCH_AIRLOCK_ROOT'] ?? process.env['BENCH_AIRLOCK_ROOT'] ?? ROOT);
  const bin = join(root, 'bin', 'airlock.js');
  if (!existsSync(bin)) throw new Error(`BENCH_AIRLOCK_ROOT: ${root} has no bin/airlock.js`);
  const proc = spawn(process.execPath, [...flags, bin, 'serve', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  const m = await waitForLine(proc, proc.stderr as NodeJS.ReadableStream, /airlock: listening on (http:\/\/\S+)/, 60_000);
  // Keep draining stderr so the child never blocks on a full pipe.
  proc.stderr?.resume();
  return { child: wrap(proc), url: m[1] ?? '' };
}

/** A /proc stat file's command name, and the fields after it (state is field 0). */
function readStat(path: string): { name: string; fields: string[] } {
  const stat = readFileSync(path, 'utf8');
  const end = stat.lastIndexOf(')');
  return { name: stat.slice(stat.indexOf('(') + 1, end), fields: stat.slice(end + 2).split(' ') };
}

/** User + system CPU seconds in stat fields (Linux clock ticks of 1/100 s). */
function ticks(f: readonly string[], user: number): number {
  return (Number(f[user]) + Number(f[user + 1])) / 100;
}

/** CPU seconds (user + system) a process has used so far (Linux clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  return ticks(readStat(`/proc/${pid}/stat`).fields, 11);
}

/**
 * CPU seconds each thread of a process has used so far, summed by thread name (Node names its
 * threads: MainThread, V8Worker for the compiler and collector helpers, libuv-worker for the pool).
 */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: { name: string; fields: string[] };
    try {
      stat = readStat(`/proc/${pid}/task/${tid}/stat`);
    } catch {
      continue; // the thread ended meanwhile
    }
    byName.set(stat.name, (byName.get(stat.name) ?? 0) + ticks(stat.fields, 11));
  }
  return byName;
}

/**
 * CPU seconds used so far by a process's children (this one's by default) that have exited and
 * been waited for (with their own waited-for children): the delta across one `npm ci` is npm's
 * CPU; a gateway's is its compile cache fill's.
 */
export function exitedChildrenCpuSeconds(pid: number | 'self' = 'self'): number {
  return ticks(readStat(`/proc/${pid}/stat`).fields, 13);
}

/**
 * How long a process's main thread (its thread id is the process id) has run on a core and
 * waited in the run queue for one, in seconds, from the scheduler's own accounting
 * (`/proc/PID/task/PID/schedstat`); null where the kernel does not keep it. Time spent waiting
 * is time the thread had work and every core was busy with other threads (npm's, or the
 * server's own helpers): a registry whose event loop mostly runs or waits, and is seldom idle,
 * is what an install is waiting on.
 */
export function mainThreadSchedule(pid: number): { running: number; waiting: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8');
  } catch {
    return null;
  }
  const [running, waiting] = text.trim().split(' ').map(Number);
  if (running === undefined || waiting === undefined || !Number.isFinite(running) || !Number.isFinite(waiting)) return null;
  return { running: running / 1e9, waiting: waiting / 1e9 };
}

export interface Memory {
  /** Resident set size now, bytes. */
  readonly rss: number;
  /** Peak resident set size since the process started, bytes. */
  readonly peak: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 'NaN') * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/**
 * What a process has handed to write-type system calls so far (Linux /proc/PID/io: `wchar` and
 * `syscw`): files (the blob store's, the database's and its WAL's) and sockets alike.
 */
export function writesOf(pid: number): { readonly bytes: number; readonly calls: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)$`, 'm').exec(io)?.[1] ?? 'NaN');
  return { bytes: field('wchar'), calls: field('syscw') };
}

/**
 * Start measuring the process's peak RSS afresh (Linux: `5` to /proc/PID/clear_refs resets
 * VmHWM to the current RSS), so each phase reports its own peak. False where that is refused.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Sample RSS every `everyMs` while `fn` runs; returns the highest sample. */
export async function sampleRss<T>(pid: number, everyMs: number, fn: () => Promise<T>): Promise<{ result: T; maxRss: number }> {
  let maxRss = memoryOf(pid).rss;
  const timer = setInterval(() => {
    try {
      maxRss = Math.max(maxRss, memoryOf(pid).rss);
    } catch {
      // process gone
    }
  }, everyMs);
  try {
    const result = await fn();
    maxRss = Math.max(maxRss, memoryOf(pid).rss);
    return { result, maxRss };
  } finally {
    clearInterval(timer);
  }
}

export interface AirlockInstance {
  readonly child: Child;
  readonly url: string;
  readonly dir: string;
  /** Stop the process; its data directory is deleted when the benchmark ends (`removeDeferred`). */
  stop(): Promise<void>;
}

/**
 * Airlock as the benchmark runs it: a fresh data directory on the disk, the built-in policy with
 * cooldown off; `flags` for Node, `env` added to the environment, `repositories` (YAML list
 * items) served beside the proxy `npm`.
 */
export async function airlock(upstream: string, flags: readonly string[] = gatewayFlagsFromEnv(), env: NodeJS.ProcessEnv = {}, repositories: readonly string[] = []): Promise<AirlockInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-bench-data-'));
  const config = join(dir, 'airlock.yaml');
  await writeFile(
    config,
    [
      'server:',
      '  host: 127.0.0.1',
      '  port: 0',
      'storage:',
      `  dataDir: ${join(dir, 'data')}`,
      'repositories:',
      '  - name: npm',
      '    format: npm',
      `    upstream: ${upstream}`,
      ...repositories,
      // The built-in policy, with its cooldown off: the workload's lockfile pins versions a few
      // days old, which the default 3-day cooldown would (rightly) hold back.
      'policy:',
      '  data:',
      '    airlock:',
      '      settings:',
      '        cooldown_days: 0',
      '',
    ].join('\n'),
  );
  const { child, url } = await startAirlock(config, { AIRLOCK_ADMIN_TOKEN: 'airlock_bench_admin_token_0123456789', ...env }, flags);
  return {
    child,
    url,
    dir,
    async stop() {
      await child.stop();
      removeLater(dir);
    },
  };
}
