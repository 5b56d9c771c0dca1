/**
 * An upstream reached through an HTTP forward proxy, as inside a corporate network: configured on
 * the repository (with credentials by reference), or taken from the environment of
 * `airlock serve` (HTTP_PROXY, NO_PROXY), or turned off. Installs use the real npm.
 * The fixture upstream listens on this machine's network address, not on loopback: an upstream on
 * loopback is always reached directly (the last test shows it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startForwardProxy, type ForwardProxy } from '../../support/forward-proxy.ts';
import { FixtureRegistry } from '../../support/npm-registry/index.ts';
import { serve } from '../../support/serve-process.ts';
import { FIXTURE_PACKAGES } from '../../npm/helpers.ts';
import { e2e, project } from './support.ts';

const CREDENTIALS = { username: 'airlock', password: 'p@ss:w/rd' };

/** An IPv4 address of this machine that is not loopback, for an upstream a proxy would be used for. */
const EXTERNAL = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
const needsExternal = { skip: EXTERNAL === undefined ? 'this machine has no network address besides loopback' : false } as const;

/** The proxy forwarded every request the upstream received, and no other. */
function allThroughProxy(proxy: ForwardProxy, registry: FixtureRegistry): void {
  const forwarded = proxy.seen.filter((l) => l.startsWith('GET http://'));
  assert.equal(registry.requests.length, forwarded.length, `upstream saw ${registry.requests.length} requests, the proxy forwarded ${forwarded.length}`);
}

/**
 * Start the real `airlock serve` in `dir` with one npm repository (`upstream`, plus `repoExtra`
 * YAML lines) and these environment variables, install left-pad through it with npm, stop it.
 */
async function installThroughServe(dir: string, name: string, upstream: string, repoExtra: string, env: NodeJS.ProcessEnv): Promise<void> {
  const config = join(dir, `${name}.yaml`);
  await writeFile(config, `repositories:\n  - name: npm\n    format: npm\n    upstream: ${upstream}\n${repoExtra}storage:\n  dataDir: ${join(dir, `${name}-data`)}\n`);
  const server = serve(dir, ['--config', config, '--port', '0'], { env: { AIRLOCK_ADMIN_TOKEN: 'airlock_proxy_test_admin_token_0123456789', ...env } });
  try {
    const url = await server.listening;
    const p = await project(`${url}/npm/`, dir);
    const r = await p.npm(['install', 'left-pad']);
    assert.equal(r.code, 0, `${r.output}\n${server.stderr()}`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

test('a proxy on the repository, with credentials by reference: npm installs through Airlock, every upstream request through the proxy', needsExternal, async (t) => {
  const proxy = await startForwardProxy(CREDENTIALS);
  t.after(() => proxy.close());
  const dir = await mkdtemp(join(tmpdir(), 'airlock-proxy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const passwordFile = join(dir, 'proxy-password');
  await writeFile(passwordFile, `${CREDENTIALS.password}\n`);
  const s = await e2e({ registryHost: EXTERNAL as string, config: { repository: { proxy: { url: proxy.url, username: CREDENTIALS.username, password: { file: passwordFile } } } } });
  t.after(() => s.close());

  const p = await s.project();
  const r = await p.npm(['install', 'left-pad', '@acme/widget']);
  assert.equal(r.code, 0, r.output);
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
  const upstream = new URL(s.env.registry.url).host;
  assert.ok(proxy.seen.includes(`GET http://${upstream}/left-pad`), proxy.seen.join('\n'));
  assert.ok(proxy.seen.includes(`GET http://${upstream}/left-pad/-/left-pad-1.3.0.tgz`), proxy.seen.join('\n'));
  assert.equal(proxy.refused, 0);
  allThroughProxy(proxy, s.env.registry);
});

test('a proxy that refuses Airlock’s credentials: npm is told so, and nothing reaches the upstream', needsExternal, async (t) => {
  const proxy = await startForwardProxy(CREDENTIALS);
  t.after(() => proxy.close());
  const dir = await mkdtemp(join(tmpdir(), 'airlock-proxy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'proxy-password'), 'wrong');
  const s = await e2e({ registryHost: EXTERNAL as string, config: { repository: { proxy: { url: proxy.url, username: CREDENTIALS.username, password: { file: join(dir, 'proxy-password') } } } } });
  t.after(() => s.close());
  const p = await s.project();
  const r = await p.npm(['install', 'left-pad']);
  assert.notEqual(r.code, 0);
  assert.match(r.output, /502 Bad Gateway - GET \S+\/npm\/left-pad - the proxy to upstream npm refused Airlock \(407 Proxy Authentication Required\) for \/left-pad; check the repository's proxy setting/);
  assert.ok(proxy.refused > 0);
  assert.equal(s.env.registry.requests.length, 0, 'nothing reached the upstream');
});

test('airlock serve follows HTTP_PROXY from its environment, except for NO_PROXY hosts, a repository set to proxy: none, and an upstream on loopback', needsExternal, async (t) => {
  const proxy = await startForwardProxy();
  t.after(() => proxy.close());
  const registry = await FixtureRegistry.start(FIXTURE_PACKAGES, 0, { host: EXTERNAL as string });
  t.after(() => registry.close());
  const local = await FixtureRegistry.start(FIXTURE_PACKAGES);
  t.after(() => local.close());
  const dir = await mkdtemp(join(tmpdir(), 'airlock-proxy-serve-'));
  t.after(() => rm(dir, { recursive: true, force: true }));

  const installThrough = (name: string, repoExtra: string, env: NodeJS.ProcessEnv, upstream = registry.url): Promise<void> => installThroughServe(dir, name, upstream, repoExtra, env);
  await installThrough('env', '', { HTTP_PROXY: proxy.url, NO_PROXY: '' });
  assert.ok(proxy.seen.some((l) => l.startsWith(`GET ${registry.url}left-pad`)), proxy.seen.join('\n'));
  allThroughProxy(proxy, registry);

  const before = proxy.seen.length;
  await installThrough('no-proxy', '', { HTTP_PROXY: proxy.url, NO_PROXY: EXTERNAL });
  await installThrough('none', '    proxy: none\n', { http_proxy: proxy.url });
  await installThrough('loopback', `    proxy: ${proxy.url}\n`, { HTTP_PROXY: proxy.url, NO_PROXY: '' }, local.url);
  assert.equal(proxy.seen.length, before, 'NO_PROXY, proxy: none and a loopback upstream connect directly');
  assert.ok(local.requests.length > 0);
});

/** Whether openssl is there to make the HTTPS upstream's certificate. */
function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test(
  'an https upstream through the environment’s proxy: a CONNECT tunnel, the proxy sees only the host, npm installs through Airlock',
  { skip: EXTERNAL === undefined ? needsExternal.skip : hasOpenssl() ? false : 'openssl is not installed' },
  async (t) => {
    const proxy = await startForwardProxy();
    t.after(() => proxy.close());
    const dir = await mkdtemp(join(tmpdir(), 'airlock-proxy-tls-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    // A certificate for the upstream's address, trusted by Airlock through NODE_EXTRA_CA_CERTS.
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=airlock-test-upstream', '-addext', `subjectAltName=IP:${EXTERNAL as string}`], { stdio: 'ignore' });
    const registry = await FixtureRegistry.start(FIXTURE_PACKAGES, 0, { host: EXTERNAL as string, tls: { key: await readFile(key), cert: await readFile(cert) } });
    t.after(() => registry.close());
    await installThroughServe(dir, 'tls', registry.url, '', { HTTPS_PROXY: proxy.url, NO_PROXY: '', NODE_EXTRA_CA_CERTS: cert });
    const host = new URL(registry.url).host;
    assert.ok(proxy.seen.length > 0 && proxy.seen.every((l) => l === `CONNECT ${host}`), proxy.seen.join('\n'));
    assert.ok(registry.requests.some((q) => q.path === '/left-pad/-/left-pad-1.3.0.tgz'), 'the tarball came from the https upstream');
  },
);
