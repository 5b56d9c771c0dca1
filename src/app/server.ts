/**
 * Listening and shutting down — nothing else. `buildApp` does all the wiring.
 */
import type { FastifyInstance } from 'fastify';
import type { AirlockConfig } from './config/types.ts';
import { buildApp, type AppDeps } from './build-app.ts';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startServer(config: AirlockConfig, deps: AppDeps = {}): Promise<RunningServer> {
  const app = await buildApp(config, deps);
  try {
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    app,
    url,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}

/**
 * Stop on SIGINT/SIGTERM: stop accepting, let in-flight requests finish within the grace period,
 * close storage, exit. A second signal exits at once.
 */
export function closeOnSignals(server: RunningServer, graceMs: number, exit: (code: number) => void = process.exit): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      exit(1);
      return;
    }
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      server.app.log.error({ graceMs }, 'shutdown grace period over; exiting');
      exit(1);
    }, graceMs);
    timer.unref();
    server.close().then(
      () => exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
