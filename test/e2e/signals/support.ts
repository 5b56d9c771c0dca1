/**
 * Real-client end-to-end support for the risk signals: a fixture npm upstream, a listening
 * Airlock running the BUILT-IN default policy (no test policy) with the signal collectors, the
 * real `npm` and `airlock` CLIs, and small helpers for the admin API.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirlock, type StartedAirlock, type TestAirlockOptions } from '../../support/start-airlock.ts';
import { FixtureRegistry, packageTarball, type FixturePackage, type SigningKey } from '../../support/npm-registry/index.ts';
import { airlockCli, project, type Project, type RunResult } from '../npm/support.ts';

export { airlockCli, type Project, type RunResult } from '../npm/support.ts';

export const DAY = 86_400_000;
export const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared');
export const SUPPLEMENT_2025 = join(SHARED, 'threat-data', 'malicious-packages', 'supplement-2025');
export const OSV_NPM = join(SHARED, 'threat-data', 'malicious-packages', 'osv', 'npm');

/**
 * A real-format OSV record (GitHub's advisory shape) for `@acme/tiny-router`, moderate severity,
 * fixed in 3.0.0 and affecting versions from `introduced` on: the advisory the vulnerability
 * tests import from a feed directory.
 */
export function tinyRouterAdvisory(introduced: string) {
  return {
    id: 'GHSA-m5j9-8c2w-r4hh',
    modified: '2026-05-11T00:00:00Z',
    published: '2026-05-10T00:00:00Z',
    aliases: ['CVE-2026-22001'],
    summary: 'tiny-router: a crafted path takes quadratic time',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
    affected: [{ package: { ecosystem: 'npm', name: '@acme/tiny-router' }, ranges: [{ type: 'SEMVER', events: [{ introduced }, { fixed: '3.0.0' }] }] }],
    database_specific: { severity: 'MODERATE' },
  };
}

/** An ISO time `days` before now (fixture publication times relative to the real clock). */
export function daysAgo(days: number): string {
  return new Date(Date.now() - days * DAY).toISOString();
}

export interface SignalsE2e {
  readonly registry: FixtureRegistry;
  readonly airlock: StartedAirlock;
  /** `http://127.0.0.1:<port>/npm/` */
  readonly registryUrl: string;
  project(): Promise<Project>;
  /** The admin API with the admin token. */
  api<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  /** `airlock <args>` against this server (token and server in the environment). */
  cli(args: readonly string[]): Promise<RunResult>;
  close(): Promise<void>;
}

/**
 * `config.repository` holds settings of the one npm repository (its upstream is the fixture
 * registry); `signingKey`: the key the fixture registry signs with.
 */
export async function signalsE2e(
  options: { packages?: readonly FixturePackage[]; config?: Record<string, unknown>; signingKey?: SigningKey; logger?: TestAirlockOptions['logger']; dataDir?: string; clock?: TestAirlockOptions['clock'] } = {},
): Promise<SignalsE2e> {
  const registry = await FixtureRegistry.start(options.packages ?? [], 0, options.signingKey === undefined ? {} : { key: options.signingKey });
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-signals-e2e-'));
  const { repository, ...extra } = options.config ?? {};
  const airlock = await startAirlock({
    config: {
      repositories: [{ name: 'npm', format: 'npm', upstream: registry.url, ...(repository as object | undefined) }],
      ...extra,
      signals: { feedPoll: '100ms', ...(extra['signals'] as object | undefined) },
    },
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const registryUrl = `${airlock.url}/npm/`;
  return {
    registry,
    airlock,
    registryUrl,
    project: () => project(registryUrl, tmp),
    async api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${airlock.url}/-/api/${path}`, {
        method,
        headers: { authorization: `Bearer ${airlock.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T, headers: res.headers };
    },
    cli: (args) => airlockCli(args, { AIRLOCK_SERVER: airlock.url, AIRLOCK_TOKEN: airlock.adminToken }),
    async close() {
      await airlock.close();
      await registry.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** Polls until `fn` returns a value other than undefined (or fails after `timeoutMs`). */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The quarantine id named in a refusal message. */
export function quarantineIdIn(text: string): string | null {
  return /Quarantine id (\S+?);/.exec(text)?.[1] ?? null;
}

/** Edits a fixture packument (e.g. who published a version) and serves the edited bytes. */
export interface PackumentDoc {
  versions: Record<string, Record<string, unknown>>;
  time: Record<string, string>;
  [key: string]: unknown;
}

export async function editPackument(registry: FixtureRegistry, name: string, edit: (doc: PackumentDoc) => void): Promise<void> {
  const res = await fetch(`${registry.url}${name.replace('/', '%2f')}`, { headers: { accept: 'application/json' } });
  const doc = (await res.json()) as PackumentDoc;
  edit(doc);
  registry.putRawPackument(name, Buffer.from(JSON.stringify(doc)));
}

/** A server outside the registry, serving one package's tarball at any path, and noting each path asked. */
export interface OutsideServer {
  /** `http://127.0.0.1:<port>/<name>-<version>.tgz` */
  readonly url: string;
  readonly integrity: string;
  readonly asked: readonly string[];
}

/**
 * A package never published to the registry, whose postinstall writes OUTSIDE_RAN, served by a
 * server of its own (closed when the test ends): what a dependency from outside the registry brings.
 */
export async function outsideServer(t: TestContext, name: string): Promise<OutsideServer> {
  const pkg = packageTarball({ name, version: '1.0.0', scripts: { postinstall: `node -e "require('fs').writeFileSync('OUTSIDE_RAN', '')"` } });
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(pkg.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}-1.0.0.tgz`,
    integrity: `sha512-${createHash('sha512').update(pkg.bytes).digest('base64')}`,
    asked,
  };
}
