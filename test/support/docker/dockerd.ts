/**
 * A private Docker engine for end-to-end tests: `dockerd` (Debian's docker.io, run as root) with
 * its data, exec root, pid file and API socket in one short temp directory, vfs storage (no
 * overlay mounts), no bridge and no iptables (it never runs a container), its own empty
 * daemon.json (so /etc/docker/daemon.json changes nothing) and every loopback registry insecure
 * (plain HTTP, as Airlock listens in tests). It never uses /var/run/docker.sock.
 *
 * It never outlives the test (../daemon-process.ts); once it has stopped, what it left mounted
 * (it bind-mounts its data root onto itself) is unmounted and the directory removed. Its
 * containerd is its child and goes with it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath, spawnDaemon } from '../daemon-process.ts';

/** How long the daemon may take to answer its API (it starts its own containerd first). */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface DockerDaemon {
  /** The API socket's path (for `DOCKER_HOST=unix://<socket>`). */
  readonly socket: string;
  /** Its temp directory (data root, exec root, socket, client configurations). */
  readonly dir: string;
  /** The daemon's log (the last 20 kB), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Why the Docker tests cannot run here (dockerd or the docker CLI missing, not root), or null. */
export function dockerMissing(): string | null {
  if (!onPath('dockerd') || !onPath('docker')) return 'dockerd or the docker CLI not installed (apt-get install -y docker.io); Docker end-to-end tests skipped';
  if (process.getuid?.() !== 0) return 'dockerd needs root; Docker end-to-end tests skipped';
  return null;
}

/** The mount points at or below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  let table: string;
  try {
    table = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return [];
  }
  const points = table.split('\n').map((line) => (line.split(' ')[1] ?? '').replace(/\\040/g, ' '));
  return points.filter((p) => p === dir || p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

/** Unmounts what the daemon left (lazily: nothing of it runs any more) and removes the directory. */
function removeDir(dir: string): void {
  for (const point of mountsUnder(dir)) spawnSync('umount', ['-l', point], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

/** Whether the daemon answers `GET /_ping` on its socket. */
function pings(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** A directory short enough for the unix sockets under it (about 100 bytes at most). */
function shortTmp(): string {
  return tmpdir().length <= 40 ? tmpdir() : '/tmp';
}

export interface DockerDaemonOptions {
  /**
   * A PEM file of the certificate authorities the daemon trusts for registries, in place of the
   * system's (its SSL_CERT_FILE): a registry with a certificate from a private authority, without
   * /etc/docker/certs.d, which every daemon on the machine reads. Docker takes every registry on
   * a loopback address for an insecure one and checks no certificate there: such a registry must
   * be reached at another address.
   */
  readonly trustedCa?: string;
}

/** Starts a private dockerd and waits until its API answers; throws with its log if it does not. */
export async function startDockerDaemon(options: DockerDaemonOptions = {}): Promise<DockerDaemon> {
  const dir = await mkdtemp(join(shortTmp(), 'airlock-dockerd-'));
  const socket = join(dir, 'sock');
  const configFile = join(dir, 'daemon.json');
  await writeFile(configFile, '{}');
  const daemon = spawnDaemon(
    'dockerd',
    [
      `--config-file=${configFile}`,
      `--data-root=${join(dir, 'root')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--pidfile=${join(dir, 'pid')}`,
      `--host=unix://${socket}`,
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--storage-driver=vfs',
      '--insecure-registry=127.0.0.0/8',
    ],
    {
      env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...(options.trustedCa === undefined ? {} : { SSL_CERT_FILE: options.trustedCa }) },
      killAfterMs: STOP_TIMEOUT_MS,
      cleanup: () => removeDir(dir),
    },
  );
  await daemon.waitUntil(() => pings(socket), START_TIMEOUT_MS, 'answer on its socket');
  return { socket, dir, log: () => daemon.log(), stop: () => daemon.stop() };
}

/**
 * For a test file's top level: a running daemon, or why the Docker tests are skipped (tools
 * missing, or the daemon would not come up here).
 */
export async function dockerDaemonOrSkip(options: DockerDaemonOptions = {}): Promise<{ readonly daemon: DockerDaemon; readonly skip: false } | { readonly daemon: null; readonly skip: string }> {
  const missing = dockerMissing();
  if (missing !== null) return { daemon: null, skip: missing };
  try {
    return { daemon: await startDockerDaemon(options), skip: false };
  } catch (err) {
    return { daemon: null, skip: `the Docker engine did not start here (${err instanceof Error ? err.message : String(err)}); Docker end-to-end tests skipped` };
  }
}

