/**
 * Legacy keyless signatures (a Fulcio certificate and a Rekor v1 entry in the `.sig` layer's
 * annotations) made against the test's own Sigstore (test-pki.ts): verified with the identity
 * that signed, and refused when any part is altered, expired, from another deployment or for
 * another image.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrustedRoot, publicGoodTrustedRoot, type TrustedRoot } from '../sigstore/index.ts';
import { legacySignatureOf, verifyCosignSignatures, type CosignCheck, type CosignTrust } from './index.ts';
import { refused, verifiedSigners } from './fixture-support.ts';
import { cosignPayload, createTestCosignKeyless, KEYLESS_IDENTITY, type KeylessLegacySignature } from './test-support.ts';

const IMAGE = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;
const SIGNED_AT = new Date('2026-03-01T12:00:00Z');
const NOW = new Date('2026-06-01T00:00:00Z');

const pki = createTestCosignKeyless();
const root: TrustedRoot = parseTrustedRoot(pki.trustedRoot);
const trust: CosignTrust = { sigstoreRoot: root, keys: [] };
const payload = cosignPayload(IMAGE, 'registry.airlock-test.invalid/acme/widget');

function check(s: KeylessLegacySignature, annotations: Record<string, string> = {}, t: CosignTrust = trust, now = NOW, image = IMAGE): CosignCheck {
  return verifyCosignSignatures(image, { legacy: [legacySignatureOf({ ...s.annotations, ...annotations }, s.payload)], bundles: [] }, t, now);
}

test('a keyless legacy signature verifies, with the SAN, issuer and Rekor time of its certificate', () => {
  const s = pki.signLegacy({ payload, signedAt: SIGNED_AT });
  const [signer, ...rest] = verifiedSigners(check(s));
  assert.deepEqual(rest, []);
  assert.equal(signer?.mode, 'keyless');
  assert.equal(signer?.identity, KEYLESS_IDENTITY.san);
  assert.equal(signer?.issuer, KEYLESS_IDENTITY.issuer);
  assert.equal(signer?.keyHint, null);
  assert.equal(signer?.source, 'tag');
  assert.equal(signer?.signedAt, Math.floor((SIGNED_AT.getTime() + 5000) / 1000) * 1000);
  assert.equal(signer?.extensions['issuer'], KEYLESS_IDENTITY.issuer);
  const other = pki.signLegacy({ payload, signedAt: SIGNED_AT, san: 'mailto-less@example.com', issuer: 'https://accounts.example.com' });
  const [o] = verifiedSigners(check(other));
  assert.deepEqual([o?.identity, o?.issuer], ['mailto-less@example.com', 'https://accounts.example.com']);
});

test('keyless, checked against another trusted root (public-good): unverifiable, nothing failed', () => {
  refused(check(pki.signLegacy({ payload, signedAt: SIGNED_AT }), {}, { sigstoreRoot: publicGoodTrustedRoot(), keys: [] }), 'unverifiable', /cannot be checked: .*the trusted root does not list/);
  // Another deployment's signature against this one's root, too.
  const stranger = createTestCosignKeyless().signLegacy({ payload, signedAt: SIGNED_AT });
  refused(check(stranger), 'unverifiable', /cannot be checked: .*is in a log the trusted root does not list/);
  // This deployment's log, another's CA.
  const otherCa = parseTrustedRoot({ ...pki.trustedRoot, certificateAuthorities: createTestCosignKeyless().trustedRoot['certificateAuthorities'] });
  refused(check(pki.signLegacy({ payload, signedAt: SIGNED_AT }), {}, { sigstoreRoot: otherCa, keys: [] }), 'unverifiable', /cannot be checked: the signing certificate .* was not issued by a certificate authority the trusted root lists/);
});

test('keyless for another image: invalid, before any certificate is looked at', () => {
  refused(check(pki.signLegacy({ payload, signedAt: SIGNED_AT }), {}, trust, NOW, OTHER), 'invalid', /signs the image "sha256:abab.*", not sha256:cdcd.*: a signature of another image/);
});

test('keyless altered: signature, payload, SET, certificate swapped, entry logged after the certificate expired', () => {
  const s = pki.signLegacy({ payload, signedAt: SIGNED_AT });
  const sig = Buffer.from(s.annotations['dev.cosignproject.cosign/signature'] ?? '', 'base64');
  sig[sig.length - 2] = (sig[sig.length - 2] ?? 0) ^ 1;
  refused(check(s, { 'dev.cosignproject.cosign/signature': sig.toString('base64') }), 'invalid', /keyless signature does not verify: the message signature does not verify/);

  // Same image, another reference: the payload's bytes changed, so the signature no longer holds.
  const moved = { ...s, payload: cosignPayload(IMAGE, 'registry.airlock-test.invalid/evil/widget') };
  refused(check(moved), 'invalid', /keyless signature does not verify: the message signature does not verify over the artifact with the signing key/);

  refused(check(pki.signLegacy({ payload, signedAt: SIGNED_AT, forgeSet: true })), 'invalid', /signed entry timestamp of .* does not verify/);

  // The certificate of another signing: the log entry records the first certificate.
  const second = pki.signLegacy({ payload, signedAt: SIGNED_AT });
  refused(check(s, { 'dev.sigstore.cosign/certificate': second.annotations['dev.sigstore.cosign/certificate'] ?? '' }), 'invalid', /keyless signature does not verify: the message signature does not verify over the artifact with the signing key/);
  // Both of the second signing's, with the first one's log entry: the entry records another signature and certificate.
  refused(check(second, { 'dev.sigstore.cosign/bundle': s.annotations['dev.sigstore.cosign/bundle'] ?? '' }), 'invalid', /does not match the bundle: spec\.signature\.content is not the bundle's signature/);

  // Logged an hour after signing: the ten-minute certificate had expired.
  const late = pki.signLegacy({ payload, signedAt: SIGNED_AT, loggedAt: new Date(SIGNED_AT.getTime() + 3600_000) });
  refused(check(late), 'invalid', /the signing certificate was not valid at 2026-03-01T13:00:00.000Z/);
});

test('keyless without a Rekor entry: unverifiable (nothing dates the short-lived certificate)', () => {
  const s = pki.signLegacy({ payload, signedAt: SIGNED_AT });
  const { 'dev.sigstore.cosign/bundle': _bundle, ...rest } = s.annotations;
  refused(check({ payload, annotations: rest }), 'unverifiable', /has no Rekor entry/);
});

test('keyless with a malformed certificate or bundle annotation: invalid, not a throw', () => {
  const s = pki.signLegacy({ payload, signedAt: SIGNED_AT });
  refused(check(s, { 'dev.sigstore.cosign/certificate': 'not a certificate' }), 'invalid', /holds no PEM certificate/);
  refused(check(s, { 'dev.sigstore.cosign/certificate': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }), 'invalid', /is not a certificate/);
  refused(check(s, { 'dev.sigstore.cosign/bundle': '{' }), 'invalid', /bundle annotation is not JSON/);
  refused(check(s, { 'dev.sigstore.cosign/bundle': '{"SignedEntryTimestamp":"AA==","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"00"}}' }), 'invalid', /Payload.body is not a Rekor entry/);
  refused(check(s, { 'dev.sigstore.cosign/bundle': '[]' }), 'invalid', /the bundle annotation is not an object/);
});

test('keyless signed in the future of this host: invalid', () => {
  refused(check(pki.signLegacy({ payload, signedAt: new Date(NOW.getTime() + 3600_000) })), 'invalid', /later than this host's time/);
});
