/**
 * Listening (over HTTPS with `server.tls`, its certificate rotated without a restart) and
 * shutting down — nothing else. `buildApp` does all the wiring.
 */
import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { AirlockConfig } from './config/types.ts';
import { buildApp, type AppDeps } from './build-app.ts';
import { httpsServerOptions, readTlsMaterial } from './tls-material.ts';
import { startTlsRotation, type TlsRotation } from './tls-rotation.ts';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** `http://host:port` as bound (the real port when 0 was asked for); `https://` with `server.tls`. */
  readonly url: string;
  /** The certificate being served and its rotation, with `server.tls`; else null. */
  readonly tls: TlsRotation | null;
  close(): Promise<void>;
}

export async function startServer(config: AirlockConfig, deps: AppDeps = {}): Promise<RunningServer> {
  const tls = config.server.tls;
  // Read before storage opens: a certificate that will not do stops the start with what to fix.
  // Its dates are checked against the real clock, the one clients check them against.
  const material = tls === null ? null : readTlsMaterial(tls, new Date());
  const app = await buildApp(config, tls === null || material === null ? deps : { ...deps, https: httpsServerOptions(tls, material) });
  try {
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const rotation = tls === null || material === null ? null : startTlsRotation(app.server as unknown as TlsServer, tls, material, { log: app.log, clock: () => new Date() });
  if (rotation !== null) app.airlock.metrics.watchTlsCertificate(() => rotation.current().certificate.validTo);
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `${tls === null ? 'http' : 'https'}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    app,
    url,
    tls: rotation,
    close() {
      rotation?.close();
      closing ??= app.close();
      return closing;
    },
  };
}

/** Read the certificate and key again on SIGHUP (as nginx and HAProxy do), with or without `server.tls.watch`. */
export function reloadTlsOnHangup(server: RunningServer): void {
  const rotation = server.tls;
  if (rotation === null) return;
  process.on('SIGHUP', () => {
    const result = rotation.reload('SIGHUP');
    if (result.kind === 'unchanged') server.app.log.info({ serial: rotation.current().certificate.serial }, 'tls certificate unchanged');
  });
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
