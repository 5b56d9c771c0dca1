/** Shared setup for npm plugin tests: the fixture registry, a test policy, a real Airlock. */
import { rm } from 'node:fs/promises';
import { writePolicyDir } from '../support/gate-helpers.ts';
import { buildTestApp, startAirlock, type StartedAirlock, type TestAirlock } from '../support/start-airlock.ts';
import { FixtureRegistry, type FixturePackage } from '../support/npm-registry/index.ts';
import { FIXTURE_PACKAGES, NPM_TEST_POLICY } from './fixtures.ts';

export { FIXTURE_PACKAGES, NPM_TEST_POLICY } from './fixtures.ts';

export interface NpmTestEnv {
  readonly registry: FixtureRegistry;
  readonly policyDir: string;
  config(extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

/** `registryHost`: the address the fixture upstream listens on (default 127.0.0.1). */
export async function npmTestEnv(packages: readonly FixturePackage[] = FIXTURE_PACKAGES, registryHost?: string): Promise<NpmTestEnv> {
  const registry = await FixtureRegistry.start(packages, 0, registryHost === undefined ? {} : { host: registryHost });
  const policyDir = await writePolicyDir({ 'test.rego': NPM_TEST_POLICY });
  return {
    registry,
    policyDir,
    config(extra = {}) {
      const repo = { name: 'npm', format: 'npm', upstream: registry.url, ...(extra['repository'] as object | undefined) };
      const rest = { ...extra };
      delete rest['repository'];
      return { repositories: [repo], policy: { paths: [policyDir] }, ...rest };
    },
    async close() {
      await registry.close();
      await rm(policyDir, { recursive: true, force: true });
    },
  };
}

export async function appFor(env: NpmTestEnv, extra: Record<string, unknown> = {}, dataDir?: string): Promise<TestAirlock> {
  return buildTestApp({ config: env.config(extra), ...(dataDir === undefined ? {} : { dataDir }) });
}

export async function serverFor(env: NpmTestEnv, extra: Record<string, unknown> = {}, dataDir?: string): Promise<StartedAirlock> {
  return startAirlock({ config: env.config(extra), ...(dataDir === undefined ? {} : { dataDir }) });
}
