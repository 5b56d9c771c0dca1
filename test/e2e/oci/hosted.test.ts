/**
 * A hosted oci repository with the real skopeo: images and multi-arch indexes pushed with a
 * publisher token and pulled back byte for byte, refused without one (skopeo prints why), judged
 * by the gate when pulled (an image the policy refuses is not pullable, and skopeo prints the
 * reasons), kept across a restart, copied between image repositories with a cross-repository
 * mount, and referred to by a cosign v3-style artifact (the referrers API, `OCI-Subject`).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildArtifact, buildImage, buildMultiArch, hasRegistryTools, MANIFEST_ACCEPT, pushObject, skopeo, SKIP_NO_REGISTRY_TOOLS } from '../../support/oci/index.ts';
import { HOSTED, hostedOci, type HostedOci } from './hosted-support.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;
const image = buildImage({ files: { 'app/hello.txt': 'hello from a hosted image\n' } });
const multi = buildMultiArch([
  { files: { 'bin/app': 'amd64 build\n' }, architecture: 'amd64' },
  { files: { 'bin/app': 'arm64 build\n' }, architecture: 'arm64', variant: 'v8' },
]);

describe('pushing to and pulling from a hosted oci repository', { skip }, () => {
  let h: HostedOci;
  before(async () => {
    h = await hostedOci({ top: { policy: { data: { airlock: { settings: { image_signers: [{ images: ['signed/*'], key_hint: 'f'.repeat(64) }] } } } } } });
  });
  after(async () => {
    await h?.close();
  });

  test('an image pushed with skopeo comes back byte for byte, by tag and by digest', async () => {
    const pushed = await h.push('team/app:v1', [{ ...image, ref: 'v1' }], 'v1');
    assert.equal(pushed.code, 0, pushed.stderr);
    const pulled = await h.pull('team/app:v1');
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.digest, image.manifestDigest);
    const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${h.host}/${HOSTED}/team/app@${image.manifestDigest}`]);
    assert.equal(raw.stdout, image.manifestBytes.toString('utf8'));
    const tags = await skopeo(['list-tags', '--tls-verify=false', `docker://${h.host}/${HOSTED}/team/app`]);
    assert.deepEqual((JSON.parse(tags.stdout) as { Tags: string[] }).Tags, ['v1']);
  });

  test('a multi-arch index is pushed whole and pulled back whole', async () => {
    const pushed = await h.push('team/multi:1.0.0', [{ ...multi, ref: '1.0.0' }], '1.0.0');
    assert.equal(pushed.code, 0, pushed.stderr);
    const pulled = await h.pull('team/multi:1.0.0');
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.digest, multi.manifestDigest);
    for (const child of multi.images) {
      const res = await h.fetch(`/v2/${HOSTED}/team/multi/manifests/${child.manifestDigest}`, { headers: { accept: MANIFEST_ACCEPT } });
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), child.manifestBytes);
    }
  });

  test('a push without a token, or with a reader token, is refused, and skopeo says why', async () => {
    const anonymous = await h.push('team/other:v1', [{ ...image, ref: 'v1' }], 'v1', null);
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /unauthorized: Airlock: pushing to hosted needs a token with the publisher role/);
    const reader = await h.push('team/other:v1', [{ ...image, ref: 'v1' }], 'v1', `dev:${h.reader}`);
    assert.notEqual(reader.code, 0);
    // Said once, with the role the token has (not "… the publisher role; this needs the publisher role; …").
    assert.match(reader.stderr, /denied: Airlock: pushing to hosted needs a token with the publisher role, and this one has the reader role: log in with a publisher token"$/m);
    assert.equal((await h.fetch(`/v2/${HOSTED}/team/other/tags/list`)).status, 404, 'nothing was stored');
  });

  test('a pushed image the policy refuses is not pullable, and skopeo prints the reasons', async () => {
    const pushed = await h.push('signed/app:v1', [{ ...image, ref: 'v1' }], 'v1');
    assert.equal(pushed.code, 0, pushed.stderr);
    const pulled = await h.pull('signed/app:v1');
    assert.notEqual(pulled.code, 0);
    assert.match(pulled.stderr, /denied: Airlock: signed\/app@sha256:[0-9a-f]{12} is blocked by Airlock policy: .*must be signed by the key f{64} \(image_signers\), but it is not signed \[image\.signature_required\]/);
    const blob = await h.fetch(`/v2/${HOSTED}/signed/app/blobs/${image.layerDigests[0]}`);
    assert.equal(blob.status, 404, 'its layers are not served either');
  });

  test('skopeo copies between image repositories; a cross-repository mount answers 201 with no upload', async () => {
    const r = await skopeo(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--preserve-digests', '--dest-creds', `ci:${h.publisher}`, `docker://${h.host}/${HOSTED}/team/app:v1`, `docker://${h.host}/${HOSTED}/team/copy:v1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await h.pull('team/copy:v1')).digest, image.manifestDigest);
    // The mount itself, as the protocol has it: 201 with the blob's location, no upload.
    const mount = await h.fetch(`/v2/${HOSTED}/team/third/blobs/uploads/?mount=${image.layerDigests[0]}&from=${HOSTED}/team/app`, { method: 'POST' });
    assert.equal(mount.status, 201);
    assert.equal(mount.headers.get('docker-content-digest'), image.layerDigests[0]);
    // From an image repository that lacks the blob, or from another Airlock repository: a plain upload (202).
    const fallback = await h.fetch(`/v2/${HOSTED}/team/third/blobs/uploads/?mount=${image.configDigest}&from=containers/team/app`, { method: 'POST' });
    assert.equal(fallback.status, 202);
    assert.match(fallback.headers.get('location') ?? '', /^\/v2\/hosted\/team\/third\/blobs\/uploads\/[0-9a-f-]{36}$/);
  });

  test('an artifact referring to a pushed image is listed by the referrers API, and the push names its subject', async () => {
    const bundle = Buffer.from(JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', note: 'test bundle' }));
    const artifact = buildArtifact({ artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json', layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', bytes: bundle }], subject: image, annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' } });
    await pushObject(h.airlock.url, `${HOSTED}/team/app`, artifact.manifestDigest, artifact, { authorization: `Bearer ${h.publisher}` });
    const again = await h.fetch(`/v2/${HOSTED}/team/app/manifests/${artifact.manifestDigest}`, { method: 'PUT', headers: { 'content-type': artifact.mediaType }, body: artifact.manifestBytes });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('oci-subject'), image.manifestDigest);
    const res = await h.fetch(`/v2/${HOSTED}/team/app/referrers/${image.manifestDigest}?artifactType=application%2Fvnd.dev.sigstore.bundle.v0.3%2Bjson`, { token: null });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('oci-filters-applied'), 'artifactType');
    const index = (await res.json()) as { manifests: { digest: string; artifactType: string; annotations: Record<string, string> }[] };
    assert.deepEqual(index.manifests.map((m) => [m.digest, m.artifactType, m.annotations['dev.sigstore.bundle.content']]), [[artifact.manifestDigest, 'application/vnd.dev.sigstore.bundle.v0.3+json', 'dsse-envelope']]);
  });

  test('a manifest naming a blob that was not uploaded is refused (MANIFEST_BLOB_UNKNOWN)', async () => {
    const other = buildImage({ files: { 'never/uploaded': 'x\n' } });
    const res = await h.fetch(`/v2/${HOSTED}/team/app/manifests/broken`, { method: 'PUT', headers: { 'content-type': other.mediaType }, body: other.manifestBytes });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { errors: { code: string; message: string }[] };
    assert.equal(body.errors[0]?.code, 'MANIFEST_BLOB_UNKNOWN');
    assert.match(body.errors[0]?.message ?? '', /names the blob sha256:[0-9a-f]{64} .* which has not been uploaded/);
    assert.equal((await h.fetch(`/v2/${HOSTED}/team/app/manifests/broken`, { headers: { accept: MANIFEST_ACCEPT } })).status, 404);
  });

  test('deleting needs what the unpublish rule names (admins by default): a tag, then a manifest by digest', async () => {
    const publisherDelete = await h.fetch(`/v2/${HOSTED}/team/copy/manifests/v1`, { method: 'DELETE' });
    assert.equal(publisherDelete.status, 403);
    const untag = await h.fetch(`/v2/${HOSTED}/team/copy/manifests/v1`, { method: 'DELETE', token: h.airlock.adminToken });
    assert.equal(untag.status, 202);
    assert.equal((await h.fetch(`/v2/${HOSTED}/team/copy/manifests/v1`, { headers: { accept: MANIFEST_ACCEPT } })).status, 404);
    assert.equal((await h.fetch(`/v2/${HOSTED}/team/copy/manifests/${image.manifestDigest}`, { headers: { accept: MANIFEST_ACCEPT } })).status, 200, 'the manifest stays by digest');
    assert.equal((await h.fetch(`/v2/${HOSTED}/team/copy/manifests/${image.manifestDigest}`, { method: 'DELETE', token: h.airlock.adminToken })).status, 202);
    assert.equal((await h.fetch(`/v2/${HOSTED}/team/copy/manifests/${image.manifestDigest}`, { headers: { accept: MANIFEST_ACCEPT } })).status, 404);
  });
});

describe('a hosted oci repository across a restart', { skip }, () => {
  test('pushed images are kept in the stores and pulled after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'airlock-e2e-oci-restart-'));
    try {
      const first = await hostedOci({ dataDir });
      try {
        const pushed = await first.push('team/app:v1', [{ ...multi, ref: 'v1' }], 'v1');
        assert.equal(pushed.code, 0, pushed.stderr);
      } finally {
        await first.close();
      }
      const second = await hostedOci({ dataDir });
      try {
        const pulled = await second.pull('team/app:v1');
        assert.equal(pulled.code, 0, pulled.stderr);
        assert.equal(pulled.digest, multi.manifestDigest);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a hosted oci repository served by two gateways over one data directory', { skip }, () => {
  test('a manifest deleted through one gateway is gone from the other, though the other had served it by digest', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'airlock-e2e-oci-two-'));
    try {
      const a = await hostedOci({ dataDir });
      const b = await hostedOci({ dataDir });
      try {
        const pushed = await a.push('team/app:v1', [{ ...image, ref: 'v1' }], 'v1');
        assert.equal(pushed.code, 0, pushed.stderr);
        const byDigest = `/v2/${HOSTED}/team/app/manifests/${image.manifestDigest}`;
        const pulled = await b.pull(`team/app@${image.manifestDigest}`);
        assert.equal(pulled.code, 0, pulled.stderr);
        assert.equal((await b.fetch(byDigest, { headers: { accept: MANIFEST_ACCEPT } })).status, 200);
        assert.equal((await a.fetch(`/v2/${HOSTED}/team/app/manifests/v1`, { method: 'DELETE', token: a.airlock.adminToken })).status, 202);
        assert.equal((await a.fetch(byDigest, { method: 'DELETE', token: a.airlock.adminToken })).status, 202);
        const gone = await b.fetch(byDigest, { headers: { accept: MANIFEST_ACCEPT } });
        assert.equal(gone.status, 404);
        assert.equal(((await gone.json()) as { errors: { code: string }[] }).errors[0]?.code, 'MANIFEST_UNKNOWN');
        const again = await b.pull(`team/app@${image.manifestDigest}`);
        assert.notEqual(again.code, 0, 'skopeo cannot pull the deleted manifest from the other gateway');
      } finally {
        await b.close();
        await a.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
