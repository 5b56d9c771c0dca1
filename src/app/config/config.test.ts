import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isAirlockError } from '../../core/index.ts';
import { hostname } from 'node:os';
import { leadsToThisServer, loadConfig } from './load.ts';
import { npmConfigConnection, npmConfigRegistry, npmRegistryWithout, parseNpmConnectionConfig, type NpmConnectionSettings } from './npm-client.ts';
import { bypassesProxy, isLoopbackHost, proxyEnvFor, routeFor, upstreamRoute } from '../upstream-proxy.ts';
import { trustSettings } from '../repository-trust.ts';
import { registryKeySet, SIGSTORE_TUF_URL, type RegistryKeyUsage } from '../../verify/index.ts';
import { Secret } from './secret.ts';
import { hasOpenssl, selfSignedCert } from '../../../test/support/tls-cert.ts';
import type { AirlockConfig, ProxyConfig, ProxyRepositoryConfig, ServerConfig, TrustedRegistryKeys } from './types.ts';

const noDiscovery = async (): Promise<string> => {
  throw new Error('discovery must not run when the upstream is configured');
};
const noFallback = async (): Promise<string> => {
  throw new Error('npm’s default registry is asked for only when its registry setting leads to this Airlock');
};
const noConnectionDiscovery = async (): Promise<NpmConnectionSettings> => {
  throw new Error('npm must not be asked for its proxy unless a repository follows npm');
};

async function withDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-config-'));
  try {
    return await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function loadText(text: string, env: NodeJS.ProcessEnv = {}, discover = noDiscovery, discoverProxy = noConnectionDiscovery) {
  return withDir(async (dir) => {
    const file = join(dir, 'airlock.yaml');
    await writeFile(file, text);
    return proxiesOnly(await loadConfig({ file, env, cwd: dir, npm: { registry: discover, connection: discoverProxy, registryWithout: noFallback } }));
  });
}

/** loadConfig, for proxy repositories only. */
async function loadProxies(options: Parameters<typeof loadConfig>[0]): Promise<ProxiesConfig> {
  return proxiesOnly(await loadConfig(options));
}

type ProxiesConfig = Omit<AirlockConfig, 'repositories'> & { readonly repositories: readonly ProxyRepositoryConfig[] };

/** The configuration of proxy repositories only, as their own type (a hosted one fails the test). */
function proxiesOnly(c: AirlockConfig): ProxiesConfig {
  for (const r of c.repositories) assert.equal(r.kind, 'proxy', `repository ${r.name} is a proxy`);
  return c as ProxiesConfig;
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

/** loadConfig of a text holding repositories of every kind; npm is never asked (it would throw). */
function loadAnyKind(text: string): Promise<AirlockConfig> {
  return withDir(async (dir) => {
    const file = join(dir, 'airlock.yaml');
    await writeFile(file, text);
    return loadConfig({ file, env: {}, cwd: dir, npm: { registry: noDiscovery, connection: noConnectionDiscovery, registryWithout: noFallback } });
  });
}

test('a hosted repository: no upstream and nothing about reaching one; its own defaults and bounds', async () => {
  const load = loadAnyKind;
  const c = await load('repositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:4873/\n  - name: internal\n    format: npm\n    kind: hosted\n');
  assert.deepEqual(c.repositories[1], {
    name: 'internal',
    format: 'npm',
    kind: 'hosted',
    metadataMaxAgeMs: 10_000,
    blockedVersions: 'hide',
    maxArtifactBytes: 64 * 1024 ** 2,
    maxMetadataBytes: 16 * 1024 ** 2,
    unpublish: 'admin',
  });
  const publishers = await load('repositories:\n  - name: internal\n    format: npm\n    kind: hosted\n    unpublish: publisher\n');
  assert.equal(publishers.repositories[0]?.kind === 'hosted' && publishers.repositories[0].unpublish, 'publisher');
  await assert.rejects(load('repositories:\n  - name: internal\n    format: npm\n    kind: hosted\n    unpublish: anyone\n'), (err: unknown) => {
    assert.ok(isAirlockError(err, 'CONFIG_INVALID'));
    assert.match(err.message, /^repositories\[0\]\.unpublish: /);
    return true;
  });
  // A proxy takes neither a hosted repository's keys nor a group's.
  for (const [key, why] of [['unpublish: publisher', 'only for a hosted repository'], ['members: [npm]', 'only for a group repository'], ['publishTo: npm', 'only for a group repository']] as const) {
    await assert.rejects(load(`repositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:4873/\n    ${key}\n`), (err: unknown) => {
      assert.ok(isAirlockError(err, 'CONFIG_INVALID'));
      assert.match(err.message, new RegExp(`^repositories\\[0\\]\\.${key.split(':')[0]}: ${why}`));
      return true;
    });
  }
  // npm's registry is not asked for: a hosted repository needs none (noDiscovery would throw).
  const alone = await load('repositories:\n  - name: internal\n    format: npm\n    kind: hosted\n    maxArtifactSize: 10MiB\n    metadataMaxAge: 0s\n');
  const only = alone.repositories[0];
  assert.equal(only?.kind, 'hosted');
  assert.equal(only.maxArtifactBytes, 10 * 1024 ** 2);
  assert.equal(only.metadataMaxAgeMs, 0);
  for (const key of ['upstream: http://127.0.0.1:4873/', 'upstreamAuth: {bearer: env:TOKEN}', 'proxy: none', 'timeouts: {connect: 1s}', 'registryKeys: []']) {
    await assert.rejects(load(`repositories:\n  - name: internal\n    format: npm\n    kind: hosted\n    ${key}\n`), (err: unknown) => {
      assert.ok(isAirlockError(err, 'CONFIG_INVALID'));
      assert.match(err.message, new RegExp(`^repositories\\[0\\]\\.${key.split(':')[0]}: not for a hosted repository: it has no upstream`));
      return true;
    });
  }
  await rejects(load('repositories:\n  - name: internal\n    format: npm\n    kind: hosted\n    maxArtifactSize: 1GiB\n'), /^repositories\[0\]\.maxArtifactSize: /);
  await rejects(load('repositories:\n  - name: internal\n    format: npm\n    kind: hosted\n    maxMetadataSize: 128MiB\n'), /^repositories\[0\]\.maxMetadataSize: /);
  await rejects(load('repositories:\n  - name: internal\n    format: npm\n    kind: mirror\n'), /^repositories\[0\]\.kind: expected one of "proxy", "hosted", "group"/);
});

test('a group repository names its members in lookup order and may publish to a hosted one; every reference is checked', async () => {
  const load = loadAnyKind;
  const members = [
    'repositories:',
    '  - name: npm',
    '    format: npm',
    '    upstream: http://127.0.0.1:4873/',
    '  - name: internal',
    '    format: npm',
    '    kind: hosted',
    '  - name: mirror',
    '    format: npm',
    '    upstream: http://127.0.0.1:4874/',
  ].join('\n');
  const group = (extra: string) => load(`${members}\n  - name: all\n    format: npm\n    kind: group\n${extra}`);
  const config = await group('    members: [internal, npm]\n    publishTo: internal\n');
  assert.deepEqual(config.repositories[3], { name: 'all', format: 'npm', kind: 'group', members: ['internal', 'npm'], publishTo: 'internal' });
  assert.equal(((await group('    members: [npm]\n')).repositories[3] as { publishTo: unknown }).publishTo, null);
  // A group declared before its members is fine: references are checked once every repository is read.
  const first = await load(`repositories:\n  - name: all\n    format: npm\n    kind: group\n    members: [npm]\n${members.slice('repositories:\n'.length)}\n`);
  assert.equal(first.repositories[0]?.kind, 'group');

  await rejects(group(''), /^repositories\[3\]\.members: required/);
  await rejects(group('    members: []\n'), /^repositories\[3\]\.members: needs at least one repository/);
  await rejects(group('    members: [internal, nope]\n'), /^repositories\[3\]\.members\[1\]: no repository is named "nope"/);
  await rejects(group('    members: [npm, npm]\n'), /^repositories\[3\]\.members\[1\]: npm is listed twice/);
  await rejects(group('    members: [all]\n'), /^repositories\[3\]\.members\[0\]: all is a group/);
  await rejects(group('    members: [npm]\n    publishTo: internal\n'), /^repositories\[3\]\.publishTo: internal is not a member of the group/);
  await rejects(group('    members: [internal, npm]\n    publishTo: npm\n'), /^repositories\[3\]\.publishTo: npm is a proxy: only a hosted repository takes publishes/);
  for (const key of ['upstream: http://127.0.0.1:4873/', 'metadataMaxAge: 1m', 'blockedVersions: show']) {
    await rejects(group(`    members: [npm]\n    ${key}\n`), new RegExp(`^repositories\\[3\\]\\.${key.split(':')[0]}: not for a group repository: its members serve the packages`));
  }
});

test('a hosted pypi repository takes uploads streamed to the store; a pypi group names pypi members and publishes to a hosted one', async () => {
  const load = loadAnyKind;
  const hosted = (await load('repositories:\n  - {name: internal, format: pypi, kind: hosted}\n')).repositories[0];
  assert.ok(hosted !== undefined && hosted.kind === 'hosted');
  // PyPI's own file size limit by default; up to 4 GiB.
  assert.deepEqual([hosted.format, hosted.maxArtifactBytes, hosted.metadataMaxAgeMs, hosted.blockedVersions], ['pypi', 100 * 1024 ** 2, 10_000, 'show']);
  const big = (await load('repositories:\n  - {name: internal, format: pypi, kind: hosted, maxArtifactSize: 2GiB}\n')).repositories[0];
  assert.equal(big?.kind === 'hosted' ? big.maxArtifactBytes : 0, 2 * 1024 ** 3);
  await rejects(load('repositories:\n  - {name: internal, format: pypi, kind: hosted, maxArtifactSize: 5GiB}\n'), /^repositories\[0\]\.maxArtifactSize/);
  // Who may remove a release: admins by default, as for npm and oci.
  assert.equal(hosted.unpublish, 'admin');
  const removable = (await load('repositories:\n  - {name: internal, format: pypi, kind: hosted, unpublish: publisher}\n')).repositories[0];
  assert.equal(removable?.kind === 'hosted' ? removable.unpublish : null, 'publisher');
  await rejects(load('repositories:\n  - {name: internal, format: pypi, kind: hosted, unpublish: anyone}\n'), /^repositories\[0\]\.unpublish/);
  await rejects(load('repositories:\n  - {name: internal, format: pypi, kind: hosted, upstream: "https://pypi.org/simple/"}\n'), /^repositories\[0\]\.upstream: not for a hosted repository/);

  const members = 'repositories:\n  - {name: pypi, format: pypi, upstream: "https://pypi.org/simple/"}\n  - {name: internal, format: pypi, kind: hosted}\n  - {name: npm-internal, format: npm, kind: hosted}\n';
  const config = await load(`${members}  - {name: python, format: pypi, kind: group, members: [internal, pypi], publishTo: internal}\n`);
  assert.deepEqual(config.repositories[3], { name: 'python', format: 'pypi', kind: 'group', members: ['internal', 'pypi'], publishTo: 'internal' });
  await rejects(load(`${members}  - {name: python, format: pypi, kind: group, members: [internal, npm-internal]}\n`), /^repositories\[3\]\.members\[1\]: npm-internal is a npm repository, the group is pypi/);
  await rejects(load(`${members}  - {name: python, format: pypi, kind: group, members: [internal, pypi], publishTo: pypi}\n`), /^repositories\[3\]\.publishTo: pypi is a proxy: only a hosted repository takes publishes/);
});

test('an oci group names oci members in order and pushes to a hosted one; it has no settings of its own', async () => {
  const oci = 'repositories:\n  - {name: hub, format: oci, upstream: "http://x/"}\n  - {name: images, format: oci, kind: hosted}\n  - {name: npm, format: npm, upstream: "http://y/"}\n';
  const group = (await loadAnyKind(`${oci}  - {name: all, format: oci, kind: group, members: [images, hub], publishTo: images}\n`)).repositories[3];
  assert.deepEqual(group, { name: 'all', format: 'oci', kind: 'group', members: ['images', 'hub'], publishTo: 'images' });
  await rejects(loadAnyKind(`${oci}  - {name: all, format: oci, kind: group, members: [images, npm]}\n`), /^repositories\[3\]\.members\[1\]: npm is a npm repository, the group is oci/);
  await rejects(loadAnyKind(`${oci}  - {name: all, format: oci, kind: group, members: [images, hub], publishTo: hub}\n`), /^repositories\[3\]\.publishTo: hub is a proxy: only a hosted repository takes publishes/);
  await rejects(loadAnyKind(`${oci}  - {name: all, format: oci, kind: group, members: [hub], cosignKeys: []}\n`), /^repositories\[3\]\.cosignKeys: not for a group repository/);
});

test('unknown keys are errors naming the exact path', async () => {
  await rejects(
    loadText('repositories:\n  - name: npm\n    format: npm\n    upstreem: http://127.0.0.1:4873/\n'),
    /^repositories\[0\]\.upstreem: unknown key/,
  );
  await rejects(loadText('server:\n  prot: 8080\n'), /^server\.prot: unknown key/);
  await rejects(loadText('polcy: {}\n'), /^polcy: unknown key/);
  await rejects(loadText('repositories:\n  - name: npm\n    format: npm\n    timeouts: {conect: 5s}\n'), /^repositories\[0\]\.timeouts\.conect: unknown key/);
  // A key that is no plain name is quoted, its control characters escaped, and cut: a 100,000-character key made a message as long.
  await rejects(loadText(`server:\n  ? ${'k'.repeat(100_000)}\n  : 1\n`), new RegExp(`^server\\."${'k'.repeat(64)}…": unknown key \\(expected one of: [^)]*\\)$`));
  await rejects(loadText('server:\n  "a\\nb\\u001b[2J": 1\n'), /^server\."a\\nb\\u001b\[2J": unknown key/);
});

test('server.audits sizes the npm audit admission: 2 at once and 64 waiting by default, each bounded', async () => {
  const repos = 'repositories:\n  - {name: npm, format: npm, upstream: http://127.0.0.1:4873/}\n';
  assert.deepEqual((await loadText(`server: {}\n${repos}`)).server.audits, { concurrency: 2, queue: 64 });
  assert.deepEqual((await loadText(`server:\n  audits: {concurrency: 4, queue: 0}\n${repos}`)).server.audits, { concurrency: 4, queue: 0 });
  await rejects(loadText('server:\n  audits: {concurrency: 0}\n'), /^server\.audits\.concurrency: /);
  await rejects(loadText('server:\n  audits: {queue: 10001}\n'), /^server\.audits\.queue: /);
  await rejects(loadText('server:\n  audits: {width: 2}\n'), /^server\.audits\.width: unknown key/);
});

test('values are checked and bounded, with the path in the error', async () => {
  await rejects(loadText('server:\n  port: 70000\n'), 'server.port: must be between 0 and 65535');
  await rejects(loadText('server:\n  port: "80"\n'), /^server\.port: expected an integer/);
  await rejects(loadText('repositories:\n  - name: npm\n    format: maven\n    upstream: http://x/\n'), /^repositories\[0\]\.format: expected one of "npm", "pypi"/);
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
  // A setting left out where one is needed (found by fuzzing: "got a undefined").
  await rejects(loadText('storage:\n  metadata: {schema: airlock}\n'), 'storage.metadata.driver: expected one of "sqlite", "postgres", got nothing');
  await rejects(loadText('server:\n  port: 1\n  port: 2\n'), /airlock\.yaml: .*/);
});

test('policy.data: any key is data, as in OPA, __proto__ too', async () => {
  const c = await loadText('repositories: []\npolicy:\n  data:\n    __proto__: {x: 1}\n    allow: {__proto__: [a]}\n');
  assert.equal(JSON.stringify(c.policy.data), '{"__proto__":{"x":1},"allow":{"__proto__":["a"]}}');
  assert.equal(Object.getPrototypeOf(c.policy.data), Object.prototype);
});

test('a pypi repository: a proxy of the index it names, files from another origin only when named, withheld versions listed as yanked', async () => {
  const c = await loadText('repositories:\n  - name: pypi\n    format: pypi\n    upstream: https://pypi.org/simple/\n    filesUpstream: https://files.pythonhosted.org/\n');
  const r = c.repositories[0];
  assert.ok(r !== undefined && r.kind === 'proxy');
  assert.deepEqual([r.format, r.upstream, r.filesUpstream, r.blockedVersions, r.upstreamSource], ['pypi', 'https://pypi.org/simple/', 'https://files.pythonhosted.org/', 'show', 'config']);
  const own = await loadText('repositories:\n  - {name: py, format: pypi, upstream: "http://mirror.corp/simple/", blockedVersions: hide}\n');
  assert.deepEqual([own.repositories[0]?.blockedVersions, own.repositories[0]?.kind === 'proxy' ? own.repositories[0].filesUpstream : 'x'], ['hide', null]);
  await rejects(loadText('repositories:\n  - {name: py, format: pypi}\n'), /^repositories\[0\]\.upstream: required for a pypi repository: the simple index to proxy/);
  await rejects(loadText('repositories:\n  - {name: py, format: pypi, upstream: "http://x/", registryKeys: none}\n'), /^repositories\[0\]\.registryKeys: npm's registry signatures: not for a pypi repository/);
  await rejects(loadText('repositories:\n  - {name: npm, format: npm, upstream: "http://x/", filesUpstream: "http://y/"}\n'), /^repositories\[0\]\.filesUpstream: only for a pypi repository/);
  await rejects(loadText('repositories:\n  - {name: py, format: pypi, upstream: "http://x/", filesUpstream: "ftp://y/"}\n'), /^repositories\[0\]\.filesUpstream: must be an http/);
});

test('a hosted oci repository: pushes streamed to the store, so layer-sized blobs; deletes as unpublish says', async () => {
  const c = await loadAnyKind('repositories:\n  - {name: images, format: oci, kind: hosted}\n');
  const r = c.repositories[0];
  assert.ok(r !== undefined && r.kind === 'hosted');
  assert.deepEqual([r.format, r.maxArtifactBytes, r.maxMetadataBytes, r.unpublish, r.cosignKeys], ['oci', 16 * 1024 ** 3, 16 * 1024 ** 2, 'admin', []]);
  const own = (await loadAnyKind('repositories:\n  - {name: images, format: oci, kind: hosted, maxArtifactSize: 1GiB, unpublish: publisher}\n')).repositories[0];
  assert.deepEqual(own?.kind === 'hosted' ? [own.maxArtifactBytes, own.unpublish] : [], [1024 ** 3, 'publisher']);
  await rejects(loadAnyKind('repositories:\n  - {name: images, format: oci, kind: hosted, upstream: "http://x/"}\n'), /^repositories\[0\]\.upstream: not for a hosted repository/);
  await rejects(loadAnyKind('repositories:\n  - {name: images, format: oci, kind: hosted, defaultNamespace: library}\n'), /^repositories\[0\]\.defaultNamespace: not for a hosted repository/);
  await rejects(loadAnyKind('repositories:\n  - {name: internal, format: npm, kind: hosted, cosignKeys: []}\n'), /^repositories\[0\]\.cosignKeys: only for an oci repository/);
});

test('a huggingface repository: a proxy of the Hub it names, model-sized files by default', async () => {
  const c = await loadText('repositories:\n  - name: huggingface\n    format: huggingface\n    upstream: https://huggingface.co/\n');
  const r = c.repositories[0];
  assert.ok(r !== undefined && r.kind === 'proxy');
  assert.deepEqual([r.format, r.upstream, r.maxArtifactBytes, r.upstreamSource], ['huggingface', 'https://huggingface.co/', 64 * 1024 ** 3, 'config']);
  const small = await loadText('repositories:\n  - {name: hf, format: huggingface, upstream: "http://mirror.corp/", maxArtifactSize: 2GiB}\n');
  assert.equal(small.repositories[0]?.maxArtifactBytes, 2 * 1024 ** 3);
  await rejects(loadText('repositories:\n  - {name: hf, format: huggingface}\n'), /^repositories\[0\]\.upstream: required for a huggingface repository: the Hub to proxy/);
  await rejects(loadText('repositories:\n  - {name: hf, format: huggingface, kind: hosted}\n'), /^repositories\[0\]\.kind: a huggingface repository is a proxy of the Hub for now/);
  await rejects(loadText('repositories:\n  - {name: hf, format: huggingface, upstream: "http://x/", blockedVersions: hide}\n'), /^repositories\[0\]\.blockedVersions: not for a huggingface repository/);
  await rejects(loadText('repositories:\n  - {name: hf, format: huggingface, upstream: "http://x/", filesUpstream: "http://y/"}\n'), /^repositories\[0\]\.filesUpstream: not for a huggingface proxy repository/);
});

test('a huggingface repository: model signing keys and certificate authorities read from files next to the configuration', async () => {
  await withDir(async (dir) => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    // Text around the block, as certtool writes it, is left out.
    await writeFile(join(dir, 'models.pub.pem'), `Public Key Info:\n\tPublic Key Algorithm: EC/ECDSA\n${pem}`);
    await writeFile(join(dir, 'not-a-key.pem'), 'hello\n');
    const file = join(dir, 'airlock.yaml');
    const load = async (signing: string) => {
      await writeFile(file, `repositories:\n  - {name: hf, format: huggingface, upstream: "http://hub.corp/", modelSigning: ${signing}}\n`);
      return loadConfig({ file, env: {}, cwd: dir, npm: { registry: noDiscovery, connection: noConnectionDiscovery, registryWithout: noFallback } });
    };
    const c = await load('{keys: [models.pub.pem]}');
    const r = c.repositories[0];
    assert.ok(r !== undefined && r.kind === 'proxy');
    assert.deepEqual(r.modelSigning, { keys: [pem], certificateAuthorities: [] });
    await rejects(load('{keys: [not-a-key.pem]}'), /^repositories\[0\]\.modelSigning\.keys\[0\]: .*not-a-key\.pem holds no PEM public key/);
    await rejects(load('{keys: [missing.pem]}'), /^repositories\[0\]\.modelSigning\.keys\[0\]: .*missing\.pem does not exist/);
    await rejects(load('{key: [models.pub.pem]}'), /^repositories\[0\]\.modelSigning\.key: unknown key/);
  });
  await rejects(loadText('repositories:\n  - {name: npm, format: npm, upstream: "http://x/", modelSigning: {keys: []}}\n'), /^repositories\[0\]\.modelSigning: only for a huggingface repository/);
});

test('an oci repository: a proxy of the registry it names, served below /v2/, with cosign keys from files', async () => {
  const c = await loadText('repositories:\n  - {name: dockerhub, format: oci, upstream: "https://registry-1.docker.io/"}\n');
  const r = c.repositories[0];
  assert.ok(r !== undefined && r.kind === 'proxy');
  assert.deepEqual([r.format, r.upstream, r.maxArtifactBytes, r.maxMetadataBytes, r.cosignKeys], ['oci', 'https://registry-1.docker.io/', 16 * 1024 ** 3, 4 * 1024 ** 2, []]);
  await rejects(loadText('repositories:\n  - {name: oci, format: oci}\n'), /^repositories\[0\]\.upstream: required for an oci repository: the registry to proxy/);
  await rejects(loadText('repositories:\n  - {name: oci, format: oci, upstream: "http://x/", blockedVersions: hide}\n'), /^repositories\[0\]\.blockedVersions: not for an oci repository/);
  await rejects(loadText('repositories:\n  - {name: v2, format: oci, upstream: "http://x/"}\n'), /^repositories\[0\]\.name: reserved/);
  await rejects(loadText('repositories:\n  - {name: npm, format: npm, upstream: "http://x/", cosignKeys: []}\n'), /^repositories\[0\]\.cosignKeys: only for an oci repository/);
  // Docker Hub's one-component names are its official images (library/…); elsewhere no namespace is assumed.
  const hub = (await loadText('repositories:\n  - {name: hub, format: oci, upstream: "https://registry-1.docker.io/"}\n')).repositories[0];
  assert.equal(hub !== undefined && hub.kind === 'proxy' ? hub.defaultNamespace : 'x', 'library');
  const ghcr = (await loadText('repositories:\n  - {name: ghcr, format: oci, upstream: "https://ghcr.io/", defaultNamespace: acme}\n')).repositories[0];
  assert.equal(ghcr !== undefined && ghcr.kind === 'proxy' ? ghcr.defaultNamespace : 'x', 'acme');
  const off = (await loadText('repositories:\n  - {name: hub, format: oci, upstream: "https://registry-1.docker.io/", defaultNamespace: null}\n')).repositories[0];
  assert.equal(off !== undefined && off.kind === 'proxy' ? off.defaultNamespace : 'x', null);
  await rejects(loadText('repositories:\n  - {name: hub, format: oci, upstream: "http://x/", defaultNamespace: "Library"}\n'), /^repositories\[0\]\.defaultNamespace: /);
  await withDir(async (dir) => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await writeFile(join(dir, 'release.pub.pem'), pem);
    const file = join(dir, 'airlock.yaml');
    await writeFile(file, 'repositories:\n  - {name: ghcr, format: oci, upstream: "https://ghcr.io/", cosignKeys: [release.pub.pem]}\n');
    const loaded = await loadConfig({ file, env: {}, cwd: dir, npm: { registry: noDiscovery, connection: noConnectionDiscovery, registryWithout: noFallback } });
    const g = loaded.repositories[0];
    assert.ok(g !== undefined && g.kind === 'proxy');
    assert.deepEqual(g.cosignKeys, [pem]);
    await writeFile(file, 'repositories:\n  - {name: ghcr, format: oci, upstream: "https://ghcr.io/", cosignKeys: [missing.pem]}\n');
    await rejects(loadConfig({ file, env: {}, cwd: dir, npm: { registry: noDiscovery, connection: noConnectionDiscovery, registryWithout: noFallback } }), /^repositories\[0\]\.cosignKeys\[0\]: .*missing\.pem does not exist/);
  });
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

test('storage sweep: daily with a day’s grace by default, a grace of an hour at least; 0 turns it off; under a second is refused; the environment sets it; artifact retention never by default, at least an hour', async () => {
  const base = 'repositories: []\n';
  const d = await loadText(base);
  assert.deepEqual([d.storage.sweepEveryMs, d.storage.sweepGraceMs], [86_400_000, 86_400_000]);
  const set = await loadText(`${base}storage: {sweepEvery: 6h, sweepGrace: 2h}\n`);
  assert.deepEqual([set.storage.sweepEveryMs, set.storage.sweepGraceMs], [21_600_000, 7_200_000]);
  assert.equal((await loadText(`${base}storage: {sweepEvery: 0}\n`)).storage.sweepEveryMs, 0);
  assert.equal((await loadText(base, { AIRLOCK_STORAGE_SWEEP_EVERY: '0' })).storage.sweepEveryMs, 0);
  await rejects(loadText(`${base}storage: {sweepEvery: 500ms}\n`), 'storage.sweepEvery: must be 0 (never) or at least 1s');
  assert.equal(d.storage.artifactRetentionMs, null, 'artifact bytes are kept by default');
  assert.equal((await loadText(`${base}storage: {artifactRetention: never}\n`)).storage.artifactRetentionMs, null);
  assert.equal((await loadText(`${base}storage: {artifactRetention: 90d}\n`)).storage.artifactRetentionMs, 90 * 86_400_000);
  assert.equal((await loadText(base, { AIRLOCK_STORAGE_ARTIFACT_RETENTION: '30d' })).storage.artifactRetentionMs, 30 * 86_400_000);
  await rejects(loadText(`${base}storage: {artifactRetention: 10m}\n`), /^storage\.artifactRetention: must be between 1h and 3650d$/);
  await rejects(loadText(`${base}storage: {artifactRetention: forever}\n`), /^storage\.artifactRetention: /);
  await rejects(loadText(`${base}storage: {sweepGrace: soon}\n`), /storage\.sweepGrace: invalid duration/);
  // A running gateway sweeps while it writes: a blob is committed before its record, and a push
  // uploads its layers before its manifest. The grace is what keeps those.
  for (const grace of ['0s', '30m']) await rejects(loadText(`${base}storage: {sweepGrace: ${grace}}\n`), /^storage\.sweepGrace: must be between 1h and 365d$/);
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
    const c = await loadProxies({ file: join(dir, 'airlock.yaml'), env: {}, cwd: '/', npm: { registry: noDiscovery, connection: noConnectionDiscovery } });
    const auth = c.repositories[0]?.upstreamAuth;
    assert.equal(auth?.kind === 'basic' ? auth.password.reveal() : null, 'hunter2-password');
  });
});

test('AIRLOCK_ADMIN_TOKEN becomes the configured admin token', async () => {
  const c = await loadText('repositories: []\n', { AIRLOCK_ADMIN_TOKEN: 'automation-admin-token-1' });
  assert.equal(c.access.adminToken?.reveal(), 'automation-admin-token-1');
});

test('no configuration: one npm repository whose upstream and proxy come from the npm client', async () => {
  await withDir(async (dir) => {
    let calls = 0;
    let proxyCalls = 0;
    const c = await loadProxies({
      env: {},
      cwd: dir,
      npm: {
        registry: async () => {
          calls++;
          return 'http://registry.corp:4873/';
        },
        connection: async () => {
          proxyCalls++;
          return { proxy: 'http://egress.corp:3128', noProxy: '.corp.internal', ca: null };
        },
        registryWithout: noFallback,
      },
    });
    assert.deepEqual([calls, proxyCalls], [1, 1]);
    assert.deepEqual(
      c.repositories.map((r) => [r.name, r.format, r.upstream, r.upstreamSource, r.proxy]),
      [['npm', 'npm', 'http://registry.corp:4873/', 'npm-config', { kind: 'npm', proxy: 'http://egress.corp:3128', noProxy: '.corp.internal' }]],
    );
    assert.equal(c.storage.dataDir, join(dir, 'data'));
  });
});

test('command-line flags win over file and environment', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 'a.yaml'), 'server: {port: 1000, host: 0.0.0.0}\nstorage: {dataDir: /var/lib/x}\nrepositories: []\n');
    const c = await loadProxies({
      file: join(dir, 'a.yaml'),
      env: { AIRLOCK_SERVER_PORT: '2000' },
      cwd: dir,
      flags: { port: 3000, dataDir: 'd', policy: ['p1', 'p2'] },
      npm: { registry: noDiscovery, connection: noConnectionDiscovery },
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

test('proxy: the environment’s by default, npm’s, none, or a proxy of its own with its password by reference', async () => {
  const repo = (proxy: string): string => `repositories:\n  - name: npm\n    format: npm\n    upstream: http://x/\n${proxy}`;
  assert.deepEqual((await loadText(repo('')))?.repositories[0]?.proxy, { kind: 'env' });
  assert.deepEqual((await loadText(repo('    proxy: none\n')))?.repositories[0]?.proxy, { kind: 'none' });
  const npmProxy = async (): Promise<NpmConnectionSettings> => ({ proxy: null, noProxy: 'registry.corp', ca: null });
  assert.deepEqual((await loadText(repo('    proxy: npm\n'), {}, noDiscovery, npmProxy))?.repositories[0]?.proxy, { kind: 'npm', proxy: null, noProxy: 'registry.corp' });
  assert.deepEqual((await loadText(repo('    proxy: http://egress.corp:3128\n')))?.repositories[0]?.proxy, { kind: 'url', url: 'http://egress.corp:3128', username: null, password: null });
  const c = await loadText(repo('    proxy: {url: "http://egress.corp:3128/", username: airlock, password: {env: PROXY_PW}}\n'), { PROXY_PW: 'pr0xy-s3cret' });
  const p = c.repositories[0]?.proxy;
  assert.equal(p?.kind, 'url');
  if (p?.kind !== 'url') return;
  assert.equal(p.username, 'airlock');
  assert.equal(p.password?.reveal(), 'pr0xy-s3cret');
  assert.doesNotMatch(JSON.stringify(c), /pr0xy-s3cret/);
  assert.deepEqual(proxyEnvFor(p, {}, new URL('https://registry.corp/')), { HTTP_PROXY: 'http://airlock:pr0xy-s3cret@egress.corp:3128/', HTTPS_PROXY: 'http://airlock:pr0xy-s3cret@egress.corp:3128/' });

  await rejects(loadText(repo('    proxy: http://user:pw@egress.corp:3128\n')), /^repositories\[0\]\.proxy: must not contain credentials; give username and password/);
  await rejects(loadText(repo('    proxy: socks5://egress.corp:1080\n')), /^repositories\[0\]\.proxy: must be an http:\/\/ or https:\/\/ proxy URL/);
  await rejects(loadText(repo('    proxy: http://egress.corp:3128/path\n')), /^repositories\[0\]\.proxy: must be the proxy's origin only/);
  await rejects(loadText(repo('    proxy: egress\n')), /^repositories\[0\]\.proxy: not a URL: "egress" \(or give env, npm or none\)/);
  await rejects(loadText(repo('    proxy: {url: "http://egress.corp:3128", username: airlock}\n')), /^repositories\[0\]\.proxy: give both username and password, or neither/);
  await rejects(loadText(repo('    proxy: {url: "http://egress.corp:3128", username: airlock, password: inline}\n')), /^repositories\[0\]\.proxy\.password: secrets must be given by reference/);
  await rejects(loadText(repo('    proxy: {host: egress}\n')), /^repositories\[0\]\.proxy\.host: unknown key/);
});

test('proxy from the environment: only the variables Node’s proxy support reads, empty ones left out', () => {
  const env = { HTTP_PROXY: 'http://a:3128', https_proxy: 'http://b:3128', NO_PROXY: 'localhost,.corp', no_proxy: '', ALL_PROXY: 'socks5://c', PATH: '/bin' };
  assert.deepEqual(proxyEnvFor({ kind: 'env' }, env, new URL('https://registry.corp/')), { HTTP_PROXY: 'http://a:3128', https_proxy: 'http://b:3128', NO_PROXY: 'localhost,.corp' });
  assert.deepEqual(proxyEnvFor({ kind: 'none' }, env, new URL('https://registry.corp/')), {});
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

test('npm’s proxy is asked for once, only for repositories that follow npm', async () => {
  const two = 'repositories:\n  - name: a\n    format: npm\n  - name: b\n    format: npm\n    upstream: http://x/\n    proxy: npm\n  - name: c\n    format: npm\n    proxy: env\n';
  let calls = 0;
  const c = await loadText(two, {}, async () => 'http://registry.corp/', async () => {
    calls++;
    return { proxy: 'http://egress.corp:3128', noProxy: '', ca: null };
  });
  assert.equal(calls, 1);
  assert.deepEqual(
    c.repositories.map((r) => [r.name, r.upstreamSource, r.proxy.kind]),
    [['a', 'npm-config', 'npm'], ['b', 'config', 'npm'], ['c', 'npm-config', 'env']],
  );
  // A repository whose upstream is written down follows the environment unless told otherwise.
  await loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: http://x/\n');
  // A failure to read npm's proxy stops the start: no repository goes around a proxy it was told to use.
  await rejects(
    loadText('repositories:\n  - name: npm\n    format: npm\n', {}, async () => 'http://registry.corp/', async () => npmConfigConnection({ PATH: '/nonexistent' })()),
    /^'npm config get https-proxy proxy noproxy strict-ssl cafile ca' failed \(.+\); give the repository its proxy in the configuration instead/,
  );
});

test('npm’s proxy settings: https-proxy before proxy for every registry, unset values, noproxy, and what Airlock cannot use', () => {
  const out = (h: string, p: string, n: string, cafile = 'null', ca = 'null', strict = 'true'): string =>
    `https-proxy=${h}\nproxy=${p}\nnoproxy=${n}\nstrict-ssl=${strict}\ncafile=${cafile}\nca=${ca}\n`;
  const none = { cafile: null, ca: null, strictSsl: true };
  assert.deepEqual(parseNpmConnectionConfig(out('http://egress.corp:3128', 'http://other.corp:8080/', 'localhost,.corp')), { proxy: 'http://egress.corp:3128', noProxy: 'localhost,.corp', ...none });
  assert.deepEqual(parseNpmConnectionConfig(out('null', 'http://other.corp:8080/', '')), { proxy: 'http://other.corp:8080', noProxy: '', ...none });
  assert.deepEqual(parseNpmConnectionConfig(out('null', 'false', '')), { proxy: null, noProxy: '', ...none });
  assert.deepEqual(parseNpmConnectionConfig(`npm warn something=else\n${out('null', 'null', 'a.org,b.org')}`), { proxy: null, noProxy: 'a.org,b.org', ...none });
  // An inline ca spans lines (base64 lines may hold "="): it runs to the end of what npm printed.
  const pem = '-----BEGIN CERTIFICATE-----\nMIIBfake=\nproxy=x==\n-----END CERTIFICATE-----';
  assert.deepEqual(parseNpmConnectionConfig(out('null', 'null', '', '/etc/corp-ca.pem', pem)), { proxy: null, noProxy: '', cafile: '/etc/corp-ca.pem', ca: pem, strictSsl: true });
  assert.deepEqual(parseNpmConnectionConfig(out('null', 'null', '', 'null', 'null', 'false')), { proxy: null, noProxy: '', cafile: null, ca: null, strictSsl: false });
  const refused = (text: string, message: RegExp): void => {
    assert.throws(
      () => parseNpmConnectionConfig(text),
      (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && message.test(err.message) && /give the repository its proxy in the configuration instead/.test(err.message),
    );
  };
  refused(out('socks5://egress.corp:1080', 'null', ''), /^npm's https-proxy setting is a socks5 proxy; Airlock reaches upstreams through http:\/\/ and https:\/\/ proxies only/);
  refused(out('null', 'egress', ''), /^npm's proxy setting is not a URL \("egress"\)/);
  refused(out('http://egress.corp:3128/pac', 'null', ''), /^npm's https-proxy setting has a path or query \(http:\/\/egress\.corp:3128\/pac\)/);
  refused('https-proxy=null\nproxy=null\n', /printed no noproxy=… line/);
});

test('npm’s proxy, read from the real npm client’s configuration; a proxy with credentials npm will not print stops the start', async () => {
  await withDir(async (dir) => {
    const npmrc = join(dir, 'npmrc');
    // The machine's global .npmrc may name a cafile or a proxy of its own: an empty one instead.
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_userconfig: npmrc, npm_config_globalconfig: join(dir, 'no-global-npmrc') };
    for (const k of Object.keys(env)) if (/^npm_config_(https_proxy|proxy|noproxy|strict_ssl|cafile|ca)$/i.test(k)) delete env[k];
    await writeFile(npmrc, 'https-proxy=http://egress.corp:3128\nnoproxy=localhost,.corp.internal\n');
    assert.deepEqual(await npmConfigConnection(env)(), { proxy: 'http://egress.corp:3128', noProxy: 'localhost,.corp.internal', ca: null });
    await writeFile(npmrc, 'proxy=http://other.corp:8080/\nstrict-ssl=false\n');
    assert.deepEqual(await npmConfigConnection(env)(), { proxy: 'http://other.corp:8080', noProxy: '', ca: null, strictSsl: false });
    await writeFile(npmrc, 'https-proxy=http://me:s3cret@egress.corp:3128\n');
    await assert.rejects(npmConfigConnection(env)(), (err: unknown) => {
      assert.ok(isAirlockError(err, 'CONFIG_INVALID'));
      assert.match(err.message, /^'npm config get https-proxy proxy noproxy strict-ssl cafile ca' failed \(The https-proxy option is protected, and cannot be retrieved in this way\); give the repository its proxy/);
      assert.doesNotMatch(err.message, /s3cret/);
      return true;
    });
  });
});

test('proxy as npm has it: npm’s proxy for http and https upstreams alike, else the environment’s as npm reads it; npm’s noproxy, matched as npm matches it', () => {
  const https = new URL('https://registry.corp/');
  const http = new URL('http://registry.corp:4873/');
  const egress = { HTTP_PROXY: 'http://egress.corp:3128', HTTPS_PROXY: 'http://egress.corp:3128' };
  const env = { HTTPS_PROXY: 'http://env.corp:3128', no_proxy: 'env-direct.corp' };
  assert.deepEqual(proxyEnvFor({ kind: 'npm', proxy: 'http://egress.corp:3128', noProxy: '' }, {}, https), egress);
  assert.deepEqual(proxyEnvFor({ kind: 'npm', proxy: 'http://egress.corp:3128', noProxy: '' }, {}, http), egress);
  // npm's list is npm's alone; each entry covers its domain, as npm matches it ("corp" covers registry.corp).
  assert.deepEqual(proxyEnvFor({ kind: 'npm', proxy: 'http://egress.corp:3128', noProxy: ' corp, .internal ,,' }, env, https), { ...egress, NO_PROXY: '.corp,.internal' });
  // No proxy in npm's settings: the environment's, its names in any case; https_proxy serves http registries too, not the other way round.
  assert.deepEqual(proxyEnvFor({ kind: 'npm', proxy: null, noProxy: '' }, env, https), { HTTP_PROXY: 'http://env.corp:3128', HTTPS_PROXY: 'http://env.corp:3128', NO_PROXY: '.env-direct.corp' });
  assert.deepEqual(proxyEnvFor({ kind: 'npm', proxy: null, noProxy: '' }, { Http_Proxy: 'http://plain.corp:3128' }, http), { HTTP_PROXY: 'http://plain.corp:3128', HTTPS_PROXY: 'http://plain.corp:3128' });
  assert.deepEqual(proxyEnvFor({ kind: 'npm', proxy: null, noProxy: '' }, { http_proxy: 'http://plain.corp:3128' }, https), {});
  assert.deepEqual(proxyEnvFor({ kind: 'npm', proxy: null, noProxy: '' }, {}, https), {});
  assert.deepEqual(proxyEnvFor({ kind: 'npm', proxy: 'http://egress.corp:3128', noProxy: '' }, env, new URL('http://127.0.0.1:4873/')), {});
});

test('the no-proxy list, matched by the rules of Node’s proxy support', () => {
  const at = (u: string): URL => new URL(u);
  assert.equal(bypassesProxy('*', at('https://registry.corp/')), true);
  assert.equal(bypassesProxy('registry.corp', at('https://registry.corp/')), true);
  assert.equal(bypassesProxy('corp', at('https://registry.corp/')), false, 'a bare entry is one host');
  assert.equal(bypassesProxy(' .corp', at('https://registry.corp/')), true);
  assert.equal(bypassesProxy('.corp', at('https://corp/')), true);
  assert.equal(bypassesProxy('.corp', at('https://notcorp/')), false);
  assert.equal(bypassesProxy('*.corp', at('https://a.registry.corp/')), true);
  assert.equal(bypassesProxy('registry.corp:4873', at('http://registry.corp:4873/')), true);
  assert.equal(bypassesProxy('registry.corp:4874', at('http://registry.corp:4873/')), false);
  assert.equal(bypassesProxy('10.0.0.1-10.0.0.9', at('http://10.0.0.5/')), true);
  assert.equal(bypassesProxy('10.0.0.1-10.0.0.9', at('http://10.0.0.10/')), false);
  assert.equal(bypassesProxy('', at('http://10.0.0.5/')), false);
});

test('the route to each upstream in words: the proxy without its credentials, and why', () => {
  const repo = (upstream: string, proxy: ProxyConfig) => ({ upstream, proxy }) as unknown as ProxyRepositoryConfig;
  const secret = new Secret('pr0xy-s3cret', 'env PROXY_PW');
  assert.equal(upstreamRoute(repo('https://registry.corp/', { kind: 'url', url: 'http://egress.corp:3128', username: 'airlock', password: secret }), {}), "through the proxy http://egress.corp:3128 (the repository's proxy setting)");
  assert.equal(upstreamRoute(repo('https://registry.corp/', { kind: 'npm', proxy: 'http://egress.corp:3128', noProxy: '' }), {}), "through the proxy http://egress.corp:3128 (npm's proxy setting)");
  assert.equal(upstreamRoute(repo('https://registry.corp/', { kind: 'npm', proxy: 'http://egress.corp:3128', noProxy: 'corp' }), {}), "directly (npm's no-proxy list covers registry.corp)");
  assert.equal(upstreamRoute(repo('https://registry.corp/', { kind: 'env' }), { HTTPS_PROXY: 'http://me:pw@env.corp:3128' }), "through the proxy http://env.corp:3128 (the environment's proxy setting)");
  assert.equal(upstreamRoute(repo('https://registry.corp/', { kind: 'env' }), { HTTP_PROXY: 'http://env.corp:3128' }), 'directly (no https proxy in the environment)');
  assert.equal(upstreamRoute(repo('https://registry.corp/', { kind: 'npm', proxy: null, noProxy: '' }), { http_proxy: 'http://env.corp:3128' }), "directly (no https proxy in npm's settings or the environment)");
  assert.equal(upstreamRoute(repo('http://registry.corp/', { kind: 'env' }), { HTTP_PROXY: 'http://env.corp:3128', NO_PROXY: '.corp' }), "directly (the environment's no-proxy list covers registry.corp)");
  assert.equal(upstreamRoute(repo('https://registry.corp/', { kind: 'none' }), { HTTPS_PROXY: 'http://env.corp:3128' }), 'directly (proxy: none)');
  assert.equal(upstreamRoute(repo('http://127.0.0.1:4873/', { kind: 'env' }), { HTTP_PROXY: 'http://env.corp:3128' }), 'directly (the upstream is on this machine)');
  // A TUF repository the repository reads from goes its way, judged by its own host.
  const local = repo('http://127.0.0.1:4873/', { kind: 'env' });
  const env = { HTTPS_PROXY: 'http://env.corp:3128', NO_PROXY: '.mirror.corp' };
  assert.equal(routeFor(local, new URL('https://tuf.example/'), 'the TUF repository', env), "through the proxy http://env.corp:3128 (the environment's proxy setting)");
  assert.equal(routeFor(local, new URL('https://tuf.mirror.corp/'), 'the TUF repository', env), "directly (the environment's no-proxy list covers tuf.mirror.corp)");
  assert.equal(routeFor(local, new URL('http://localhost:8081/'), 'the TUF repository', env), 'directly (the TUF repository is on this machine)');
});

test('which URLs lead to this Airlock: its port at a loopback name or its own address, or its public origin', () => {
  const server = { host: '127.0.0.1', port: 8080, publicUrl: null } as unknown as ServerConfig;
  for (const url of ['http://localhost:8080/npm/', 'http://127.0.0.1:8080/', 'http://127.9.9.9:8080/x/', 'http://[::1]:8080/npm/', 'http://LOCALHOST:8080/']) assert.equal(leadsToThisServer(url, server), true, url);
  for (const url of ['http://localhost:8081/npm/', 'https://registry.corp/', 'http://localhost/', 'http://10.1.2.3:8080/']) assert.equal(leadsToThisServer(url, server), false, url);
  assert.equal(leadsToThisServer('http://localhost:80/', { ...server, port: 80 }), true);
  assert.equal(leadsToThisServer('http://localhost/', { ...server, port: 80 }), true, 'the scheme’s default port');
  assert.equal(leadsToThisServer('http://localhost:8080/', { ...server, port: 0 }), false, 'an ephemeral port is never named in a setting');
  assert.equal(leadsToThisServer('https://airlock.corp/npm/', { ...server, publicUrl: 'https://airlock.corp/' }), true);
  assert.equal(leadsToThisServer('http://registry.corp:8080/', { ...server, host: 'registry.corp' }), true);
  assert.equal(leadsToThisServer(`http://${hostname()}:8080/`, { ...server, host: '0.0.0.0' }), true, 'listening on every address');
  assert.equal(leadsToThisServer(`http://${hostname()}:8080/`, server), isLoopbackHost(hostname()));
});

test('npm’s registry setting leads here once npm is pointed at Airlock: npm’s registry without that setting is the upstream; an upstream written down that leads here is refused', async () => {
  const asked: number[] = [];
  const layers = ['http://localhost:8080/npm/', 'http://127.0.0.1:8080/npm/', 'http://registry.corp/'];
  const fallback = async (step: number): Promise<string> => {
    asked.push(step);
    return layers[step - 1] ?? 'http://localhost:8080/';
  };
  const c = await withDir((dir) =>
    loadProxies({ env: {}, cwd: dir, npm: { registry: async () => 'http://localhost:8080/npm/', registryWithout: fallback, connection: async () => ({ proxy: null, noProxy: '', ca: null }) } }),
  );
  assert.deepEqual(asked, [1, 2, 3]);
  assert.deepEqual([c.repositories[0]?.upstream, c.repositories[0]?.upstreamSource], ['http://registry.corp/', 'npm-fallback']);

  await rejects(
    withDir((dir) => loadProxies({ env: {}, cwd: dir, npm: { registry: async () => 'http://localhost:8080/npm/', registryWithout: async () => 'http://localhost:8080/', connection: noConnectionDiscovery } })),
    "npm's registry setting (http://localhost:8080/npm/) leads to this Airlock, and so does npm's default registry; set repositories[].upstream in the configuration or AIRLOCK_REPOSITORIES_<NAME>_UPSTREAM",
  );
  await rejects(loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:8080/npm/\n'), /^repositories\[0\]\.upstream \(http:\/\/127\.0\.0\.1:8080\/npm\/\) leads to this Airlock itself/);
  await loadText('server: {port: 8081}\nrepositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:8080/npm/\n');
});

test('npm’s registry without its most specific settings, read from the real npm client: the environment and project, then the user’s .npmrc, then the global one', async () => {
  await withDir(async (dir) => {
    const [user, global] = [join(dir, 'user-npmrc'), join(dir, 'global-npmrc')];
    await writeFile(user, 'registry=http://user.corp/\n');
    await writeFile(global, 'registry=http://global.corp/\n');
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_userconfig: user, npm_config_globalconfig: global, NPM_CONFIG_REGISTRY: 'http://env.corp/' };
    for (const k of Object.keys(env)) if (/^npm_config_registry$/.test(k)) delete env[k];
    assert.equal(await npmConfigRegistry(env)(), 'http://env.corp/');
    const without = npmRegistryWithout(env);
    assert.equal(await without(1), 'http://user.corp/');
    assert.equal(await without(2), 'http://global.corp/');
    const builtin = await without(3);
    assert.match(builtin, /^https?:\/\/.+\/$/);
    assert.ok(!['http://env.corp/', 'http://user.corp/', 'http://global.corp/'].includes(builtin), builtin);
  });
});

const needsOpenssl = { skip: hasOpenssl() ? false : 'openssl is not installed' } as const;

test('ca: a repository’s certificate authorities from a PEM file, checked at start; none named, none trusted in place of the built-in roots', needsOpenssl, async () => {
  await withDir(async (dir) => {
    const { cert } = selfSignedCert(dir, 'corp-ca', 'DNS:ca.corp');
    const { cert: second } = selfSignedCert(dir, 'other-ca', 'DNS:other.corp');
    await writeFile(join(dir, 'bundle.pem'), `# two of them\n${await readFile(cert, 'utf8')}\n${await readFile(second, 'utf8')}`);
    await writeFile(join(dir, 'airlock.yaml'), 'repositories:\n  - name: npm\n    format: npm\n    upstream: https://registry.corp/\n    ca: bundle.pem\n');
    const c = await loadProxies({ file: join(dir, 'airlock.yaml'), env: {}, cwd: '/', npm: { registry: noDiscovery, connection: noConnectionDiscovery } });
    assert.equal(c.repositories[0]?.ca?.pems.length, 2);
    assert.equal(c.repositories[0]?.ca?.source, `the repository's ca file ${join(dir, 'bundle.pem')}`);
    assert.equal((await loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: https://registry.corp/\n'))?.repositories[0]?.ca, null);

    const bad = async (content: string | null, message: RegExp): Promise<void> => {
      if (content !== null) await writeFile(join(dir, 'bad.pem'), content);
      await writeFile(join(dir, 'bad.yaml'), 'repositories:\n  - name: npm\n    format: npm\n    upstream: https://registry.corp/\n    ca: bad.pem\n');
      await rejects(loadProxies({ file: join(dir, 'bad.yaml'), env: {}, cwd: '/', npm: { registry: noDiscovery, connection: noConnectionDiscovery } }), message);
    };
    await bad('not a certificate\n', /^repositories\[0\]\.ca \(.*bad\.pem\): no PEM certificate/);
    await bad('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n', /^repositories\[0\]\.ca \(.*bad\.pem\): certificate 1 does not parse/);
    await rm(join(dir, 'bad.pem'));
    await bad(null, /^repositories\[0\]\.ca: .*bad\.pem does not exist or is not a file/);
  });
});

test('a repository that goes npm’s way trusts npm’s cafile, read from the real npm client; its own ca wins', needsOpenssl, async () => {
  await withDir(async (dir) => {
    const { cert } = selfSignedCert(dir, 'corp-ca', 'DNS:ca.corp');
    const npmrc = join(dir, 'npmrc');
    // The machine's global .npmrc may name a cafile or a proxy of its own: an empty one instead.
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_userconfig: npmrc, npm_config_globalconfig: join(dir, 'no-global-npmrc') };
    for (const k of Object.keys(env)) if (/^npm_config_(https_proxy|proxy|noproxy|strict_ssl|cafile|ca)$/i.test(k)) delete env[k];
    await writeFile(npmrc, `cafile=${cert}\n`);
    const settings = await npmConfigConnection(env)();
    assert.deepEqual(settings.ca, { pems: [(await readFile(cert, 'utf8')).trim()], source: `npm's cafile ${cert}` });
    // An inline ca, as `npm config set ca "…"` writes it.
    const pem = (await readFile(cert, 'utf8')).trim();
    await writeFile(npmrc, `ca="${pem.replace(/\n/g, '\\n')}"\n`);
    assert.deepEqual((await npmConfigConnection(env)()).ca, { pems: [pem], source: "npm's ca setting" });

    const npmWay = async (): Promise<NpmConnectionSettings> => settings;
    const follows = await loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: https://registry.corp/\n    proxy: npm\n', {}, noDiscovery, npmWay);
    assert.equal(follows.repositories[0]?.ca?.source, `npm's cafile ${cert}`);
    const env2 = await loadText('repositories:\n  - name: npm\n    format: npm\n    upstream: https://registry.corp/\n    proxy: env\n', {}, noDiscovery, npmWay);
    assert.equal(env2.repositories[0]?.ca, null, 'a repository that follows the environment does not take npm’s trust');
    const own = await withDir(async (d2) => {
      await writeFile(join(d2, 'own.pem'), await readFile(cert, 'utf8'));
      await writeFile(join(d2, 'airlock.yaml'), 'repositories:\n  - name: npm\n    format: npm\n    upstream: https://registry.corp/\n    proxy: npm\n    ca: own.pem\n');
      return loadProxies({ file: join(d2, 'airlock.yaml'), env: {}, cwd: d2, npm: { registry: noDiscovery, connection: npmWay } });
    });
    assert.match(own.repositories[0]?.ca?.source ?? '', /^the repository's ca file /);
  });
});

/** The keyids trusted for `usage` among a repository's named keys. */
function ids(keys: TrustedRegistryKeys | undefined, usage: RegistryKeyUsage): string[] {
  return [...registryKeySet(keys?.listed ?? [], usage).keys()];
}

test('registryKeys: the public registry’s pinned keys by default, key files relative to the configuration, none at all', async () => {
  const base = 'repositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:4873/\n';
  const byDefault = (await loadText(base)).repositories[0]?.registryKeys;
  assert.deepEqual(byDefault?.sources, ['the public npm registry (built in)']);
  assert.deepEqual(ids(byDefault, 'npm:signatures'), ['SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA', 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U']);
  assert.deepEqual(ids(byDefault, 'npm:attestations'), ['SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA', 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U']);
  assert.deepEqual((await loadText(`${base}    registryKeys: []\n`)).repositories[0]?.registryKeys, { listed: [], sources: [], tuf: null });
  // Keys from TUF: the upstream host's keys.json by default, or a target named.
  const fromTuf = (await loadText(`${base}    registryKeys: tuf\n`)).repositories[0];
  assert.deepEqual(fromTuf?.registryKeys.tuf, { target: null });
  assert.deepEqual(fromTuf?.registryKeys.listed, []);
  assert.deepEqual(trustSettings(fromTuf as ProxyRepositoryConfig).keysTarget, '127.0.0.1/keys.json');
  assert.equal(trustSettings(fromTuf as ProxyRepositoryConfig).tuf?.url, SIGSTORE_TUF_URL, "without a TUF sigstoreTrustedRoot, Sigstore's repository");
  const named = (await loadText(`${base}    registryKeys: [builtin, {tuf: registry.example/keys.json}]\n`)).repositories[0];
  assert.deepEqual(named?.registryKeys.tuf, { target: 'registry.example/keys.json' });
  assert.equal(ids(named?.registryKeys, 'npm:signatures').length, 2);
  assert.equal(trustSettings(named as ProxyRepositoryConfig).keysTarget, 'registry.example/keys.json');
  assert.equal(trustSettings((await loadText(base)).repositories[0] as ProxyRepositoryConfig).tuf, null, 'nothing kept through TUF by default');
  await rejects(loadText(`${base}    registryKeys: [tuf, {tuf: a/keys.json}]\n`), 'repositories[0].registryKeys[1]: the keys from TUF are named twice (one `tuf` entry per repository)');
  await rejects(loadText(`${base}    registryKeys: [{tuf: ../keys.json}]\n`), /^repositories\[0\]\.registryKeys\[0\]\.tuf: .*a TUF target path such as registry\.example\/keys\.json/);
  await rejects(loadText(`${base}    registryKeys: [{tuff: a/keys.json}]\n`), /^repositories\[0\]\.registryKeys\[0\]\.tuff: unknown key/);
  await withDir(async (dir) => {
    const { generateKeyPairSync } = await import('node:crypto');
    const der = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    await writeFile(join(dir, 'internal-keys.json'), JSON.stringify({ keys: [{ keyid: 'SHA256:internal', keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: der, expires: null }] }));
    const file = join(dir, 'airlock.yaml');
    const load = async (extra: string) => {
      await writeFile(file, base + extra);
      return loadProxies({ file, env: {}, cwd: '/', npm: { registry: noDiscovery, connection: noConnectionDiscovery, registryWithout: noFallback } });
    };
    const internal = (await load('    registryKeys: internal-keys.json\n')).repositories[0]?.registryKeys;
    assert.deepEqual(ids(internal, 'npm:signatures'), ['SHA256:internal']);
    // A /-/npm/v1/keys entry states no usage: it is trusted for attestations too.
    assert.deepEqual(ids(internal, 'npm:attestations'), ['SHA256:internal']);
    assert.deepEqual(internal?.sources, [`the file ${join(dir, 'internal-keys.json')}`]);
    const both = (await load('    registryKeys: [builtin, ./internal-keys.json]\n')).repositories[0]?.registryKeys;
    assert.equal(ids(both, 'npm:signatures').length, 3);
    await rejects(load('    registryKeys: [builtin, missing.json]\n'), `repositories[0].registryKeys[1]: ${join(dir, 'missing.json')} does not exist or is not a file`);
    await writeFile(join(dir, 'cut.json'), '{"keys": [');
    await rejects(load('    registryKeys: cut.json\n'), `repositories[0].registryKeys: ${join(dir, 'cut.json')} is not JSON (Unexpected end of JSON input)`);
    await writeFile(join(dir, 'big.json'), ' '.repeat(1024 * 1024 + 1));
    await rejects(load('    registryKeys: big.json\n'), `repositories[0].registryKeys: ${join(dir, 'big.json')} is larger than 1 MiB`);
    await writeFile(join(dir, 'rsa.json'), JSON.stringify({ keys: [{ keyid: 'k', key: generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }] }));
    await rejects(load('    registryKeys: rsa.json\n'), /^repositories\[0\]\.registryKeys \(.*rsa\.json\): keys\[0\]\.key: not an ECDSA P-256 key/);
  });
  // `{tuf: TARGET}` alone, as the reference lists it (found with the fuzz seeds: it was refused as not a list); another mapping is not an entry.
  const alone = (await loadText(`${base}    registryKeys: {tuf: registry.example/keys.json}\n`)).repositories[0]?.registryKeys;
  assert.deepEqual(alone, { listed: [], sources: [], tuf: { target: 'registry.example/keys.json' } });
  await rejects(loadText(`${base}    registryKeys: {file: x}\n`), /^repositories\[0\]\.registryKeys\.file: unknown key \(expected one of: tuf\)$/);
});

/** Loads `base` and then `extra` as a configuration file in `dir` (so relative paths resolve there). */
function loaderIn(dir: string, base: string): (extra: string) => Promise<ProxiesConfig> {
  const file = join(dir, 'airlock.yaml');
  return async (extra) => {
    await writeFile(file, base + extra);
    return proxiesOnly(await loadConfig({ file, env: {}, cwd: '/', npm: { registry: noDiscovery, connection: noConnectionDiscovery, registryWithout: noFallback } }));
  };
}

test('sigstoreTrustedRoot: Sigstore\'s public-good root by default, or a trusted_root.json relative to the configuration', async () => {
  const base = 'repositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:4873/\n';
  const byDefault = (await loadText(base)).repositories[0]?.sigstoreRoot;
  assert.equal(byDefault?.source, "Sigstore's public-good root (built in)");
  await withDir(async (dir) => {
    const load = loaderIn(dir, base);
    await writeFile(join(dir, 'root.json'), await readFile(join(import.meta.dirname, '..', '..', 'verify', 'sigstore', 'public-good-trusted-root.json')));
    const own = (await load('    sigstoreTrustedRoot: ./root.json\n')).repositories[0]?.sigstoreRoot;
    assert.equal(own?.source, `the file ${join(dir, 'root.json')}`);
    await rejects(load('    sigstoreTrustedRoot: missing.json\n'), `repositories[0].sigstoreTrustedRoot: ${join(dir, 'missing.json')} does not exist or is not a file`);
    await writeFile(join(dir, 'cut.json'), '{"tlogs": [');
    await rejects(load('    sigstoreTrustedRoot: cut.json\n'), /^repositories\[0\]\.sigstoreTrustedRoot: .*cut\.json is not a Sigstore trusted root \(/);
    await writeFile(join(dir, 'odd.json'), JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: 'x' }));
    await rejects(load('    sigstoreTrustedRoot: odd.json\n'), /^repositories\[0\]\.sigstoreTrustedRoot: .*odd\.json is not a Sigstore trusted root \(.*tlogs/);
  });
  await rejects(loadText(`${base}    sigstoreTrustedRoot: [a]\n`), /^repositories\[0\]\.sigstoreTrustedRoot: /);
});

test('sigstoreTrustedRoot through TUF: `tuf` (Sigstore\'s repository, from the shipped TUF root) or a private repository with its initial root', async () => {
  const base = 'repositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:4873/\n';
  const publicGood = (await loadText(`${base}    sigstoreTrustedRoot: tuf\n`)).repositories[0]?.sigstoreRoot;
  assert.equal(publicGood?.tuf?.url, 'https://tuf-repo-cdn.sigstore.dev/');
  assert.equal(publicGood?.tuf?.refreshMs, 86_400_000);
  assert.equal(publicGood?.root.tlogs.length, 2, 'the built-in root until the first update');
  await withDir(async (dir) => {
    const load = loaderIn(dir, base);
    await writeFile(join(dir, 'tuf-root.json'), await readFile(join(import.meta.dirname, '..', '..', 'verify', 'tuf', 'sigstore-tuf-root.json')));
    const own = (await load('    sigstoreTrustedRoot:\n      tuf: https://tuf.example.test/repo\n      initialRoot: tuf-root.json\n      refresh: 1h\n')).repositories[0]?.sigstoreRoot;
    assert.equal(own?.tuf?.url, 'https://tuf.example.test/repo/');
    assert.equal(own?.tuf?.refreshMs, 3_600_000);
    assert.equal(own?.root.tlogs.length, 0, 'nothing is trusted before the first verified update');
    await rejects(load('    sigstoreTrustedRoot:\n      tuf: https://tuf.example.test/\n'), 'repositories[0].sigstoreTrustedRoot.initialRoot: required (the TUF root.json the chain starts from)');
    await rejects(load('    sigstoreTrustedRoot:\n      initialRoot: tuf-root.json\n'), /^repositories\[0\]\.sigstoreTrustedRoot\.tuf: required/);
    await rejects(load('    sigstoreTrustedRoot:\n      tuf: ftp://x/\n      initialRoot: tuf-root.json\n'), /^repositories\[0\]\.sigstoreTrustedRoot\.tuf: must be an http/);
    await rejects(load('    sigstoreTrustedRoot:\n      tuf: https://x/\n      initialRoot: tuf-root.json\n      mirror: y\n'), /^repositories\[0\]\.sigstoreTrustedRoot\.mirror: unknown key/);
    await writeFile(join(dir, 'not-tuf.json'), JSON.stringify({ signed: { _type: 'targets' }, signatures: [] }));
    await rejects(load('    sigstoreTrustedRoot:\n      tuf: https://x/\n      initialRoot: not-tuf.json\n'), /^repositories\[0\]\.sigstoreTrustedRoot\.initialRoot: .*not-tuf\.json is not a TUF root\.json \(.*signed\._type is "targets", not root\)/);
  });
});

test('webhooks: checked as written; secrets and URLs holding tokens only by reference, never printed', async () => {
  const repo = 'repositories:\n  - {name: npm, format: npm, upstream: "http://127.0.0.1:4873/"}\n';
  const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
  const env = { HOOK_SECRET: secret, SLACK_URL: 'https://hooks.chat.example/services/T0/B0/abcdefSECRET', SHORT: 'whsec_c2hvcnQ=' };
  const c = await loadText(
    `${repo}webhooks:\n  - {name: security, url: "https://hooks.example.com/airlock", secret: {env: HOOK_SECRET}, events: ["quarantine.*", "decision.block"]}\n  - {name: chat, url: {env: SLACK_URL}, events: ["*", "!decision.allow"], timeout: 5s, proxy: none}\n`,
    env,
  );
  assert.deepEqual(
    c.webhooks.map((w) => [w.name, typeof w.url === 'string' ? w.url : 'by reference', w.events, w.secret === null ? null : 'secret', w.timeoutMs, w.proxy]),
    [
      ['security', 'https://hooks.example.com/airlock', ['quarantine.*', 'decision.block'], 'secret', 15_000, 'env'],
      ['chat', 'by reference', ['*', '!decision.allow'], null, 5000, 'none'],
    ],
  );
  assert.doesNotMatch(inspect(c.webhooks) + JSON.stringify(c.webhooks), /abcdefSECRET|whsec_/);
  assert.deepEqual((await loadText(repo)).webhooks, []);

  const one = (fields: string) => loadText(`${repo}webhooks:\n  - {${fields}}\n`, env);
  await rejects(one('name: a, url: "https://h.example/x", events: ["*"], retries: 3'), /^webhooks\[0\]\.retries: unknown key/);
  await rejects(one('name: a, url: "https://h.example/x"'), /^webhooks\[0\]\.events: is required/);
  await rejects(one('name: a, url: "https://h.example/x", events: ["!decision.allow"]'), /^webhooks\[0\]\.events: takes no event/);
  await rejects(one('name: a, url: "https://h.example/x", events: ["quarantine."]'), /^webhooks\[0\]\.events\[0\]: "quarantine\." is not an event pattern/);
  await rejects(one('name: a, url: "https://h.example/x?token=abc", events: ["*"]'), /^webhooks\[0\]\.url: a URL with credentials or a query \(a token\) must be given by reference/);
  await rejects(one('name: a, url: "ftp://h.example/x", events: ["*"]'), /^webhooks\[0\]\.url: must be an http/);
  await rejects(one('name: a, url: "https://h.example/x", events: ["*"], secret: "whsec_abc"'), /^webhooks\[0\]\.secret: secrets must be given by reference/);
  await rejects(one('name: a, url: "https://h.example/x", events: ["*"], secret: {env: SHORT}'), /^webhooks\[0\]\.secret: the secret env SHORT must hold a key of 24 to 64 bytes \(this one has 5\)/);
  await rejects(one('name: a, url: "https://h.example/x", events: ["*"], secret: {env: SLACK_URL}'), /^webhooks\[0\]\.secret: the secret env SLACK_URL must start with whsec_/);
  await rejects(one('name: Bad Name, url: "https://h.example/x", events: ["*"]'), /^webhooks\[0\]\.name:/);
  await rejects(
    loadText(`${repo}webhooks:\n  - {name: a, url: "https://h.example/x", events: ["*"]}\n  - {name: a, url: "https://h.example/y", events: ["*"]}\n`),
    /^webhooks\[1\]\.name: duplicate webhook name "a"/,
  );
  await rejects(one('name: a, url: {env: HOOK_SECRET}, events: ["*"]'), /^webhooks\[0\]\.url: the secret env HOOK_SECRET is not a URL$/);
});
