/**
 * Debian's `docker-registry` (CNCF distribution 2.8.2) as a child process: plain HTTP on a free
 * 127.0.0.1 port, filesystem storage in a temp directory, delete enabled. It never outlives the
 * test process (../daemon-process.ts).
 */
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath, spawnDaemon } from '../daemon-process.ts';
import { freePort } from '../free-port.ts';

let cachedTools: boolean | undefined;

/** Both `skopeo` and `docker-registry` are on PATH (OCI end-to-end tests skip otherwise). */
export function hasRegistryTools(): boolean {
  cachedTools ??= onPath('skopeo') && onPath('docker-registry');
  return cachedTools;
}

export const SKIP_NO_REGISTRY_TOOLS = 'skopeo or docker-registry not installed (apt-get install -y skopeo docker-registry); OCI end-to-end tests skipped';

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

/** Whether docker-registry answers `GET /v2/` with 200. */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false; // not listening yet
  }
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
  const daemon = spawnDaemon('docker-registry', ['serve', config], { killAfterMs: 2000, cleanup: () => rmSync(dir, { recursive: true, force: true }) });
  const url = `http://127.0.0.1:${port}`;
  await daemon.waitUntil(() => answers(url), 15_000, `answer ${url}/v2/`);
  return { url, host: `127.0.0.1:${port}`, pid: daemon.pid, log: () => daemon.log(), stop: () => daemon.stop() };
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
