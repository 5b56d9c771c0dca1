/**
 * What the upstream gets wrong does not reach a client, and what Airlock has is served while
 * the upstream is away: a corrupted layer is refused and never stored, a tag Airlock resolved is
 * served while the registry is down, and after a restart too.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildImage, hasRegistryTools, MANIFEST_ACCEPT, SKIP_NO_REGISTRY_TOOLS } from '../../support/oci/index.ts';
import { startAirlock } from '../../support/start-airlock.ts';
import { ociE2e, REPO, type OciE2e } from './support.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;
let e: OciE2e;
let dataDir: string;

const image = buildImage({ files: { 'srv/index.html': '<h1>kept</h1>\n' } });
const tampered = buildImage({ files: { 'bin/tool': Buffer.alloc(64 * 1024, 3) } });

before(async () => {
  if (skip !== false) return;
  dataDir = await mkdtemp(join(tmpdir(), 'airlock-oci-data-'));
  e = await ociE2e({ dataDir, config: { metadataMaxAge: '1s' } });
  await e.seed('acme/site', [{ ...image, ref: 'v1' }]);
  await e.seed('acme/tool', [{ ...tampered, ref: 'v1' }]);
});

after(async () => {
  await e?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

test('a layer the upstream corrupts is refused, never stored, and served once the upstream is right again', { skip }, async () => {
  const layer = tampered.layerDigests[0] as string;
  e.registry.corrupt(layer);
  const bad = await e.pull('acme/tool:v1');
  assert.notEqual(bad.code, 0);
  // containers/image prints a 5xx's status only (it reads the error body of a 4xx): the body says why.
  assert.match(bad.stderr, /502 \(Bad Gateway\)/);
  const direct = await fetch(`${e.airlock.url}/v2/${REPO}/acme/tool/blobs/${layer}`);
  assert.equal(direct.status, 502);
  const body = (await direct.json()) as { errors: { code: string; message: string }[] };
  assert.match(body.errors[0]?.message ?? '', /acme\/tool: the upstream served bytes for the blob sha256:[0-9a-f]{64} that do not match its digest and size.*refused, nothing was stored/);
  // Nothing was kept: the next request asks the upstream again.
  e.registry.corrupt(layer, false);
  e.registry.reset();
  const good = await e.pull('acme/tool:v1');
  assert.equal(good.code, 0, good.stderr);
  assert.equal(e.registry.count('GET', new RegExp(`/blobs/${layer}`)), 1);
});

test('a corrupted manifest asked for by digest is refused', { skip }, async () => {
  const fresh = buildImage({ files: { 'x.txt': 'manifest corrupted on the way\n' } });
  await e.seed('acme/m', [{ ...fresh, ref: 'v1' }]);
  e.registry.corrupt(fresh.manifestDigest);
  try {
    const r = await e.pull(`acme/m@${fresh.manifestDigest}`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /502 Bad Gateway/);
    const direct = await fetch(`${e.airlock.url}/v2/${REPO}/acme/m/manifests/${fresh.manifestDigest}`);
    assert.equal(direct.status, 502);
    assert.match(await direct.text(), /does not hash to that digest.*refused, nothing was stored/);
  } finally {
    e.registry.corrupt(fresh.manifestDigest, false);
  }
  assert.equal((await e.pull(`acme/m@${fresh.manifestDigest}`)).code, 0);
});

test('a manifest corrupted on its way, asked for by tag, is refused: the registry gave its digest as the ETag', { skip }, async () => {
  const fresh = buildImage({ files: { 'y.txt': 'manifest corrupted on the way, by tag\n' } });
  await e.seed('acme/t', [{ ...fresh, ref: 'v1' }]);
  e.registry.corrupt(fresh.manifestDigest);
  try {
    const direct = await fetch(`${e.airlock.url}/v2/${REPO}/acme/t/manifests/v1`, { headers: { accept: MANIFEST_ACCEPT } });
    assert.equal(direct.status, 502);
    assert.match(await direct.text(), new RegExp(`acme/t:v1 does not hash to the digest the registry gave it \\(${fresh.manifestDigest}; it hashes to sha256:[0-9a-f]{64}\\); refused, nothing was stored`));
  } finally {
    e.registry.corrupt(fresh.manifestDigest, false);
  }
  const r = await e.pull('acme/t:v1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await e.inspectRaw('acme/t:v1')).stdout.trim(), fresh.manifestBytes.toString('utf8'));
});

test('the registry down: an image pulled before is served from what Airlock kept (stale tag)', { skip }, async () => {
  assert.equal((await e.pull('acme/site:v1')).code, 0);
  // Past the tag's max age, so that Airlock asks the upstream and finds it down.
  await new Promise((r) => setTimeout(r, 1100));
  e.registry.down(true);
  try {
    const r = await e.pull('acme/site:v1');
    assert.equal(r.code, 0, r.stderr);
    const never = await e.pull('acme/never-pulled:v1');
    assert.notEqual(never.code, 0);
    assert.match(never.stderr, /502 Bad Gateway/);
  } finally {
    e.registry.down(false);
  }
});

test('after a restart, with the registry down, the image is served by tag and by digest', { skip }, async () => {
  await e.airlock.close();
  e.registry.down(true);
  const airlock = await startAirlock({ dataDir, config: { repositories: [{ name: REPO, format: 'oci', upstream: `${e.registry.url}/`, metadataMaxAge: '1s' }] } });
  try {
    const host = new URL(airlock.url).host;
    const { skopeo } = await import('../../support/oci/index.ts');
    for (const ref of ['acme/site:v1', `acme/site@${image.manifestDigest}`]) {
      const r = await skopeo(['copy', '--src-tls-verify=false', `docker://${host}/${REPO}/${ref}`, `oci:${join(e.tmp, `after-restart-${ref.length}`)}:out`]);
      assert.equal(r.code, 0, r.stderr);
    }
  } finally {
    e.registry.down(false);
    await airlock.close();
  }
});
