/**
 * Start a real Airlock for tests: real SQLite and blob store in a temporary data directory (or
 * the one given, to test restarts), the real policy engine, a known admin token. `startAirlock`
 * listens on a free port (for real clients such as npm); `buildTestApp` does not listen (for
 * `app.inject()`).
 *
 *   const a = await startAirlock({ config: { repositories: [{ name: 'npm', format: 'npm', upstream }] } });
 *   // a.url, a.app, a.adminToken, a.dataDir; a.close() removes the data directory it created.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApp } from '../../src/app/build-app.ts';
import { applyEnvOverrides } from '../../src/app/config/env.ts';
import { resolveDraft } from '../../src/app/config/load.ts';
import { npmDiscovery } from '../../src/app/config/npm-client.ts';
import { validateConfig } from '../../src/app/config/schema.ts';
import type { AirlockConfig } from '../../src/app/config/types.ts';
import { startServer } from '../../src/app/server.ts';
import type { FactCollector } from '../../src/gate/types.ts';

export interface TestAirlockOptions {
  /** Raw configuration as it would appear in YAML (validated by the real schema). */
  readonly config?: Record<string, unknown>;
  /** Reuse a data directory (restart tests); default: a fresh temporary one, removed on close. */
  readonly dataDir?: string;
  /** Extra environment for configuration (env overrides, secret references). */
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: () => Date;
  readonly collectors?: readonly FactCollector[];
  /** The admin token to configure (default: a random one). */
  readonly adminToken?: string;
  /** The app's logger (default: pino at the configured level, to stdout). */
  readonly logger?: Logger;
}

export interface TestAirlock {
  readonly app: FastifyInstance;
  readonly config: AirlockConfig;
  readonly adminToken: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

export interface StartedAirlock extends TestAirlock {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

async function prepare(options: TestAirlockOptions): Promise<{ config: AirlockConfig; adminToken: string; dataDir: string; cleanup: () => Promise<void> }> {
  const created = options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'airlock-test-')) : null;
  const dataDir = options.dataDir ?? (created as string);
  const adminToken = options.adminToken ?? `airlock_test_${randomBytes(16).toString('hex')}`;
  const env: NodeJS.ProcessEnv = { ...options.env, AIRLOCK_ADMIN_TOKEN: adminToken };
  const raw: Record<string, unknown> = { ...(options.config ?? {}) };
  raw['storage'] = { ...(raw['storage'] as object | undefined), dataDir };
  raw['server'] = { host: '127.0.0.1', port: 0, logLevel: process.env['AIRLOCK_TEST_LOG'] ?? 'silent', ...(raw['server'] as object | undefined) };
  raw['policy'] = { watch: false, ...(raw['policy'] as object | undefined) };
  const draft = validateConfig(applyEnvOverrides(raw, env), { env, baseDir: process.cwd(), cwd: process.cwd() });
  const config = await resolveDraft(draft, npmDiscovery());
  return {
    config,
    adminToken,
    dataDir,
    cleanup: async () => {
      if (created !== null) await rm(created, { recursive: true, force: true });
    },
  };
}

function deps(options: TestAirlockOptions, config: AirlockConfig) {
  return {
    logger: options.logger ?? pino({ level: config.server.logLevel }),
    announce: () => {},
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.collectors === undefined ? {} : { collectors: options.collectors }),
  };
}

/** An app that does not listen: drive it with `app.inject()`. */
export async function buildTestApp(options: TestAirlockOptions = {}): Promise<TestAirlock> {
  const { config, adminToken, dataDir, cleanup } = await prepare(options);
  let app: FastifyInstance;
  try {
    app = await buildApp(config, deps(options, config));
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    app,
    config,
    adminToken,
    dataDir,
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

/** A listening Airlock on a free port. */
export async function startAirlock(options: TestAirlockOptions = {}): Promise<StartedAirlock> {
  const { config, adminToken, dataDir, cleanup } = await prepare(options);
  let server;
  try {
    server = await startServer(config, deps(options, config));
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    app: server.app,
    url: server.url,
    config,
    adminToken,
    dataDir,
    async close() {
      await server.close();
      await cleanup();
    },
  };
}
