/**
 * Debian's `docker-registry` (CNCF distribution 2.8.2) as a child process: plain HTTP on a free
 * 127.0.0.1 port, filesystem storage in a temp directory, delete enabled. It never outlives the
 * test process: it is killed on `stop()`, on the process's `exit`, and — through
 * `setpriv --pdeathsig KILL` when available — by the kernel if the test process is killed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let cachedTools: boolean | undefined;
let cachedSetpriv: boolean | undefined;

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Both `skopeo` and `docker-registry` are on PATH (OCI end-to-end tests skip otherwise). */
export function hasRegistryTools(): boolean {
  cachedTools ??= onPath('skopeo') && onPath('docker-registry');
  return cachedTools;
}

export const SKIP_NO_REGISTRY_TOOLS = 'skopeo or docker-registry not installed (apt-get install -y skopeo docker-registry); OCI end-to-end tests skipped';

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface DistributionProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  readonly pid: number;
  /** Its log (warnings and errors), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Running processes and their temp directories, for the exit hook. */
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [child, dir] of live) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function waitUntilAnswering(url: string, exited: Promise<unknown>, log: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`docker-registry exited before answering: ${log()}`);
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`docker-registry did not answer ${url}/v2/ within 15 s: ${log()}`);
}

async function startOnce(): Promise<DistributionProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-distribution-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: { level: warn, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${JSON.stringify(join(dir, 'data'))} }, delete: { enabled: true }, cache: { blobdescriptor: inmemory } }`,
      `http: { addr: "127.0.0.1:${port}", secret: airlock-fixture-secret }`,
      'health: { storagedriver: { enabled: false } }',
      '',
    ].join('\n'),
  );
  cachedSetpriv ??= onPath('setpriv') && spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0;
  const [command, args] = cachedSetpriv
    ? ['setpriv', ['--pdeathsig', 'KILL', 'docker-registry', 'serve', config]]
    : ['docker-registry', ['serve', config]];
  const child = spawn(command, args, { detached: false, stdio: ['ignore', 'pipe', 'pipe'] });
  installExitHook();
  live.set(child, dir);
  let log = '';
  const keep = (c: Buffer): void => {
    log = (log + c.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (err) => keep(Buffer.from(String(err))));
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    await waitUntilAnswering(url, exited, () => log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, host: `127.0.0.1:${port}`, pid: child.pid ?? -1, log: () => log, stop };
}

/** Starts docker-registry and waits until `GET /v2/` answers 200 (retrying if its port was taken meanwhile). */
export async function startDistribution(): Promise<DistributionProcess> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce();
    } catch (err) {
      last = err;
      if (!/address already in use/.test(String(err))) break;
    }
  }
  throw last;
}
