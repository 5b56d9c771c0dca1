/**
 * Real cosign output (test/fixtures/cosign): key-based legacy signatures from containers/image's
 * test data, one with a public-good Rekor entry, and cosign's own v0.3 DSSE bundle of an OCI
 * attestation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { EMPTY_TRUSTED_ROOT, publicGoodTrustedRoot } from '../sigstore/index.ts';
import { modelSigningKeyHint } from '../model-signing/index.ts';
import { verifyCosignSignatures } from './index.ts';
import { containersImageCase, COSIGN_PUB, COSIGN2_PUB, fixture, keyTrust, NOW, refused, verifiedSigners } from './fixture-support.ts';
import { cosignPayload } from './test-support.ts';

const VALID = containersImageCase('dir-img-cosign-valid');
const REKOR = containersImageCase('dir-img-cosign-key-rekor-valid');
const ATTESTATION = fixture('oci-attestation.sigstore.json');
const ATTESTED_IMAGE = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';
const hint = (pem: string): string => modelSigningKeyHint(createPublicKey(pem));

test('the fixture payload is what cosign writes, byte for byte, and names the manifest it signs', () => {
  assert.equal(VALID.digest, 'sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00');
  assert.deepEqual(cosignPayload(VALID.digest, '192.168.64.2:5000/cosign-signed-single-sample'), VALID.payload);
});

test('dir-img-cosign-valid verifies with cosign.pub', () => {
  const [signer, ...rest] = verifiedSigners(verifyCosignSignatures(VALID.digest, { legacy: [VALID.signature], bundles: [] }, keyTrust(COSIGN_PUB), NOW));
  assert.deepEqual(rest, []);
  assert.deepEqual(signer, { mode: 'key', identity: null, issuer: null, keyHint: hint(COSIGN_PUB), source: 'tag', predicateType: null, signedAt: null, extensions: {} });
  // With other keys configured too, the one that verifies is reported.
  const [other] = verifiedSigners(verifyCosignSignatures(VALID.digest, { legacy: [VALID.signature], bundles: [] }, keyTrust(COSIGN2_PUB, createPublicKey(COSIGN_PUB)), NOW));
  assert.equal(other?.keyHint, hint(COSIGN_PUB));
});

test('dir-img-cosign-valid with cosign2.pub, or no key: unverifiable, not invalid', () => {
  refused(verifyCosignSignatures(VALID.digest, { legacy: [VALID.signature], bundles: [] }, keyTrust(COSIGN2_PUB), NOW), 'unverifiable', /^legacy signature 1 of 1 \(\.sig tag\): none of the 1 configured cosign keys verifies the signature/);
  refused(verifyCosignSignatures(VALID.digest, { legacy: [VALID.signature], bundles: [] }, keyTrust(), NOW), 'unverifiable', /no key is configured for cosign signatures/);
});

test('a real signature checked for another image: invalid (a signature moved from another image)', () => {
  refused(verifyCosignSignatures(REKOR.digest, { legacy: [VALID.signature], bundles: [] }, keyTrust(COSIGN_PUB), NOW), 'invalid', /signs the image "sha256:634a8f35.*", not sha256:0489474d.*: a signature of another image/);
});

test('dir-img-cosign-key-rekor-valid verifies with cosign2.pub, dated by its public-good Rekor entry', () => {
  const trust = { sigstoreRoot: publicGoodTrustedRoot(), keys: [COSIGN2_PUB] };
  const [signer] = verifiedSigners(verifyCosignSignatures(REKOR.digest, { legacy: [REKOR.signature], bundles: [] }, trust, NOW));
  assert.equal(signer?.keyHint, hint(COSIGN2_PUB));
  assert.equal(signer?.signedAt, 1674251859 * 1000);
  // A root that does not list the log: the key still vouches for it; the entry dates nothing.
  const [undated] = verifiedSigners(verifyCosignSignatures(REKOR.digest, { legacy: [REKOR.signature], bundles: [] }, keyTrust(COSIGN2_PUB), NOW));
  assert.equal(undated?.signedAt, null);
  // Only cosign.pub configured: the entry records cosign2.pub, not a configured key.
  refused(verifyCosignSignatures(REKOR.digest, { legacy: [REKOR.signature], bundles: [] }, { ...trust, keys: [COSIGN_PUB] }, NOW), 'unverifiable', /none of the 1 configured cosign keys/);
});

test('dir-img-cosign-key-rekor-valid altered: a flipped signature byte, a forged SET, another body', () => {
  const trust = { sigstoreRoot: publicGoodTrustedRoot(), keys: [COSIGN2_PUB] };
  const sig = Buffer.from(REKOR.signature.signature, 'base64');
  sig[sig.length - 3] = (sig[sig.length - 3] ?? 0) ^ 1;
  refused(verifyCosignSignatures(REKOR.digest, { legacy: [{ ...REKOR.signature, signature: sig.toString('base64') }], bundles: [] }, trust, NOW), 'invalid', /does not verify over the payload with the configured key its Rekor entry records/);

  const bundle = JSON.parse(REKOR.signature.bundle ?? '') as { SignedEntryTimestamp: string; Payload: { body: string; integratedTime: number } };
  const set = Buffer.from(bundle.SignedEntryTimestamp, 'base64');
  set[10] = (set[10] ?? 0) ^ 1;
  const forged = JSON.stringify({ ...bundle, SignedEntryTimestamp: set.toString('base64') });
  refused(verifyCosignSignatures(REKOR.digest, { legacy: [{ ...REKOR.signature, bundle: forged }], bundles: [] }, trust, NOW), 'invalid', /its Rekor entry does not: the signed entry timestamp .* does not verify/);
  // The same entry claiming another integrated time: the SET covers it.
  const moved = JSON.stringify({ ...bundle, Payload: { ...bundle.Payload, integratedTime: bundle.Payload.integratedTime + 1 } });
  refused(verifyCosignSignatures(REKOR.digest, { legacy: [{ ...REKOR.signature, bundle: moved }], bundles: [] }, trust, NOW), 'invalid', /signed entry timestamp .* does not verify/);
  // The Rekor bundle of the other fixture's signature: not this signature's entry.
  const valid = { ...VALID.signature, bundle: REKOR.signature.bundle };
  refused(verifyCosignSignatures(VALID.digest, { legacy: [valid], bundles: [] }, { ...trust, keys: [COSIGN_PUB] }, NOW), 'invalid', /does not match the bundle: spec\.signature\.content is not the bundle's signature/);
});

test("cosign's OCI attestation bundle verifies as a referrer of its image (public-good, keyless)", () => {
  const trust = { sigstoreRoot: publicGoodTrustedRoot(), keys: [] };
  const [signer] = verifiedSigners(verifyCosignSignatures(ATTESTED_IMAGE, { legacy: [], bundles: [ATTESTATION] }, trust, NOW));
  assert.deepEqual({ ...signer, extensions: undefined }, {
    mode: 'keyless',
    identity: 'cody@soyland.com',
    issuer: 'https://github.com/login/oauth',
    keyHint: null,
    source: 'referrer',
    predicateType: 'https://cosign.sigstore.dev/attestation/v1',
    signedAt: 1740770291 * 1000,
    extensions: undefined,
  });
  refused(verifyCosignSignatures(VALID.digest, { legacy: [], bundles: [ATTESTATION] }, trust, NOW), 'invalid', /the statement is about sha256:7321122.*, not the image sha256:634a8f35.*: a signature of another image/);
  refused(verifyCosignSignatures(ATTESTED_IMAGE, { legacy: [], bundles: [ATTESTATION] }, { ...trust, sigstoreRoot: EMPTY_TRUSTED_ROOT }, NOW), 'unverifiable', /^referrer bundle 1 of 1: the bundle cannot be checked: .*the trusted root does not list/);
  // Signed in 2025: a host clock before then says the bundle is from the future.
  refused(verifyCosignSignatures(ATTESTED_IMAGE, { legacy: [], bundles: [ATTESTATION] }, trust, new Date('2024-01-01T00:00:00Z')), 'invalid', /later than this host's time/);
});

test('both generations at once: every signature that verifies is listed', () => {
  const signers = verifiedSigners(verifyCosignSignatures(VALID.digest, { legacy: [VALID.signature, REKOR.signature], bundles: [ATTESTATION] }, { sigstoreRoot: publicGoodTrustedRoot(), keys: [COSIGN_PUB] }, NOW));
  // REKOR's signature is for another image and the attestation too: only VALID's counts.
  assert.deepEqual(signers.map((s) => [s.mode, s.source, s.keyHint]), [['key', 'tag', hint(COSIGN_PUB)]]);
});
