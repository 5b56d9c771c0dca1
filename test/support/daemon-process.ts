/**
 * A server a test starts as a child process (Debian's docker-registry, a private dockerd) that
 * never outlives the test: `stop()` ends it (SIGTERM, then SIGKILL) and runs its clean-up (its
 * temp directory removed); so does the process's `exit` hook, and — through
 * `setpriv --pdeathsig KILL` where it works — the kernel kills it if the test process is killed.
 * Its output is kept (the last 20 kB) for failure messages.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface DaemonProcess {
  readonly pid: number;
  /** Its output so far (the last 20 kB). */
  log(): string;
  /** Resolves once it is ready (`ready()` true); stops it and rejects with its log if it exits or `timeoutMs` passes first (`what` it waited for, to say so). */
  waitUntil(ready: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void>;
  /** Ends it and runs the clean-up, once (later calls share the first). */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** Its whole environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  readonly killAfterMs: number;
  /** Run once it has exited, synchronously (the exit hook cannot wait): remove its files. */
  readonly cleanup: () => void;
}

let cachedSetpriv: boolean | undefined;

/** Whether `command` is on PATH. */
export function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** `command args`, through `setpriv --pdeathsig KILL` where it works: the kernel kills the child if the test process dies. */
export function killedWithParent(command: string, args: readonly string[]): [string, string[]] {
  cachedSetpriv ??= onPath('setpriv') && spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0;
  return cachedSetpriv ? ['setpriv', ['--pdeathsig', 'KILL', command, ...args]] : [command, [...args]];
}

/** Running daemons and their clean-ups, for the exit hook. */
const live = new Map<ChildProcess, () => void>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [child, cleanup] of live) {
      child.kill('SIGKILL');
      cleanup();
    }
  });
}

/** Starts `command args` as a daemon of this test process. */
export function spawnDaemon(command: string, args: readonly string[], options: DaemonOptions): DaemonProcess {
  const [file, argv] = killedWithParent(command, args);
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.env === undefined ? {} : { env: options.env }) });
  installExitHook();
  live.set(child, options.cleanup);
  let log = '';
  const keep = (c: Buffer): void => {
    log = (log + c.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.once('error', (err) => keep(Buffer.from(String(err))));
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => (gone = true));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
      options.cleanup();
    })();
    return stopping;
  };
  const waitUntil = async (ready: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await ready())) {
      if (gone || Date.now() > deadline) {
        const exitedByItself = gone; // stop() below makes it gone too
        await stop();
        throw new Error(`${command} ${exitedByItself ? 'exited' : `did not answer in ${timeoutMs / 1000} s`} waiting to ${what}: ${log.trim().split('\n').slice(-10).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { pid: child.pid ?? -1, log: () => log, waitUntil, stop };
}
