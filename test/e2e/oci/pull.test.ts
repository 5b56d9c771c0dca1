/**
 * The real skopeo pulls images through Airlock from Debian's real registry: single images in OCI
 * and Docker formats, a multi-platform index, the exact manifest bytes, one upstream fetch per
 * blob, and the errors skopeo prints.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildImage, buildMultiArch, hasRegistryTools, skopeo, SKIP_NO_REGISTRY_TOOLS } from '../../support/oci/index.ts';
import { imagePurl } from '../../../src/ecosystems/oci/facts.ts';
import { createToken } from '../npm/support.ts';
import { ociE2e, REPO, type OciE2e } from './support.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;
let e: OciE2e;

const app = buildImage({ files: { 'app/hello.txt': 'hello from a layer\n' }, config: { Entrypoint: ['/app/hello'], Env: ['TOKEN=secret'] } });
const legacy = buildImage({ files: { 'etc/motd': 'docker-typed\n' }, mediaTypes: 'docker' });
const multi = buildMultiArch([
  { files: { 'arch.txt': 'amd64\n' }, architecture: 'amd64' },
  { files: { 'arch.txt': 'arm64\n' }, architecture: 'arm64', variant: 'v8' },
]);

before(async () => {
  if (skip !== false) return;
  e = await ociE2e();
  await e.seed('acme/app', [{ ...app, ref: 'v1' }]);
  await e.seed('acme/legacy', [{ ...legacy, ref: 'v1' }]);
  await e.seed('acme/multi', [{ ...multi, ref: 'v1' }]);
});

after(async () => {
  await e?.close();
});

test('skopeo copies an image through Airlock: the layout it writes has the exact upstream bytes', { skip }, async () => {
  const r = await e.pull('acme/app:v1');
  assert.equal(r.code, 0, r.stderr);
  const index = JSON.parse(await readFile(join(r.dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  assert.equal(index.manifests[0]?.digest, app.manifestDigest);
  const layer = await readFile(join(r.dir, 'blobs', 'sha256', (app.layerDigests[0] as string).slice('sha256:'.length)));
  assert.deepEqual(layer, app.layers[0]);
  const raw = await e.inspectRaw('acme/app:v1');
  assert.equal(raw.code, 0, raw.stderr);
  assert.equal(raw.stdout.trim(), app.manifestBytes.toString('utf8'));
  // Recorded under the image, verified by their sha256 alone: no sha512 or sha1 is computed or recorded.
  for (const digest of [...app.layerDigests, app.configDigest]) {
    const rec = await e.airlock.app.airlock.storage.metadata.getArtifact(REPO, imagePurl('acme/app', app.manifestDigest), `blobs/${digest}`);
    assert.equal(rec?.blob, digest);
    assert.deepEqual([rec.sha512, rec.sha1, rec.firstSha512], [null, null, null], digest);
  }
});

test('a Docker schema 2 image keeps its media types and digest', { skip }, async () => {
  const r = await e.pull(`acme/legacy@${legacy.manifestDigest}`);
  assert.equal(r.code, 0, r.stderr);
  const raw = await e.inspectRaw('acme/legacy:v1');
  assert.equal(raw.stdout.trim(), legacy.manifestBytes.toString('utf8'));
});

test('a multi-platform index: every platform is served under the index', { skip }, async () => {
  const r = await e.pull('acme/multi:v1', { all: true });
  assert.equal(r.code, 0, r.stderr);
  for (const image of multi.images) {
    const bytes = await readFile(join(r.dir, 'blobs', 'sha256', image.manifestDigest.slice('sha256:'.length)));
    assert.deepEqual(bytes, image.manifestBytes);
  }
});

test('a blob is fetched from the upstream once, however many clients pull it at the same moment', { skip }, async () => {
  const fresh = buildImage({ files: { 'data.bin': Buffer.alloc(2 * 1024 * 1024, 7) } });
  await e.seed('acme/busy', [{ ...fresh, ref: 'v1' }]);
  e.registry.reset();
  // The upstream is slow, so that the pulls overlap.
  e.registry.delay(300);
  try {
    const pulls = await Promise.all([e.pull('acme/busy:v1'), e.pull('acme/busy:v1'), e.pull('acme/busy:v1')]);
    for (const r of pulls) assert.equal(r.code, 0, r.stderr);
  } finally {
    e.registry.delay(0);
  }
  assert.equal(e.registry.count('GET', new RegExp(`/blobs/${fresh.layerDigests[0]}`)), 1);
  assert.equal(e.registry.count('GET', new RegExp(`/blobs/${fresh.configDigest}`)), 1);
  // And never again once stored.
  e.registry.reset();
  assert.equal((await e.pull('acme/busy:v1')).code, 0);
  assert.equal(e.registry.count('GET', /\/blobs\//), 0);
});

test('a missing image and a missing tag: skopeo prints what is missing', { skip }, async () => {
  const tag = await e.pull('acme/app:nope');
  assert.notEqual(tag.code, 0);
  assert.match(tag.stderr, /manifest unknown.*acme\/app:nope does not exist upstream/i);
  const name = await e.pull('acme/invented-by-a-model:v1');
  assert.notEqual(name.code, 0);
  assert.match(name.stderr, /name unknown.*acme\/invented-by-a-model does not exist upstream/i);
  // The hallucination tripwire heard of the name that does not exist (not of the missing tag).
  const missing = (await e.api('signals/missing?ecosystem=oci')) as { items: { name: string }[] };
  assert.deepEqual(missing.items.map((m) => m.name), ['acme/invented-by-a-model']);
});

test('a blob no admitted image brings is not served', { skip }, async () => {
  const res = await fetch(`${e.airlock.url}/v2/containers/acme/other/blobs/${app.layerDigests[0]}`);
  assert.equal(res.status, 404);
  const body = (await res.json()) as { errors: { code: string; message: string }[] };
  assert.equal(body.errors[0]?.code, 'BLOB_UNKNOWN');
});

test('with only a proxy and anonymous reads on, the version check still challenges (docker login would otherwise never send its password); the token endpoint serves anonymous clients and refuses a wrong token', { skip }, async () => {
  const ping = await fetch(`${e.airlock.url}/v2/`);
  assert.equal(ping.status, 401);
  assert.equal(ping.headers.get('www-authenticate'), `Bearer realm="${e.airlock.url}/-/oci/token",service="airlock"`);
  assert.equal(((await ping.json()) as { errors: { code: string }[] }).errors[0]?.code, 'UNAUTHORIZED');
  const tokenFor = async (authorization?: string) => {
    const res = await fetch(`${e.airlock.url}/-/oci/token?service=airlock&scope=repository:${REPO}/acme/app:pull`, authorization === undefined ? {} : { headers: { authorization } });
    return { status: res.status, body: (await res.json()) as { token?: string; errors?: { code: string; message: string }[] } };
  };
  const anonymous = await tokenFor();
  assert.deepEqual([anonymous.status, anonymous.body.token], [200, 'airlock-anonymous']);
  assert.equal((await fetch(`${e.airlock.url}/v2/`, { headers: { authorization: `Bearer ${anonymous.body.token}` } })).status, 200);
  const basic = (password: string) => `Basic ${Buffer.from(`dev:${password}`).toString('base64')}`;
  assert.deepEqual(await tokenFor(basic('airlock_not-a-token')), { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message: 'Airlock: invalid, expired or revoked token', detail: null }] } });
  const reader = await createToken(e.airlock, 'reader', 'proxy-only');
  const own = await tokenFor(basic(reader));
  assert.deepEqual([own.status, own.body.token], [200, reader]);
  assert.equal((await fetch(`${e.airlock.url}/v2/`, { headers: { authorization: `Bearer ${reader}` } })).status, 200);

  // skopeo follows the challenge with and without credentials, and prints the refusal of wrong ones.
  assert.equal((await e.inspectRaw('acme/app:v1')).stdout.trim(), app.manifestBytes.toString('utf8'));
  const inspected = await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', `dev:${reader}`, `docker://${e.host}/${REPO}/acme/app:v1`]);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.equal(inspected.stdout.trim(), app.manifestBytes.toString('utf8'));
  const pulled = await e.pull('acme/app:v1', { creds: `dev:${reader}` });
  assert.equal(pulled.code, 0, pulled.stderr);
  const wrong = await e.pull('acme/app:v1', { creds: 'dev:airlock_not-a-token' });
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /invalid, expired or revoked token/);
});
