/**
 * The gate on images, with the real skopeo: a young image is quarantined and skopeo prints why,
 * the quarantine id and how to ask for release; `airlock quarantine release` lets the same pull
 * through at once. `image_signers` makes a cosign signature by a named key required: a signature
 * that checks out lets the image through, one made for another image is refused.
 */
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildImage, buildMultiArch, cosignLegacySignatureLayout, hasRegistryTools, MANIFEST_ACCEPT, SKIP_NO_REGISTRY_TOOLS } from '../../support/oci/index.ts';
import { imageSigner, ociE2e, REPO, type ImageSigner, type OciE2e } from './support.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;

describe('quarantine and release', { skip }, () => {
  let e: OciE2e;
  // Built an hour ago: inside the built-in policy's cooldown.
  const young = buildImage({ files: { 'new.txt': 'just built\n' }, created: new Date(Date.now() - 3600_000).toISOString() });
  before(async () => {
    e = await ociE2e();
    await e.seed('acme/fresh', [{ ...young, ref: 'v1' }]);
  });
  after(async () => {
    await e?.close();
  });

  test('a young image is quarantined: skopeo prints the reason, the id and how to release it', async () => {
    const r = await e.pull('acme/fresh:v1');
    assert.notEqual(r.code, 0);
    const m = /denied: Airlock: acme\/fresh@sha256:[0-9a-f]{12} is quarantined by Airlock: .*hours ago.*cooldown.*Quarantine id (\S+);.*airlock quarantine release \1/.exec(r.stderr);
    assert.ok(m, r.stderr);
    const id = (m[1] as string).replace(/[;,]$/, '');
    // Nothing of it was served: no layer was fetched for a client.
    assert.equal(e.registry.count('GET', new RegExp(`/blobs/${young.layerDigests[0]}`)), 0);

    const list = await e.cli(['quarantine', 'list', '--format', 'json']);
    const records = JSON.parse(list.stdout) as { id: string; purl: string; state: string }[];
    const rec = records.find((q) => q.id === id);
    assert.equal(rec?.purl, `pkg:oci/acme/fresh@${encodeURIComponent(young.manifestDigest)}`);
    assert.equal(rec?.state, 'quarantined');

    const released = await e.cli(['quarantine', 'release', id, '--reason', 'reviewed the Dockerfile']);
    assert.equal(released.code, 0, released.stderr);
    const again = await e.pull('acme/fresh:v1');
    assert.equal(again.code, 0, again.stderr);
  });
});

describe('a multi-platform image whose platform images are young', { skip }, () => {
  let e: OciE2e;
  const built = new Date(Date.now() - 3600_000).toISOString();
  const multi = buildMultiArch([
    { files: { 'arch.txt': 'amd64, just built\n' }, architecture: 'amd64', created: built },
    { files: { 'arch.txt': 'arm64, just built\n' }, architecture: 'arm64', created: built },
  ]);
  before(async () => {
    e = await ociE2e();
    await e.seed('acme/multi', [{ ...multi, ref: 'v1' }]);
  });
  after(async () => {
    await e?.close();
  });

  test('each platform image is judged with its own build date: the cooldown holds it, though the index has no date', async () => {
    const r = await e.pull('acme/multi:v1', { all: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /denied: Airlock: acme\/multi@sha256:[0-9a-f]{12} is quarantined by Airlock: .*hours ago.*\[cooldown\]/);
    const platform = multi.images[0]?.manifestDigest ?? '';
    const purl = `pkg:oci/acme/multi@${encodeURIComponent(platform)}`;
    const decisions = (await e.api(`decisions?purl=${encodeURIComponent(purl)}`)) as { items: { phase: string; verdict: string; facts: { image?: { index: string | null; kind: string } } }[] };
    const artifact = decisions.items.find((d) => d.phase === 'artifact');
    assert.equal(artifact?.verdict, 'quarantine');
    assert.equal(artifact?.facts.image?.index, multi.indexDigest);
    assert.equal(artifact?.facts.image?.kind, 'image');
  });
});

describe('required signatures (cosign, key-based)', { skip }, () => {
  let e: OciE2e;
  let key: KeyObject;
  let signer: ImageSigner;
  const unsigned = buildImage({ files: { 'a.txt': 'unsigned\n' } });
  const signed = buildImage({ files: { 'b.txt': 'signed\n' } });
  const stolen = buildImage({ files: { 'c.txt': 'carries a signature made for another image\n' } });
  const other = buildImage({ files: { 'library.txt': 'no rule names me\n' } });
  before(async () => {
    signer = await imageSigner();
    key = signer.privateKey;
    e = await ociE2e(signer.options);
    const good = cosignLegacySignatureLayout({ imageDigest: signed.manifestDigest, signatures: [{ privateKey: key, dockerReference: 'registry.example/signed/app' }] });
    // A real signature, of another image, put on this one's signature tag.
    const moved = cosignLegacySignatureLayout({ imageDigest: stolen.manifestDigest, signatures: [{ privateKey: key, payloadDigest: signed.manifestDigest }] });
    await e.seed('signed/app', [
      { ...unsigned, ref: 'unsigned' },
      { ...signed, ref: 'v1' },
      { ...good, ref: good.tag },
      { ...stolen, ref: 'stolen' },
      { ...moved, ref: moved.tag },
    ]);
    await e.seed('library/other', [{ ...other, ref: 'v1' }]);
  });
  after(async () => {
    await e?.close();
    await signer?.close();
  });

  test('an image signed with the required key is served', async () => {
    const r = await e.pull('signed/app:v1');
    assert.equal(r.code, 0, r.stderr);
  });

  test('an unsigned image is refused, and skopeo says who must sign it', async () => {
    const r = await e.pull('signed/app:unsigned');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /denied: Airlock: signed\/app@sha256:[0-9a-f]{12} is blocked by Airlock policy: .*must be signed by the key [0-9a-f]{64} \(image_signers\), but it is not signed \[image\.signature_required\]/);
  });

  test('Docker\'s engine is told a refusal as UNKNOWN (a DENIED it takes for no access), other clients as DENIED', async () => {
    const refusal = async (userAgent: string) => {
      const res = await fetch(`${e.airlock.url}/v2/${REPO}/signed/app/manifests/${unsigned.manifestDigest}`, { headers: { accept: MANIFEST_ACCEPT, 'user-agent': userAgent } });
      return [res.status, ((await res.json()) as { errors: { code: string }[] }).errors[0]?.code];
    };
    assert.deepEqual(await refusal('docker/20.10.24+dfsg1 go/go1.19.8 git-commit/5d6db84 kernel/6.1 os/linux arch/amd64 UpstreamClient(Docker-Client/28.2.2 \\(linux\\))'), [403, 'UNKNOWN']);
    assert.deepEqual(await refusal('containerd/1.6.20~ds1'), [403, 'DENIED']);
    assert.deepEqual(await refusal('skopeo/1.9.3'), [403, 'DENIED']);
  });

  test('a signature made for another image is refused as invalid', async () => {
    const r = await e.pull('signed/app:stolen');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /does not check out.*\[image\.signature_invalid\]/);
  });

  test('an image no rule names needs no signature', async () => {
    const r = await e.pull('library/other:v1');
    assert.equal(r.code, 0, r.stderr);
  });

  test('the decision records what the signature proved', async () => {
    const purl = `pkg:oci/signed/app@${encodeURIComponent(signed.manifestDigest)}`;
    const decisions = (await e.api(`decisions?purl=${encodeURIComponent(purl)}`)) as { items: { phase: string; verdict: string; facts: { image_signature?: { status: string; signers: { mode: string; source: string }[] } } }[] };
    const artifact = decisions.items.find((d) => d.phase === 'artifact');
    assert.equal(artifact?.verdict, 'allow');
    assert.equal(artifact?.facts.image_signature?.status, 'verified');
    assert.deepEqual(artifact?.facts.image_signature?.signers.map((s) => [s.mode, s.source]), [['key', 'tag']]);
  });
});

describe('a release tag that moves', { skip }, () => {
  let e: OciE2e;
  const first = buildImage({ files: { 'bin/tool': 'release 1.4.2, as published\n' } });
  const repushed = buildImage({ files: { 'bin/tool': 'release 1.4.2, pushed again by someone else\n' } });
  before(async () => {
    e = await ociE2e({ config: { metadataMaxAge: '0s' }, top: { policy: { data: { airlock: { settings: { image_tag_moved: 'quarantine' } } } } } });
    await e.seed('acme/tool', [{ ...first, ref: '1.4.2' }, { ...first, ref: 'latest' }]);
  });
  after(async () => {
    await e?.close();
  });

  test('is held once it points at another manifest; a floating tag that moves is not', async () => {
    assert.equal((await e.pull('acme/tool:1.4.2')).code, 0);
    assert.equal((await e.pull('acme/tool:latest')).code, 0);
    await e.seed('acme/tool', [{ ...repushed, ref: '1.4.2' }, { ...repushed, ref: 'latest' }]);
    const moved = await e.pull('acme/tool:1.4.2');
    assert.notEqual(moved.code, 0);
    assert.match(moved.stderr, new RegExp(`denied: Airlock: acme/tool@sha256:[0-9a-f]{12} is quarantined by Airlock: .*the release tag 1\\.4\\.2 pointed at ${first.manifestDigest.slice(0, 19)} when Airlock first saw it .*\\[image\\.tag_moved\\]`));
    assert.equal((await e.pull('acme/tool:latest')).code, 0, 'latest is meant to move');
    // Pinned by digest, the new manifest is what the client chose.
    assert.equal((await e.pull(`acme/tool@${repushed.manifestDigest}`)).code, 0);
  });
});
