/**
 * How clients reach images through Airlock, and how Airlock reaches them: an upstream that speaks
 * the Docker token protocol with credentials, reader tokens for Airlock itself (skopeo's
 * `--src-creds`), a registries.conf mirror that keeps the images' own names, and the requests
 * docker and containerd make (HEAD on a tag, then GET by digest; ranges; referrers). Pushes are
 * refused: a proxy hosts nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildImage, hasRegistryTools, mirrorRegistriesConf, MANIFEST_ACCEPT, skopeo, SKIP_NO_REGISTRY_TOOLS, writeLayout } from '../../support/oci/index.ts';
import { createToken } from '../npm/support.ts';
import { ociE2e, REPO, type OciE2e } from './support.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;
const image = buildImage({ files: { 'etc/os-release': 'ID=fixture\n' } });

describe('an upstream with token authentication and credentials', { skip }, () => {
  let e: OciE2e;
  before(async () => {
    e = await ociE2e({
      registry: { auth: 'token', users: { robot: 'pull-secret' } },
      config: { upstreamAuth: { username: 'robot', password: { env: 'OCI_UPSTREAM_PASSWORD' } } },
      env: { OCI_UPSTREAM_PASSWORD: 'pull-secret' },
    });
    await e.seed('private/app', [{ ...image, ref: 'v1' }]);
  });
  after(async () => {
    await e?.close();
  });

  test('Airlock gets a token for the image from the realm with its credentials, and reuses it', async () => {
    const r = await e.pull('private/app:v1');
    assert.equal(r.code, 0, r.stderr);
    const asked = e.registry.tokenRequests.filter((t) => t.status === 200);
    assert.ok(asked.length >= 1);
    for (const t of asked) {
      assert.equal(t.user, 'robot');
      assert.deepEqual(t.scopes, ['repository:private/app:pull']);
    }
    const before = e.registry.tokenRequests.length;
    assert.equal((await e.pull(`private/app@${image.manifestDigest}`)).code, 0);
    assert.equal(e.registry.tokenRequests.length, before, 'the token is reused while it lives');
  });
});

describe('an upstream token service that refuses Airlock', { skip }, () => {
  let e: OciE2e;
  before(async () => {
    e = await ociE2e({ registry: { auth: 'token', users: { robot: 'pull-secret' } }, config: { upstreamAuth: { username: 'robot', password: { env: 'OCI_UPSTREAM_PASSWORD' } } }, env: { OCI_UPSTREAM_PASSWORD: 'wrong' } });
    await e.seed('private/app', [{ ...image, ref: 'v1' }]);
  });
  after(async () => {
    await e?.close();
  });

  test('the refusal names the credentials to check', async () => {
    const res = await fetch(`${e.airlock.url}/v2/${REPO}/private/app/manifests/v1`, { headers: { accept: MANIFEST_ACCEPT } });
    assert.equal(res.status, 502);
    assert.match(await res.text(), /token service of upstream .* refused the credentials of robot for repository:private\/app:pull; check the repository's upstreamAuth setting/);
  });
});

describe('Airlock with anonymous reads off, a mirror configuration, and what docker asks', { skip }, () => {
  let e: OciE2e;
  before(async () => {
    e = await ociE2e({ top: { access: { anonymousRead: false } } });
    await e.seed('library/base', [{ ...image, ref: '1.0' }]);
  });
  after(async () => {
    await e?.close();
  });

  test('skopeo without credentials is told to log in; with a reader token it pulls', async () => {
    const anonymous = await e.pull('library/base:1.0');
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /unauthorized|authentication required/i);
    assert.equal(e.registry.requests.length, 0, 'nothing reached the upstream for an anonymous client');
    const token = await createToken(e.airlock, 'reader', 'ci');
    const r = await e.pull('library/base:1.0', { creds: `ci:${token}` });
    assert.equal(r.code, 0, r.stderr);
  });

  test('the version check challenges with the token protocol; the token endpoint refuses no token and a wrong one, saying why', async () => {
    const ping = await fetch(`${e.airlock.url}/v2/`);
    assert.equal(ping.status, 401);
    const realm = /^Bearer realm="([^"]+)",service="airlock"$/.exec(ping.headers.get('www-authenticate') ?? '')?.[1];
    assert.equal(realm, `${e.airlock.url}/-/oci/token`, 'docker follows a Bearer challenge without credentials, a Basic one it gives up on');
    const tokenFor = async (authorization?: string) => {
      const res = await fetch(`${realm}?service=airlock&scope=repository:${REPO}/library/base:pull`, authorization === undefined ? {} : { headers: { authorization } });
      return { status: res.status, body: (await res.json()) as { errors?: { code: string; message: string }[] } };
    };
    // In the registry's error format, which docker prints (`unauthorized: <message>`).
    assert.deepEqual(await tokenFor(), { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message: 'Airlock: this Airlock requires a token to read images; log in with any user name and a reader token as the password', detail: null }] } });
    assert.deepEqual(await tokenFor('Bearer airlock-anonymous'), await tokenFor(), 'the anonymous registry token is no token');
    const wrong = await tokenFor(`Basic ${Buffer.from('dev:airlock_not-a-token').toString('base64')}`);
    assert.deepEqual([wrong.status, wrong.body.errors?.[0]?.message], [401, 'Airlock: invalid, expired or revoked token']);
    const reader = await createToken(e.airlock, 'reader', 'login');
    assert.equal((await tokenFor(`Basic ${Buffer.from(`dev:${reader}`).toString('base64')}`)).status, 200);
  });

  test('a registries.conf mirror: the image keeps its own name, Airlock serves it', async () => {
    const token = await createToken(e.airlock, 'reader', 'mirror');
    const conf = await mirrorRegistriesConf({ prefix: 'docker.io', mirrorLocation: `${e.host}/${REPO}`, dir: e.tmp });
    const { writeAuthFile } = await import('../../support/oci/index.ts');
    const authfile = await writeAuthFile(`${e.tmp}/auth.json`, `${e.host}/${REPO}`, 'ci', token);
    const r = await skopeo(['copy', 'docker://docker.io/library/base:1.0', `oci:${e.tmp}/mirrored:out`], { registriesConf: conf, authfile });
    assert.equal(r.code, 0, r.stderr);
  });

  test('HEAD on a tag gives the digest docker then GETs; a range of a layer; a 304 on a known manifest', async () => {
    const token = await createToken(e.airlock, 'reader', 'docker');
    const auth = { authorization: `Bearer ${token}` };
    const head = await fetch(`${e.airlock.url}/v2/${REPO}/library/base/manifests/1.0`, { method: 'HEAD', headers: { ...auth, accept: MANIFEST_ACCEPT } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('docker-content-digest'), image.manifestDigest);
    assert.equal(head.headers.get('content-type'), image.mediaType);
    assert.equal(head.headers.get('content-length'), String(image.manifestBytes.length));
    const get = await fetch(`${e.airlock.url}/v2/${REPO}/library/base/manifests/${image.manifestDigest}`, { headers: { ...auth, accept: MANIFEST_ACCEPT } });
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), image.manifestBytes);
    const again = await fetch(`${e.airlock.url}/v2/${REPO}/library/base/manifests/${image.manifestDigest}`, { headers: { ...auth, accept: MANIFEST_ACCEPT, 'if-none-match': `"${image.manifestDigest}"` } });
    assert.equal(again.status, 304);
    const layer = image.layers[0] as Buffer;
    const part = await fetch(`${e.airlock.url}/v2/${REPO}/library/base/blobs/${image.layerDigests[0]}`, { headers: { ...auth, range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 10-19/${layer.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), layer.subarray(10, 20));
  });

  test('a client that does not accept the manifest type is told so', async () => {
    const token = await createToken(e.airlock, 'reader', 'old');
    const res = await fetch(`${e.airlock.url}/v2/${REPO}/library/base/manifests/1.0`, { headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    assert.equal(res.status, 404);
    assert.match(await res.text(), /"code":"MANIFEST_UNKNOWN".*is a application\/vnd\.oci\.image\.manifest\.v1\+json, which the request's Accept header does not list/);
  });

  test('referrers: always an index (the upstream has no referrers API, nor a referrers tag)', async () => {
    const token = await createToken(e.airlock, 'reader', 'cosign');
    const res = await fetch(`${e.airlock.url}/v2/${REPO}/library/base/referrers/${image.manifestDigest}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(await res.json(), { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
  });

  test('a push is refused with what skopeo prints', async () => {
    const token = await createToken(e.airlock, 'publisher', 'push');
    const dir = `${e.tmp}/to-push`;
    await writeLayout(dir, [{ ...image, ref: 'v1' }]);
    const r = await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `ci:${token}`, `oci:${dir}:v1`, `docker://${e.host}/${REPO}/library/pushed:v1`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is a proxy of an upstream registry: Airlock takes no pushes/);
  });
});

describe("Docker Hub's official images by their short names", { skip }, () => {
  let e: OciE2e;
  before(async () => {
    // What Airlock sets by itself for Docker Hub's hosts, set here for the fixture registry.
    e = await ociE2e({ config: { defaultNamespace: 'library' } });
    await e.seed('library/busybox', [{ ...image, ref: '1.36' }]);
  });
  after(async () => {
    await e?.close();
  });

  test('busybox is library/busybox upstream, as docker writes it', async () => {
    const r = await e.pull('busybox:1.36');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(e.registry.count('GET', /^\/v2\/library\/busybox\/manifests\/1\.36$/) >= 1);
    const purl = `pkg:oci/library/busybox@${encodeURIComponent(image.manifestDigest)}`;
    const decisions = (await e.api(`decisions?purl=${encodeURIComponent(purl)}`)) as { items: unknown[] };
    assert.ok(decisions.items.length > 0, 'judged under the upstream name');
  });
});
