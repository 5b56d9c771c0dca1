/**
 * Garbage collection of a hosted oci repository, with the real skopeo: two images of one image
 * repository share a layer; one is deleted (`skopeo delete` with an admin token) and
 * `airlock storage sweep` removes its own layer's bytes from the blob store, while the shared
 * layer stays and the other image pulls back byte for byte. A blob uploaded and named by no
 * manifest is dropped once older than the grace (by the sweep, and by the next write to its
 * image repository), a young one is kept. Airlock's clock is set back to make an upload old.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assembleImage, buildLayer, hasRegistryTools, MEDIA_TYPES, sha256Digest, skopeo, SKIP_NO_REGISTRY_TOOLS, type BuiltImage } from '../../support/oci/index.ts';
import { airlockCli } from '../npm/support.ts';
import { HOSTED, hostedOci, type HostedOci } from './hosted-support.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;
const DAY = 86_400_000;
const base = buildLayer({ 'etc/base.txt': 'a base layer both images share\n' });

function onBase(own: string): BuiltImage {
  const layer = buildLayer({ 'app/own.txt': own });
  const diffIds = [base.diffId, layer.diffId];
  const config = Buffer.from(JSON.stringify({ created: '2026-01-01T00:00:00Z', architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds } }));
  return assembleImage({
    flavour: 'oci',
    configBytes: config,
    layers: [base.bytes, layer.bytes].map((bytes) => ({ bytes, mediaType: MEDIA_TYPES.ociLayerGzip })),
    diffIds,
    platform: { architecture: 'amd64', os: 'linux' },
  });
}

const one = onBase('the first image\n');
const two = onBase('the second image\n');

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('garbage collection of a hosted oci repository', { skip }, () => {
  let h: HostedOci;
  let offset = 0;
  const blobPath = (digest: string): string => join(h.airlock.dataDir, 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7));
  const head = async (digest: string, name = 'team/app'): Promise<number> => (await h.fetch(`/v2/${HOSTED}/${name}/blobs/${digest}`, { method: 'HEAD' })).status;
  const upload = async (text: string, name = 'team/app'): Promise<string> => {
    const digest = sha256Digest(Buffer.from(text));
    const res = await h.fetch(`/v2/${HOSTED}/${name}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: text, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.status, 201, await res.text());
    return digest;
  };
  const sweep = (grace: string) => airlockCli(['storage', 'sweep', '--data-dir', h.airlock.dataDir, '--grace', grace], {});

  before(async () => {
    h = await hostedOci({ clock: () => new Date(Date.now() + offset) });
  });
  after(async () => {
    await h?.close();
  });

  test('an image deleted: the sweep removes its own layer, keeps the shared one, and the other image pulls byte for byte', async () => {
    for (const [image, tag] of [[one, 'one'], [two, 'two']] as const) {
      const pushed = await h.push(`team/app:${tag}`, [{ ...image, ref: tag }], tag);
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    const [shared, ownOne] = one.layerDigests as [string, string];
    const ownTwo = two.layerDigests[1] as string;
    assert.equal(shared, two.layerDigests[0]);
    for (const d of [shared, ownOne, ownTwo, one.configDigest]) assert.ok(await exists(blobPath(d)), `${d} is in the blob store`);

    const deleted = await skopeo(['delete', '--tls-verify=false', '--creds', `admin:${h.airlock.adminToken}`, `docker://${h.host}/${HOSTED}/team/app:one`]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(await head(ownOne), 404, 'the record no longer names the deleted image\'s own layer');
    assert.equal(await head(one.configDigest), 404, 'nor its config');
    assert.equal(await head(shared), 200, 'the shared layer is still named');

    const swept = await sweep('0s');
    assert.equal(swept.code, 0, swept.stderr);
    assert.equal(await exists(blobPath(ownOne)), false, 'the deleted image\'s own layer is gone from the blob store');
    assert.equal(await exists(blobPath(one.configDigest)), false, 'and its config');
    assert.equal(await exists(blobPath(one.manifestDigest)), false, 'and its manifest');
    for (const d of [shared, ownTwo, two.configDigest, two.manifestDigest]) assert.ok(await exists(blobPath(d)), `${d} stays`);

    const dir = join(h.tmp, 'pulled-two');
    const pulled = await skopeo(['copy', '--src-tls-verify=false', `docker://${h.host}/${HOSTED}/team/app:two`, `oci:${dir}:two`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.deepEqual(await readFile(join(dir, 'blobs', 'sha256', two.manifestDigest.slice(7))), two.manifestBytes);
    for (const [i, d] of two.layerDigests.entries()) assert.deepEqual(await readFile(join(dir, 'blobs', 'sha256', d.slice(7))), two.layers[i]);
    const gone = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${h.host}/${HOSTED}/team/app@${one.manifestDigest}`]);
    assert.notEqual(gone.code, 0);
  });

  test('deleting a manifest an index lists is refused, naming the index', async () => {
    const { buildMultiArch } = await import('../../support/oci/index.ts');
    const multi = buildMultiArch([
      { files: { 'bin/app': 'amd64\n' }, architecture: 'amd64' },
      { files: { 'bin/app': 'arm64\n' }, architecture: 'arm64' },
    ]);
    const pushed = await h.push('team/multi:1.0', [{ ...multi, ref: '1.0' }], '1.0');
    assert.equal(pushed.code, 0, pushed.stderr);
    const child = multi.images[0]?.manifestDigest as string;
    const refused = await h.fetch(`/v2/${HOSTED}/team/multi/manifests/${child}`, { method: 'DELETE', token: h.airlock.adminToken });
    assert.equal(refused.status, 409);
    const body = (await refused.json()) as { errors: { code: string; message: string }[] };
    assert.equal(body.errors[0]?.code, 'DENIED');
    assert.match(body.errors[0]?.message ?? '', new RegExp(`is listed by the index ${multi.manifestDigest} \\(tagged 1\\.0\\); delete the index first`));
    assert.equal((await h.fetch(`/v2/${HOSTED}/team/multi/manifests/${multi.manifestDigest}`, { method: 'DELETE', token: h.airlock.adminToken })).status, 202);
    for (const c of multi.images) {
      assert.equal((await h.fetch(`/v2/${HOSTED}/team/multi/manifests/${c.manifestDigest}`, { method: 'HEAD' })).status, 404, 'its untagged children went with it');
    }
  });

  test('an upload no manifest names: dropped by the sweep once older than the grace, a young one kept', async () => {
    // In two image repositories: an upload to the one with the old upload would drop it (the next test).
    offset = -2 * DAY;
    const old = await upload('uploaded two days ago, never named\n', 'team/stale');
    offset = 0;
    const young = await upload('uploaded just now, its manifest still to come\n', 'team/fresh');
    assert.deepEqual([await head(old, 'team/stale'), await head(young, 'team/fresh')], [200, 200]);
    const swept = await sweep('1d');
    assert.equal(swept.code, 0, swept.stderr);
    assert.match(swept.stdout, /^dropped 1 blobs no manifest names \(0\.0 MiB\) from 1 of 4 hosted image repositories; /);
    assert.equal(await head(old, 'team/stale'), 404);
    assert.equal(await head(young, 'team/fresh'), 200);
  });

  test('the next write to the image repository drops an old upload too, and the audit trail says what it dropped', async () => {
    offset = -2 * DAY;
    const old = await upload('another old upload\n');
    offset = 0;
    assert.equal(await head(old), 200);
    const next = await upload('the next write\n');
    assert.equal(await head(old), 404);
    assert.equal(await head(next), 200);
    const audit = await h.fetch('/-/api/audit?limit=1000', { token: h.airlock.adminToken });
    assert.equal(audit.status, 200);
    const events = JSON.stringify(await audit.json());
    assert.match(events, new RegExp(`"action":"image\\.gc".*"blobs":\\["${old}"\\]`));
  });
});
