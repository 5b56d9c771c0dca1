/**
 * Keyless cosign v3 signatures through Airlock, with the real skopeo: the signature is a Sigstore
 * bundle (DSSE, the sign/v1 statement about the image digest) stored as an OCI 1.1 referrer.
 * Debian's registry has no referrers API, so the pushing client keeps the referrers tag
 * `sha256-<hex>`, as cosign does against such a registry; Airlock finds the bundle there, checks
 * it against its Sigstore trusted root (a private Sigstore here), and serves the referrers API
 * from it. `image_signers` requires the workflow identity.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { COSIGN } from '../../../src/verify/cosign/index.ts';
import { cosignSignStatement } from '../../../src/verify/cosign/test-support.ts';
import { buildArtifact, buildImage, hasRegistryTools, pushObject, sha256Digest, SKIP_NO_REGISTRY_TOOLS, type BuiltImage, type BuiltObject } from '../../support/oci/index.ts';
import { createTestSigstore, hasOpenssl, WORKFLOW, type TestSigstore } from '../../support/sigstore-pki.ts';
import { ociE2e, REPO, type OciE2e } from './support.ts';

const skip = !hasRegistryTools() ? SKIP_NO_REGISTRY_TOOLS : !hasOpenssl() ? 'openssl is needed for the private Sigstore' : false;

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** The referrer cosign v3 pushes for a bundle: an artifact with the bundle as its layer and the image as its subject. */
function bundleReferrer(image: BuiltImage, bundle: Buffer): BuiltObject {
  return buildArtifact({
    artifactType: COSIGN.bundleArtifactType,
    layers: [{ mediaType: COSIGN.bundleArtifactType, bytes: bundle }],
    subject: image,
    annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': COSIGN.signPredicate },
  });
}

/** The referrers tag a client keeps where the registry has no referrers API: an index of the referrers' descriptors. */
function referrersTag(referrers: readonly BuiltObject[]): BuiltObject {
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: referrers.map((r) => ({ mediaType: r.mediaType, digest: r.manifestDigest, size: r.manifestBytes.length, artifactType: COSIGN.bundleArtifactType })),
    }),
  );
  const blobs = new Map<string, Buffer>();
  for (const r of referrers) for (const [d, b] of r.blobs) blobs.set(d, b);
  blobs.set(sha256Digest(index), index);
  return { mediaType: OCI_INDEX, manifestDigest: sha256Digest(index), manifestBytes: index, blobs };
}

describe('keyless cosign v3 signatures stored as referrers', { skip }, () => {
  let e: OciE2e;
  let sigstore: TestSigstore;
  const signed = buildImage({ files: { 'app/run': '#!/bin/sh\necho signed\n' } });
  const unsigned = buildImage({ files: { 'app/run': '#!/bin/sh\necho unsigned\n' } });
  let referrer: BuiltObject;

  before(async () => {
    sigstore = createTestSigstore();
    const bundle = Buffer.from(JSON.stringify(sigstore.dsseBundle(cosignSignStatement(signed.manifestDigest)).bundle));
    referrer = bundleReferrer(signed, bundle);
    const rootDir = await mkdtemp(join(tmpdir(), 'airlock-sigstore-root-'));
    const rootFile = join(rootDir, 'trusted_root.json');
    await writeFile(rootFile, JSON.stringify(sigstore.trustedRoot));
    try {
      e = await ociE2e({
        config: { sigstoreTrustedRoot: rootFile },
        top: { policy: { data: { airlock: { settings: { image_signers: [{ images: ['keyless/*'], identity: WORKFLOW.san, issuer: WORKFLOW.issuer }] } } } } },
      });
    } finally {
      await rm(rootDir, { recursive: true, force: true });
    }
    await e.seed('keyless/app', [
      { ...signed, ref: 'v1' },
      { ...unsigned, ref: 'unsigned' },
    ]);
    // skopeo 1.9.3 will not copy an index whose descriptors carry artifactType unchanged: pushed as cosign does.
    await pushObject(e.registry.directUrl, 'keyless/app', signed.manifestDigest.replace(':', '-'), referrersTag([referrer]));
  });
  after(async () => {
    await e?.close();
    sigstore?.close();
  });

  test('an image with a keyless signature by the required workflow is served', async () => {
    const r = await e.pull('keyless/app:v1');
    assert.equal(r.code, 0, r.stderr);
    const purl = `pkg:oci/keyless/app@${encodeURIComponent(signed.manifestDigest)}`;
    const decisions = (await e.api(`decisions?purl=${encodeURIComponent(purl)}`)) as { items: { phase: string; facts: { image_signature?: { status: string; signers: { mode: string; identity: string; issuer: string; source: string; predicate_type: string }[] } } }[] };
    const signature = decisions.items.find((d) => d.phase === 'artifact')?.facts.image_signature;
    assert.equal(signature?.status, 'verified');
    assert.deepEqual(signature?.signers.map((s) => [s.mode, s.identity, s.issuer, s.source, s.predicate_type]), [['keyless', WORKFLOW.san, WORKFLOW.issuer, 'referrer', COSIGN.signPredicate]]);
  });

  test('an image of the same repository without one is refused', async () => {
    const r = await e.pull('keyless/app:unsigned');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /denied: Airlock: keyless\/app@sha256:[0-9a-f]{12} is blocked by Airlock policy: .*must be signed by https:\/\/github\.com\/acme\/widget.*but it is not signed \[image\.signature_required\]/);
  });

  test('the referrers API answers from the referrers tag, filtered by artifact type when asked', async () => {
    const all = await fetch(`${e.airlock.url}/v2/${REPO}/keyless/app/referrers/${signed.manifestDigest}`);
    assert.equal(all.status, 200);
    const index = (await all.json()) as { manifests: { digest: string; artifactType: string }[] };
    assert.deepEqual(index.manifests.map((m) => [m.digest, m.artifactType]), [[referrer.manifestDigest, COSIGN.bundleArtifactType]]);
    const filtered = await fetch(`${e.airlock.url}/v2/${REPO}/keyless/app/referrers/${signed.manifestDigest}?artifactType=${encodeURIComponent('application/spdx+json')}`);
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(((await filtered.json()) as { manifests: unknown[] }).manifests, []);
  });
});
