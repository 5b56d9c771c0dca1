/**
 * The OCI test support against the real tools: layouts built here are pushed to Debian's
 * docker-registry with the real skopeo, read back byte for byte, pulled through a mirror
 * configuration, behind Docker token auth, and broken on purpose.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { COSIGN } from '../../../src/verify/cosign/index.ts';
import {
  buildImage,
  buildMultiArch,
  cosignLegacySignatureLayout,
  hasRegistryTools,
  MANIFEST_ACCEPT,
  mirrorRegistriesConf,
  pushLayout,
  sha256Digest,
  skopeo,
  SKIP_NO_REGISTRY_TOOLS,
  startRegistry,
  writeAuthFile,
  writeLayout,
  type FixtureRegistry,
} from './index.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;

const image = buildImage({
  files: { 'etc/motd': 'airlock fixture\n', 'usr/bin/hello': { content: '#!/bin/sh\necho hello\n', mode: 0o755 } },
  config: { Entrypoint: ['/usr/bin/hello'], Env: ['PATH=/usr/bin:/bin'], Labels: { 'org.example.fixture': 'yes' } },
  annotations: { 'org.opencontainers.image.source': 'https://example.test/hello' },
});
const multi = buildMultiArch([
  { files: { 'arch.txt': 'amd64\n' } },
  { files: { 'arch.txt': 'arm64\n' }, architecture: 'arm64', variant: 'v8' },
]);
const dockerImage = buildImage({ files: { 'docker.txt': 'v2s2\n' }, mediaTypes: 'docker' });
const dockerList = buildMultiArch([{ files: { a: '1' }, mediaTypes: 'docker' }, { files: { a: '2' }, architecture: 'arm64', mediaTypes: 'docker' }], { mediaTypes: 'docker' });
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signature = cosignLegacySignatureLayout({
  imageDigest: image.manifestDigest,
  signatures: [
    { privateKey, dockerReference: 'example.test/library/hello' },
    { privateKey, dockerReference: 'example.test/library/hello', payloadDigest: multi.manifestDigest },
  ],
});

function raw(reg: { host: string }, ref: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/${ref}`]);
}

describe('OCI fixture registry with the real skopeo', { skip }, () => {
  let dir: string;
  let layout: string;
  let reg: FixtureRegistry;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-oci-support-'));
    layout = join(dir, 'layout');
    await writeLayout(layout, [
      { ref: 'v1', ...image },
      { ref: 'multi', ...multi },
      { ref: 'docker', ...dockerImage },
      { ref: 'docker-list', ...dockerList },
      { ref: signature.tag, ...signature },
    ]);
    reg = await startRegistry();
  });
  after(async () => {
    await reg?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an OCI image pushes, reads back byte for byte and copies back to a layout', async () => {
    await pushLayout(layout, 'v1', `${reg.host}/library/hello:v1`);
    const inspected = await raw(reg, 'library/hello:v1');
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.equal(inspected.stdout, image.manifestBytes.toString());
    const res = await fetch(`${reg.url}/v2/library/hello/manifests/v1`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
    assert.equal(res.headers.get('docker-content-digest'), image.manifestDigest);
    assert.equal(res.headers.get('content-type'), 'application/vnd.oci.image.manifest.v1+json');
    const config = JSON.parse(image.configBytes.toString()) as { rootfs: { diff_ids: string[] } };
    assert.deepEqual(config.rootfs.diff_ids, image.diffIds);

    const out = join(dir, 'out');
    const copied = await skopeo(['copy', '--preserve-digests', '--src-tls-verify=false', `docker://${reg.host}/library/hello:v1`, `oci:${out}:v1`]);
    assert.equal(copied.code, 0, copied.stderr);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]?.digest, image.manifestDigest);
    const layer = await readFile(join(out, 'blobs', 'sha256', image.layerDigests[0]?.slice(7) ?? ''));
    assert.equal(sha256Digest(layer), image.layerDigests[0]);
  });

  test('a multi-arch index pushes with --all; children are fetched by digest', async () => {
    await pushLayout(layout, 'multi', `${reg.host}/library/multi:v1`);
    assert.equal((await raw(reg, 'library/multi:v1')).stdout, multi.indexBytes.toString());
    const arm = multi.images[1];
    assert.ok(arm !== undefined);
    assert.equal((await raw(reg, `library/multi@${arm.manifestDigest}`)).stdout, arm.manifestBytes.toString());
    reg.reset();
    const out = join(dir, 'multi-out');
    const r = await skopeo(['--override-arch', 'arm64', 'copy', '--src-tls-verify=false', `docker://${reg.host}/library/multi:v1`, `oci:${out}:v1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(reg.count('GET', new RegExp(`/manifests/${arm.manifestDigest}$`)), 1);
    assert.equal(reg.count('GET', new RegExp(`/blobs/${arm.layerDigests[0] ?? ''}$`)), 1);
  });

  test('Docker v2s2 manifests and manifest lists push unchanged', async () => {
    await pushLayout(layout, 'docker', `${reg.host}/library/docker:v1`);
    await pushLayout(layout, 'docker-list', `${reg.host}/library/docker:list`);
    assert.equal((await raw(reg, 'library/docker:v1')).stdout, dockerImage.manifestBytes.toString());
    assert.equal((await raw(reg, 'library/docker:list')).stdout, dockerList.manifestBytes.toString());
    const res = await fetch(`${reg.url}/v2/library/docker/manifests/list`, { headers: { accept: MANIFEST_ACCEPT } });
    assert.equal(res.headers.get('content-type'), 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.equal(sha256Digest(Buffer.from(await res.arrayBuffer())), dockerList.manifestDigest);
  });

  test('a legacy cosign .sig pushes under sha256-<hex>.sig and its signatures verify', async () => {
    await pushLayout(layout, signature.tag, `${reg.host}/library/hello:${signature.tag}`);
    const manifest = JSON.parse((await raw(reg, `library/hello:${signature.tag}`)).stdout) as { layers: { mediaType: string; digest: string; annotations: Record<string, string> }[] };
    assert.equal(manifest.layers.length, 2);
    const verdicts = [];
    for (const layer of manifest.layers) {
      assert.equal(layer.mediaType, 'application/vnd.dev.cosign.simplesigning.v1+json');
      const payload = Buffer.from(await (await fetch(`${reg.url}/v2/library/hello/blobs/${layer.digest}`)).arrayBuffer());
      const sig = Buffer.from(layer.annotations[COSIGN.signatureAnnotation] ?? '', 'base64');
      assert.ok(verify('sha256', payload, publicKey, sig));
      const claims = JSON.parse(payload.toString()) as { critical: { image: { 'docker-manifest-digest': string }; type: string } };
      assert.equal(claims.critical.type, 'cosign container image signature');
      verdicts.push(claims.critical.image['docker-manifest-digest'] === image.manifestDigest);
    }
    assert.deepEqual(verdicts, [true, false]);
  });

  test('a mirror location with a path puts the path in front of the repository name', async () => {
    await pushLayout(layout, 'v1', `${reg.host}/mirror-path/library/hello:v1`);
    const conf = await mirrorRegistriesConf({ prefix: 'docker.io', mirrorLocation: `${reg.host}/mirror-path`, dir });
    reg.reset();
    const r = await skopeo(['inspect', '--raw', 'docker://docker.io/library/hello:v1'], { registriesConf: conf });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, image.manifestBytes.toString());
    assert.deepEqual(reg.requests.map((q) => `${q.method} ${q.path}`), ['GET /v2/', 'GET /v2/mirror-path/library/hello/manifests/v1']);
    assert.equal(reg.requests[1]?.accept, MANIFEST_ACCEPT);
  });

  test('a corrupted blob makes skopeo fail on its digest', async () => {
    const layer = image.layerDigests[0] ?? '';
    reg.corrupt(layer);
    try {
      const r = await skopeo(['copy', '--src-tls-verify=false', `docker://${reg.host}/library/hello:v1`, `oci:${join(dir, 'corrupt')}:v1`]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /digest/i);
      const body = Buffer.from(await (await fetch(`${reg.url}/v2/library/hello/blobs/${layer}`)).arrayBuffer());
      assert.equal(body.length, image.layers[0]?.length);
      assert.notEqual(sha256Digest(body), layer);
    } finally {
      reg.heal();
    }
  });

  test('down and delay', async () => {
    reg.down(true);
    const unavailable = await raw(reg, 'library/hello:v1');
    reg.down('reset');
    const reset = await fetch(`${reg.url}/v2/`).then(() => 'answered', () => 'cut');
    reg.heal();
    assert.notEqual(unavailable.code, 0);
    assert.equal(reset, 'cut');
    reg.delay(150);
    const started = Date.now();
    assert.equal((await fetch(`${reg.url}/v2/`)).status, 200);
    assert.ok(Date.now() - started >= 140);
    reg.heal();
  });
});

describe('OCI fixture registry behind Docker token auth', { skip }, () => {
  let dir: string;
  let layout: string;
  let anonymous: FixtureRegistry;
  let private_: FixtureRegistry;
  let basic: FixtureRegistry;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-oci-token-'));
    layout = join(dir, 'layout');
    await writeLayout(layout, [{ ref: 'v1', ...image }]);
    [anonymous, private_, basic] = await Promise.all([
      startRegistry({ auth: 'token' }),
      startRegistry({ auth: 'token', users: { alice: 's3cret' } }),
      startRegistry({ auth: 'basic', users: { bob: 'pw' } }),
    ]);
  });
  after(async () => {
    await Promise.all([anonymous?.close(), private_?.close(), basic?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  test('anonymous pull: challenge, token from another origin, Bearer retry', async () => {
    await pushLayout(layout, 'v1', `${anonymous.directHost}/library/hello:v1`);
    const r = await raw(anonymous, 'library/hello:v1');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, image.manifestBytes.toString());
    assert.notEqual(new URL(anonymous.tokenUrl ?? '').port, new URL(anonymous.url).port);
    assert.deepEqual(anonymous.requests.map((q) => `${q.method} ${q.path} ${q.status}`), [
      'GET /v2/ 401',
      'GET /v2/library/hello/manifests/v1 200',
    ]);
    assert.match(anonymous.requests[1]?.authorization ?? '', /^Bearer \S+$/);
    assert.deepEqual(anonymous.tokenRequests.map((t) => [t.service, t.scopes, t.user, t.status]), [['fixture-registry', ['repository:library/hello:pull'], undefined, 200]]);

    const challenge = await fetch(`${anonymous.url}/v2/library/hello/manifests/v1`);
    assert.equal(challenge.status, 401);
    assert.equal(challenge.headers.get('www-authenticate'), `Bearer realm="${anonymous.tokenUrl ?? ''}/token",service="fixture-registry",scope="repository:library/hello:pull"`);
    assert.equal(((await challenge.json()) as { errors: { code: string }[] }).errors[0]?.code, 'UNAUTHORIZED');

    const push = await skopeo(['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${anonymous.host}/library/other:v1`]);
    assert.notEqual(push.code, 0, 'anonymous tokens grant pull only');
  });

  test('with users, Basic credentials are required at the token server', async () => {
    await pushLayout(layout, 'v1', `${private_.host}/team/app:v1`, { destCreds: 'alice:s3cret' });
    const anon = await raw(private_, 'team/app:v1');
    assert.notEqual(anon.code, 0);
    const wrong = await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', 'alice:wrong', `docker://${private_.host}/team/app:v1`]);
    assert.notEqual(wrong.code, 0);
    const authfile = await writeAuthFile(join(dir, 'auth.json'), private_.host, 'alice', 's3cret');
    private_.reset();
    const ok = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${private_.host}/team/app:v1`], { authfile });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, image.manifestBytes.toString());
    assert.deepEqual(private_.tokenRequests.map((t) => [t.user, t.status]), [['alice', 200]]);
  });

  test('Basic auth: a Basic challenge, credentials checked on every request', async () => {
    const challenge = await fetch(`${basic.url}/v2/`);
    assert.equal(challenge.status, 401);
    assert.equal(challenge.headers.get('www-authenticate'), 'Basic realm="fixture-registry"');
    await pushLayout(layout, 'v1', `${basic.host}/library/hello:v1`, { destCreds: 'bob:pw' });
    assert.notEqual((await raw(basic, 'library/hello:v1')).code, 0);
    const ok = await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', 'bob:pw', `docker://${basic.host}/library/hello:v1`]);
    assert.equal(ok.stdout, image.manifestBytes.toString());
    assert.ok(basic.requests.filter((q) => q.status === 200).every((q) => q.authorization === `Basic ${Buffer.from('bob:pw').toString('base64')}`));
  });
});
