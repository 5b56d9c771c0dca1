/**
 * An upstream reached through an HTTP forward proxy, as inside a corporate network: configured on
 * the repository (with credentials by reference), or taken from the environment of
 * `airlock serve` (HTTP_PROXY, NO_PROXY), or turned off. Installs use the real npm.
 * The fixture upstream listens on this machine's network address, not on loopback: an upstream on
 * loopback is always reached directly (the last test shows it).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTERNAL_ADDRESS, startForwardProxy, type ForwardProxy } from '../../support/forward-proxy.ts';
import { FixtureRegistry } from '../../support/npm-registry/index.ts';
import { oneRepositoryConfig, serve, serveForTest, unsetting, type RunningServe } from '../../support/serve-process.ts';
import { hasOpenssl, selfSignedCert } from '../../support/tls-cert.ts';
import { FIXTURE_PACKAGES } from '../../npm/helpers.ts';
import { e2e, project } from './support.ts';

const CREDENTIALS = { username: 'airlock', password: 'p@ss:w/rd' };
const ADMIN = { AIRLOCK_ADMIN_TOKEN: 'airlock_proxy_test_admin_token_0123456789' };

const EXTERNAL = EXTERNAL_ADDRESS;
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
async function installThroughServe(t: TestContext, dir: string, name: string, upstream: string, repoExtra: string, env: NodeJS.ProcessEnv): Promise<void> {
  const server = await serveForTest(t, dir, ['--config', await oneRepositoryConfig(dir, name, upstream, repoExtra), '--port', '0'], { env: { ...ADMIN, ...env } });
  const p = await project(`${server.url}/npm/`, dir);
  const r = await p.npm(['install', 'left-pad']);
  assert.equal(r.code, 0, `${r.output}\n${server.stderr()}`);
  await server.stop();
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

  const installThrough = (name: string, repoExtra: string, env: NodeJS.ProcessEnv, upstream = registry.url): Promise<void> => installThroughServe(t, dir, name, upstream, repoExtra, env);
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

/** An https fixture upstream on this machine's network address, its certificate trusted by Airlock through NODE_EXTRA_CA_CERTS. */
async function tlsUpstream(t: TestContext, dir: string): Promise<{ registry: FixtureRegistry; cert: string }> {
  const { key, cert } = selfSignedCert(dir, 'upstream', `IP:${EXTERNAL as string}`);
  const registry = await FixtureRegistry.start(FIXTURE_PACKAGES, 0, { host: EXTERNAL as string, tls: { key: await readFile(key), cert: await readFile(cert) } });
  t.after(() => registry.close());
  return { registry, cert };
}

const needsTls = { skip: EXTERNAL === undefined ? needsExternal.skip : hasOpenssl() ? false : 'openssl is not installed' } as const;

test('an https upstream through the environment’s proxy, its private authority trusted by the repository: a CONNECT tunnel, the proxy sees only the host, npm installs through Airlock', needsTls, async (t) => {
  const proxy = await startForwardProxy();
  t.after(() => proxy.close());
  const dir = await mkdtemp(join(tmpdir(), 'airlock-proxy-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { registry, cert } = await tlsUpstream(t, dir);
  await installThroughServe(t, dir, 'tls', registry.url, `    ca: ${cert}\n`, { HTTPS_PROXY: proxy.url, NO_PROXY: '', NODE_EXTRA_CA_CERTS: undefined });
  const host = new URL(registry.url).host;
  assert.ok(proxy.seen.length > 0 && proxy.seen.every((l) => l === `CONNECT ${host}`), proxy.seen.join('\n'));
  assert.ok(registry.requests.some((q) => q.path === '/left-pad/-/left-pad-1.3.0.tgz'), 'the tarball came from the https upstream');
});

test('a proxy that refuses the CONNECT tunnel for credentials: npm is told it was the proxy, as for plain HTTP', needsTls, async (t) => {
  const proxy = await startForwardProxy(CREDENTIALS);
  t.after(() => proxy.close());
  const dir = await mkdtemp(join(tmpdir(), 'airlock-proxy-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { registry, cert } = await tlsUpstream(t, dir);
  const wrong = new URL(proxy.url);
  wrong.username = CREDENTIALS.username;
  wrong.password = 'wrong';
  const config = await oneRepositoryConfig(dir, 'refused', registry.url);
  const { url } = await serveForTest(t, dir, ['--config', config, '--port', '0'], { env: { ...ADMIN, HTTPS_PROXY: wrong.href, NO_PROXY: '', NODE_EXTRA_CA_CERTS: cert } });
  const p = await project(`${url}/npm/`, dir);
  const r = await p.npm(['install', 'left-pad']);
  assert.notEqual(r.code, 0);
  assert.match(r.output, /502 Bad Gateway - GET \S+\/npm\/left-pad - the proxy to upstream npm refused Airlock \(407 Proxy Authentication Required\) for \/left-pad; check the repository's proxy setting/);
  assert.equal(proxy.refused, proxy.seen.length, 'every CONNECT was refused');
  // npm retries a 502 on its own; Airlock does not retry a refusal for credentials.
  const before = proxy.refused;
  const one = await fetch(`${url}/npm/is-number`);
  assert.equal(one.status, 502);
  assert.equal(proxy.refused - before, 1, 'one request, one CONNECT');
  assert.equal(registry.requests.length, 0);
});

test('without a configuration, airlock serve reaches npm’s registry the way npm does: through npm’s proxy, directly for its noproxy hosts, and not at all when npm hides the proxy’s credentials', needsExternal, async (t) => {
  const proxy = await startForwardProxy();
  t.after(() => proxy.close());
  const registry = await FixtureRegistry.start(FIXTURE_PACKAGES, 0, { host: EXTERNAL as string });
  t.after(() => registry.close());
  const dir = await mkdtemp(join(tmpdir(), 'airlock-proxy-npmrc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const npmrc = join(dir, 'npmrc');
  const env = { ...unsetting(/^(npm_config_(registry|proxy|https_proxy|noproxy|strict_ssl|cafile|ca)|https?_proxy|no_proxy)$/i), npm_config_userconfig: npmrc, npm_config_globalconfig: join(dir, 'no-global-npmrc'), ...ADMIN };
  const start = (name: string): Promise<RunningServe> => serveForTest(t, dir, ['--port', '0', '--data-dir', join(dir, `${name}-data`)], { env });
  const install = async (url: string, stderr: () => string): Promise<void> => {
    const p = await project(`${url}/npm/`, dir);
    const r = await p.npm(['install', 'left-pad']);
    assert.equal(r.code, 0, `${r.output}\n${stderr()}`);
  };

  // npm's https-proxy carries every registry request, http ones too, as npm's own requests go.
  await writeFile(npmrc, `registry=${registry.url}\nhttps-proxy=${proxy.url}/\n`);
  const first = await start('proxied');
  try {
    assert.ok(first.stderr().includes(`airlock: repository npm: upstream ${registry.url}, from npm's registry setting, reached through the proxy ${proxy.url} (npm's proxy setting)`), first.stderr());
    assert.doesNotMatch(first.stderr(), /strict-ssl/);
    await install(first.url, first.stderr);
  } finally {
    await first.stop();
  }
  assert.ok(proxy.seen.includes(`GET ${registry.url}left-pad`), proxy.seen.join('\n'));
  allThroughProxy(proxy, registry);

  // npm's noproxy names the upstream's host: Airlock connects directly, as npm would. npm's
  // strict-ssl=false is not followed, and the start says so.
  const before = proxy.seen.length;
  const requestsBefore = registry.requests.length;
  await writeFile(npmrc, `registry=${registry.url}\nhttps-proxy=${proxy.url}/\nnoproxy=localhost,${EXTERNAL as string}\nstrict-ssl=false\n`);
  const second = await start('noproxy');
  try {
    assert.ok(second.stderr().includes(`reached directly (npm's no-proxy list covers ${new URL(registry.url).host})`), second.stderr());
    assert.ok(second.stderr().includes("airlock: warning: repository npm: npm's strict-ssl setting is false, but Airlock verifies the upstream's certificate all the same;"), second.stderr());
    await install(second.url, second.stderr);
  } finally {
    await second.stop();
  }
  assert.equal(proxy.seen.length, before, 'nothing went through the proxy');
  assert.ok(registry.requests.length > requestsBefore);

  // A proxy with credentials: npm will not print it, so Airlock does not start rather than go around it.
  await writeFile(npmrc, `registry=${registry.url}\nhttps-proxy=http://me:s3cret@${new URL(proxy.url).host}/\n`);
  const refused = serve(dir, ['--port', '0', '--data-dir', join(dir, 'refused-data')], { env });
  const code = await refused.exited;
  assert.notEqual(code, 0);
  assert.match(refused.stderr(), /'npm config get https-proxy proxy noproxy strict-ssl cafile ca' failed \(The https-proxy option is protected, and cannot be retrieved in this way\); give the repository its proxy in the configuration instead/);
  assert.doesNotMatch(refused.stderr(), /s3cret/);
  assert.equal(proxy.seen.length, before);
});
