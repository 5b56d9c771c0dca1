/**
 * What `bench:oci` (pulls) and `bench:oci:push` share: the run's directories, floor registry and
 * Airlock process, cleaned up however the run ends; Airlock and the floor taking turns; the
 * figures' formats.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type FixtureRegistry } from '../../test/support/oci/index.ts';
import { serve } from '../../test/support/serve-process.ts';
import { npmScratchRoot } from '../npm/scratch.ts';

export type Side = 'airlock' | 'floor';

/** `a` and `f` in turn, Airlock first on even runs and the floor first on odd ones. */
export async function pair<T>(run: number, a: () => Promise<T>, f: () => Promise<T>): Promise<{ airlock: T; floor: T }> {
  if (run % 2 === 0) {
    const airlock = await a();
    return { airlock, floor: await f() };
  }
  const floor = await f();
  return { airlock: await a(), floor };
}

export const ms = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
export const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
export const list = (xs: readonly number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
export const times = (a: number, f: number): string => `${(a / f).toFixed(2)}×`;

/** What a benchmark run has to work with: its directories, the floor registry, and a way to start Airlock. */
export interface BenchRun {
  /** For the client's side (images, skopeo's output): a RAM filesystem when there is one. */
  readonly scratch: string;
  /** For Airlock's configuration and data: the disk. */
  readonly tmp: string;
  readonly registry: FixtureRegistry;
  /** `airlock serve` with this configuration (YAML; its data directory is `<tmp>/data`) and environment, once it listens. */
  serve(config: string, env?: NodeJS.ProcessEnv): Promise<{ readonly url: string; readonly pid: number }>;
}

/**
 * Runs `body` with fresh directories and the floor registry, then stops Airlock and the registry
 * and deletes the directories; on Ctrl-C, SIGTERM or an uncaught error, kills Airlock, deletes
 * them and exits (docker-registry stops with this process).
 */
export async function benchRun(name: string, body: (run: BenchRun) => Promise<void>): Promise<void> {
  const scratch = await mkdtemp(join(npmScratchRoot(), `airlock-bench-${name}-`));
  const tmp = await mkdtemp(join(tmpdir(), `airlock-bench-${name}-data-`));
  let registry: FixtureRegistry | undefined;
  let server: ReturnType<typeof serve> | undefined;
  const quit = (code: number): never => {
    server?.child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
    process.exit(code);
  };
  const interrupted = (): void => quit(130);
  const uncaught = (err: Error): void => {
    console.error(err);
    quit(1);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  process.on('uncaughtException', uncaught);
  try {
    registry = await startRegistry();
    await body({
      scratch,
      tmp,
      registry,
      async serve(config, env = {}) {
        const file = join(tmp, 'airlock.yaml');
        await writeFile(file, config);
        server = serve(tmp, ['--config', file], { env: { AIRLOCK_SERVER_LOG_LEVEL: 'warn', ...env } });
        return { url: await server.listening, pid: server.child.pid as number };
      },
    });
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    process.off('uncaughtException', uncaught);
    if (server !== undefined) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await registry?.close();
    await rm(scratch, { recursive: true, force: true });
    await rm(tmp, { recursive: true, force: true });
  }
}
