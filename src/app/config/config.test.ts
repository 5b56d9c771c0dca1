import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isAirlockError } from '../../core/index.ts';
import { loadConfig } from './load.ts';
import { npmConfigRegistry } from './npm-registry.ts';
import { isLoopbackHost, proxyEnvFor } from '../repositories.ts';

const noDiscovery = async (): Promise<string> => {
  throw new Error('discovery must not run when the upstream is configured');
};

async function withDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-config-'));
  try {
    return await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function loadText(text: string, env: NodeJS.ProcessEnv = {}, discover = noDiscovery) {
  return withDir(async (dir) => {
    const file = join(dir, 'airlock.yaml');
    await writeFile(file, text);
    return loadConfig({ file, env, cwd: dir, discoverNpmRegistry: discover });
  });
}

async function rejects(p: Promise<unknown>, message: RegExp | string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isAirlockError(err, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

test('the minimal file from the README works as written', async () => {
  const c = await loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:4873/\n');
  assert.equal(c.repositories.length, 1);
  const r = c.repositories[0];
  assert.equal(r?.name, 'npm');
  assert.equal(r?.format, 'npm');
  assert.equal(r?.kind, 'proxy');
  assert.equal(r?.upstream, 'http://127.0.0.1:4873/');
  assert.equal(r?.upstreamSource, 'config');
  assert.equal(r?.blockedVersions, 'hide');
  assert.equal(c.server.port, 8080);
  assert.equal(c.access.anonymousRead, true);
  assert.deepEqual(c.policy.paths, []);
  assert.ok(Object.isFrozen(c.repositories[0]));
});

test('unknown keys are errors naming the exact path', async () => {
  await rejects(
    loadText('repositories:\n  - name: npm\n    format: npm\n    upstreem: http://127.0.0.1:4873/\n'),
    /^repositories\[0\]\.upstreem: unknown key/,
  );
  await rejects(loadText('server:\n  prot: 8080\n'), /^server\.prot: unknown key/);
  await rejects(loadText('polcy: {}\n'), /^polcy: unknown key/);
  await rejects(loadText('repositories:\n  - name: npm\n    format: npm\n    timeouts: {conect: 5s}\n'), /^repositories\[0\]\.timeouts\.conect: unknown key/);
});

test('values are checked and bounded, with the path in the error', async () => {
  await rejects(loadText('server:\n  port: 70000\n'), 'server.port: must be between 0 and 65535');
  await rejects(loadText('server:\n  port: "80"\n'), /^server\.port: expected an integer/);
  await rejects(loadText('repositories:\n  - name: npm\n    format: pypi\n    upstream: http://x/\n'), /^repositories\[0\]\.format: expected one of "npm"/);
  await rejects(loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: ftp://x/\n'), /^repositories\[0\]\.upstream: must be an http/);
  await rejects(loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: http://u:p@x/\n'), /must not contain credentials/);
  await rejects(loadText('repositories:\n  - name: Bad Name\n    format: npm\n    upstream: http://x/\n'), /^repositories\[0\]\.name: lower-case/);
  await rejects(
    loadText('repositories:\n  - {name: a, format: npm, upstream: "http://x/"}\n  - {name: a, format: npm, upstream: "http://y/"}\n'),
    /^repositories\[1\]\.name: duplicate repository name/,
  );
  await rejects(loadText('repositories:\n  - name: npm\n    format: npm\n    metadataMaxAge: 5 minutes\n'), /^repositories\[0\]\.metadataMaxAge: invalid duration/);
  await rejects(loadText('version: 2\n'), /^version: unsupported configuration version 2/);
  await rejects(loadText('repositories:\n  - format: npm\n'), 'repositories[0].name: required');
  await rejects(loadText('server: [1, 2]\n'), /^server: expected a mapping, got a list/);
  await rejects(loadText('server:\n  port: 1\n  port: 2\n'), /airlock\.yaml: .*/);
});

test('durations and sizes accept human units', async () => {
  const c = await loadText(
    'repositories:\n  - name: npm\n    format: npm\n    upstream: http://x/\n    metadataMaxAge: 2m\n    maxArtifactSize: 512MB\n    timeouts: {connect: 1500ms, body: 2m}\n',
  );
  const r = c.repositories[0];
  assert.equal(r?.metadataMaxAgeMs, 120_000);
  assert.equal(r?.maxArtifactBytes, 512_000_000);
  assert.equal(r?.timeouts.connectMs, 1500);
  assert.equal(r?.timeouts.bodyMs, 120_000);
  assert.equal(r?.timeouts.headersMs, 30_000);
});

test('environment overrides: sections and repositories by name, YAML scalars', async () => {
  const c = await loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:4873/\n', {
    AIRLOCK_SERVER_PORT: '9090',
    AIRLOCK_SERVER_PUBLIC_URL: 'https://airlock.example.test/',
    AIRLOCK_POLICY_ON_ERROR: 'quarantine',
    AIRLOCK_POLICY_PATHS: '[./a, ./b]',
    AIRLOCK_ACCESS_ANONYMOUS_READ: 'false',
    AIRLOCK_REPOSITORIES_NPM_UPSTREAM: 'http://127.0.0.1:5000',
    AIRLOCK_REPOSITORIES_NPM_TIMEOUTS_CONNECT: '2s',
    AIRLOCK_TOKEN: 'not a config key',
  });
  assert.equal(c.server.port, 9090);
  assert.equal(c.server.publicUrl, 'https://airlock.example.test/');
  assert.equal(c.policy.onError, 'quarantine');
  assert.equal(c.policy.paths.length, 2);
  assert.ok(c.policy.paths[0]?.endsWith('/a'));
  assert.equal(c.access.anonymousRead, false);
  assert.equal(c.repositories[0]?.upstream, 'http://127.0.0.1:5000/');
  assert.equal(c.repositories[0]?.timeouts.connectMs, 2000);
});

test('an environment variable with an unknown key is an error naming it', async () => {
  await rejects(loadText('', { AIRLOCK_SERVER_PROT: '1' }, async () => 'http://127.0.0.1:1/'), /^AIRLOCK_SERVER_PROT: unknown server key/);
  await rejects(loadText('', { AIRLOCK_REPOSITORIES_PYPI_UPSTREAM: 'http://x/' }, async () => 'http://127.0.0.1:1/'), /^AIRLOCK_REPOSITORIES_PYPI_UPSTREAM: names no configured repository/);
});

test('secrets only by reference; never printed', async () => {
  await rejects(
    loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: http://x/\n    upstreamAuth: {token: s3cret-inline}\n'),
    /^repositories\[0\]\.upstreamAuth\.token: secrets must be given by reference/,
  );
  await rejects(
    loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: http://x/\n    upstreamAuth: {token: {env: NPM_UPSTREAM_TOKEN}}\n'),
    'repositories[0].upstreamAuth.token: environment variable NPM_UPSTREAM_TOKEN is not set',
  );
  const c = await loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: http://x/\n    upstreamAuth: {token: {env: NPM_UPSTREAM_TOKEN}}\n', {
    NPM_UPSTREAM_TOKEN: 'tok-123456789',
  });
  const auth = c.repositories[0]?.upstreamAuth;
  assert.equal(auth?.kind, 'bearer');
  if (auth?.kind !== 'bearer') return;
  assert.equal(auth.token.reveal(), 'tok-123456789');
  assert.doesNotMatch(JSON.stringify(c), /tok-123456789/);
  assert.doesNotMatch(inspect(c, { depth: 10 }), /tok-123456789/);
  assert.doesNotMatch(String(auth.token), /tok-123456789/);
});

test('secret files resolve relative to the configuration file', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 'pw'), 'hunter2-password\n');
    await writeFile(join(dir, 'airlock.yaml'), 'repositories:\n  - name: npm\n    format: npm\n    upstream: http://x/\n    upstreamAuth: {username: bot, password: {file: pw}}\n');
    const c = await loadConfig({ file: join(dir, 'airlock.yaml'), env: {}, cwd: '/', discoverNpmRegistry: noDiscovery });
    const auth = c.repositories[0]?.upstreamAuth;
    assert.equal(auth?.kind === 'basic' ? auth.password.reveal() : null, 'hunter2-password');
  });
});

test('AIRLOCK_ADMIN_TOKEN becomes the configured admin token', async () => {
  const c = await loadText('repositories: []\n', { AIRLOCK_ADMIN_TOKEN: 'automation-admin-token-1' });
  assert.equal(c.access.adminToken?.reveal(), 'automation-admin-token-1');
});

test('no configuration: one npm repository whose upstream comes from the npm client', async () => {
  await withDir(async (dir) => {
    let calls = 0;
    const c = await loadConfig({
      env: {},
      cwd: dir,
      discoverNpmRegistry: async () => {
        calls++;
        return 'http://127.0.0.1:4873/';
      },
    });
    assert.equal(calls, 1);
    assert.deepEqual(
      c.repositories.map((r) => [r.name, r.format, r.upstream, r.upstreamSource]),
      [['npm', 'npm', 'http://127.0.0.1:4873/', 'npm-config']],
    );
    assert.equal(c.storage.dataDir, join(dir, 'data'));
  });
});

test('command-line flags win over file and environment', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 'a.yaml'), 'server: {port: 1000, host: 0.0.0.0}\nstorage: {dataDir: /var/lib/x}\nrepositories: []\n');
    const c = await loadConfig({
      file: join(dir, 'a.yaml'),
      env: { AIRLOCK_SERVER_PORT: '2000' },
      cwd: dir,
      flags: { port: 3000, dataDir: 'd', policy: ['p1', 'p2'] },
      discoverNpmRegistry: noDiscovery,
    });
    assert.equal(c.server.port, 3000);
    assert.equal(c.server.host, '0.0.0.0');
    assert.equal(c.storage.dataDir, join(dir, 'd'));
    assert.deepEqual(c.policy.paths, [join(dir, 'p1'), join(dir, 'p2')]);
  });
});

test('npm registry discovery: the real npm client, and a clear error when it fails', async () => {
  const url = await npmConfigRegistry({ ...process.env })();
  assert.match(url, /^https?:\/\/.+\/$/);
  await assert.rejects(npmConfigRegistry({ PATH: '/nonexistent' })(), (err: unknown) => {
    assert.ok(isAirlockError(err, 'CONFIG_INVALID'));
    assert.match(err.message, /set repositories\[\]\.upstream/);
    return true;
  });
});

test('proxy: the environment’s by default, none, or a proxy of its own with its password by reference', async () => {
  const repo = (proxy: string): string => `repositories:\n  - name: npm\n    format: npm\n    upstream: http://x/\n${proxy}`;
  assert.deepEqual((await loadText(repo('')))?.repositories[0]?.proxy, { kind: 'env' });
  assert.deepEqual((await loadText(repo('    proxy: none\n')))?.repositories[0]?.proxy, { kind: 'none' });
  assert.deepEqual((await loadText(repo('    proxy: http://egress.corp:3128\n')))?.repositories[0]?.proxy, { kind: 'url', url: 'http://egress.corp:3128', username: null, password: null });
  const c = await loadText(repo('    proxy: {url: "http://egress.corp:3128/", username: airlock, password: {env: PROXY_PW}}\n'), { PROXY_PW: 'pr0xy-s3cret' });
  const p = c.repositories[0]?.proxy;
  assert.equal(p?.kind, 'url');
  if (p?.kind !== 'url') return;
  assert.equal(p.username, 'airlock');
  assert.equal(p.password?.reveal(), 'pr0xy-s3cret');
  assert.doesNotMatch(JSON.stringify(c), /pr0xy-s3cret/);
  assert.deepEqual(proxyEnvFor(p, {}), { HTTP_PROXY: 'http://airlock:pr0xy-s3cret@egress.corp:3128/', HTTPS_PROXY: 'http://airlock:pr0xy-s3cret@egress.corp:3128/' });

  await rejects(loadText(repo('    proxy: http://user:pw@egress.corp:3128\n')), /^repositories\[0\]\.proxy: must not contain credentials; give username and password/);
  await rejects(loadText(repo('    proxy: socks5://egress.corp:1080\n')), /^repositories\[0\]\.proxy: must be an http:\/\/ or https:\/\/ proxy URL/);
  await rejects(loadText(repo('    proxy: http://egress.corp:3128/path\n')), /^repositories\[0\]\.proxy: must be the proxy's origin only/);
  await rejects(loadText(repo('    proxy: egress\n')), /^repositories\[0\]\.proxy: not a URL: "egress" \(or give env or none\)/);
  await rejects(loadText(repo('    proxy: {url: "http://egress.corp:3128", username: airlock}\n')), /^repositories\[0\]\.proxy: give both username and password, or neither/);
  await rejects(loadText(repo('    proxy: {url: "http://egress.corp:3128", username: airlock, password: inline}\n')), /^repositories\[0\]\.proxy\.password: secrets must be given by reference/);
  await rejects(loadText(repo('    proxy: {host: egress}\n')), /^repositories\[0\]\.proxy\.host: unknown key/);
});

test('proxy from the environment: only the variables Node’s proxy support reads, empty ones left out', () => {
  const env = { HTTP_PROXY: 'http://a:3128', https_proxy: 'http://b:3128', NO_PROXY: 'localhost,.corp', no_proxy: '', ALL_PROXY: 'socks5://c', PATH: '/bin' };
  assert.deepEqual(proxyEnvFor({ kind: 'env' }, env), { HTTP_PROXY: 'http://a:3128', https_proxy: 'http://b:3128', NO_PROXY: 'localhost,.corp' });
  assert.deepEqual(proxyEnvFor({ kind: 'none' }, env), {});
});

test('an upstream on this machine is reached directly, whatever the proxy setting', () => {
  const proxy = { kind: 'url', url: 'http://egress.corp:3128', username: null, password: null } as const;
  for (const host of ['localhost', 'registry.localhost', '127.0.0.1', '127.1.2.3', '[::1]']) {
    assert.ok(isLoopbackHost(new URL(`http://${host}:4873/`).hostname), host);
    assert.deepEqual(proxyEnvFor(proxy, {}, new URL(`http://${host}:4873/`)), {}, host);
    assert.deepEqual(proxyEnvFor({ kind: 'env' }, { HTTP_PROXY: 'http://egress.corp:3128' }, new URL(`http://${host}:4873/`)), {}, host);
  }
  for (const host of ['localhost.example', '128.0.0.1', '10.0.0.1', 'registry.corp', '[::2]']) assert.equal(isLoopbackHost(new URL(`http://${host}/`).hostname), false, host);
  assert.deepEqual(proxyEnvFor(proxy, {}, new URL('https://registry.corp/')), { HTTP_PROXY: 'http://egress.corp:3128/', HTTPS_PROXY: 'http://egress.corp:3128/' });
});
