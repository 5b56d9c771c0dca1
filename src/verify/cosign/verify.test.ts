/**
 * verifyCosignSignatures as a whole: how signatures are judged together (absent, one verified
 * among failures, invalid over unverifiable, the signature limit), payload rules, the key kinds
 * cosign signs with, trust that cannot be read, and hostile input that must not throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { isAirlockError } from '../../core/index.ts';
import { modelSigningKeyHint } from '../model-signing/index.ts';
import { checkCosignTrust, COSIGN, COSIGN_LIMITS, legacySignatureOf, verifyCosignSignatures, type CosignCheck, type CosignTrust, type LegacyCosignSignature } from './index.ts';
import { keyTrust, NOW, refused, verifiedSigners } from './fixture-support.ts';
import { cosignPayload, signCosignBundle, signCosignLegacy, cosignSignStatement } from './test-support.ts';

const IMAGE = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;
const REF = 'registry.airlock-test.invalid/acme/widget';
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const trust = keyTrust(key.publicKey);

function legacy(privateKey = key.privateKey, imageDigest = IMAGE, payload?: Buffer): LegacyCosignSignature {
  const s = signCosignLegacy({ imageDigest, dockerReference: REF, privateKey, ...(payload === undefined ? {} : { payload }) });
  return legacySignatureOf({ [COSIGN.signatureAnnotation]: s.signature }, s.payload);
}

function check(sigs: readonly LegacyCosignSignature[], t: CosignTrust = trust, bundles: readonly Buffer[] = [], limits = COSIGN_LIMITS): CosignCheck {
  let r: CosignCheck | undefined;
  assert.doesNotThrow(() => {
    r = verifyCosignSignatures(IMAGE, { legacy: sigs, bundles }, t, NOW, limits);
  });
  assert.ok(r !== undefined);
  return r;
}

test('no signatures: absent', () => {
  assert.deepEqual(check([]), { status: 'absent' });
});

test('signCosignLegacy makes a real cosign signature: the payload cosign writes, ECDSA P-256 over its bytes', () => {
  const s = signCosignLegacy({ imageDigest: IMAGE, dockerReference: REF, privateKey: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
  assert.equal(s.payload.toString(), `{"critical":{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${IMAGE}"},"type":"cosign container image signature"},"optional":null}`);
  assert.deepEqual(verifiedSigners(check([legacySignatureOf({ [COSIGN.signatureAnnotation]: s.signature }, s.payload)])).map((x) => x.keyHint), [modelSigningKeyHint(key.publicKey)]);
});

test('one signature that verifies is enough; the others are not reported', () => {
  const signers = verifiedSigners(check([legacy(otherKey.privateKey), legacy(key.privateKey, OTHER), legacy()]));
  assert.equal(signers.length, 1);
  // Two that verify: both listed.
  assert.equal(verifiedSigners(check([legacy(), legacy()], trust, [signCosignBundle({ privateKey: key.privateKey, statement: cosignSignStatement(IMAGE) })])).length, 3);
});

test('none verifies: invalid wins over unverifiable, and the error names the signature and counts the rest', () => {
  refused(check([legacy(otherKey.privateKey), legacy(key.privateKey, OTHER), legacy(otherKey.privateKey)]), 'invalid', /^legacy signature 2 of 3 \(\.sig tag\): the payload signs the image "sha256:cdcd.*", not sha256:abab.*: a signature of another image \(and 2 other signatures did not verify either\)$/);
  refused(check([legacy(otherKey.privateKey), legacy(otherKey.privateKey)]), 'unverifiable', /^legacy signature 1 of 2 \(\.sig tag\): none of the 1 configured cosign keys verifies .* \(and 1 other signature did not verify either\)$/);
});

test('at most maxSignatures are checked: a valid one past the limit is not looked at', () => {
  const limits = { ...COSIGN_LIMITS, maxSignatures: 2 };
  refused(check([legacy(otherKey.privateKey), legacy(otherKey.privateKey), legacy()], trust, [], limits), 'unverifiable', /\(1 more signatures were not checked: at most 2 are\)$/);
  verifiedSigners(check([legacy(), legacy(otherKey.privateKey), legacy(otherKey.privateKey)], trust, [], limits));
  // Legacy signatures come first; bundles fill what is left.
  refused(check([legacy(otherKey.privateKey), legacy(otherKey.privateKey)], trust, [signCosignBundle({ privateKey: key.privateKey, statement: cosignSignStatement(IMAGE) })], limits), 'unverifiable', /1 more signatures were not checked/);
});

test('payload rules: the cosign type, the digest, JSON, the size limit', () => {
  const payload = (critical: unknown): Buffer => Buffer.from(JSON.stringify({ critical, optional: null }));
  const image = { 'docker-manifest-digest': IMAGE };
  refused(check([legacy(key.privateKey, IMAGE, payload({ identity: {}, image, type: 'atomic container signature' }))]), 'invalid', /critical\.type is "atomic container signature", not "cosign container image signature"/);
  refused(check([legacy(key.privateKey, IMAGE, payload({ identity: {}, image: {}, type: COSIGN.simpleSigningType }))]), 'invalid', /critical\.image\.docker-manifest-digest is nothing, not a digest/);
  refused(check([legacy(key.privateKey, IMAGE, payload({ image: { 'Docker-Manifest-Digest': IMAGE }, type: COSIGN.simpleSigningType }))]), 'invalid', /docker-manifest-digest is nothing/);
  // The digest as the registry spells it: an upper-case copy is another string.
  refused(check([legacy(key.privateKey, IMAGE, payload({ image: { 'docker-manifest-digest': IMAGE.toUpperCase() }, type: COSIGN.simpleSigningType }))]), 'invalid', /a signature of another image/);
  refused(check([legacy(key.privateKey, IMAGE, payload(null))]), 'invalid', /the payload has no critical object/);
  refused(check([legacy(key.privateKey, IMAGE, Buffer.from('{"critical":'))]), 'invalid', /the payload is not UTF-8 JSON/);
  const big = Buffer.from(JSON.stringify({ critical: { image, type: COSIGN.simpleSigningType }, optional: { pad: 'x'.repeat(COSIGN_LIMITS.maxPayloadBytes) } }));
  refused(check([legacy(key.privateKey, IMAGE, big)]), 'invalid', /the payload is 65\d{3} bytes \(at most 65536\)/);
  // The same payload under the limit verifies (the limit, not the padding, refused it).
  const fits = Buffer.from(JSON.stringify({ critical: { image, type: COSIGN.simpleSigningType }, optional: { pad: 'x'.repeat(1000) } }));
  verifiedSigners(check([legacy(key.privateKey, IMAGE, fits)]));
});

test('a payload altered after signing: unverifiable without a log entry to name the key (another key and an alteration look alike)', () => {
  const s = legacy();
  const altered = cosignPayload(IMAGE, 'registry.airlock-test.invalid/evil/widget');
  refused(check([{ ...s, payload: altered }]), 'unverifiable', /none of the 1 configured cosign keys verifies the signature: it was made with another key, or altered/);
});

test('malformed signature annotations: invalid', () => {
  const s = legacy();
  refused(check([{ ...s, signature: 'not base64!' }]), 'invalid', /the signature annotation is not base64/);
  refused(check([{ ...s, signature: 'A'.repeat(2000) }]), 'invalid', /not base64 of at most 1024 characters/);
  refused(check([{ ...s, signature: 'AAAAA' }]), 'invalid', /not base64/);
  // Valid base64 that is not a DER signature: simply does not verify.
  refused(check([{ ...s, signature: 'AAAA' }]), 'unverifiable', /none of the 1 configured cosign keys verifies/);
});

test('the key kinds cosign signs with: P-256, P-384 (SHA-256 or SHA-384), P-521, Ed25519, RSA', () => {
  for (const [kind, options] of [
    ['ec', { namedCurve: 'P-384' }],
    ['ec', { namedCurve: 'P-521' }],
    ['ed25519', {}],
    ['rsa', { modulusLength: 2048 }],
  ] as const) {
    const pair = generateKeyPairSync(kind as 'ec', options as { namedCurve: string });
    const [signer] = verifiedSigners(check([legacy(pair.privateKey)], keyTrust(pair.publicKey)));
    assert.equal(signer?.keyHint, modelSigningKeyHint(pair.publicKey), kind);
  }
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const payload = cosignPayload(IMAGE, REF);
  const sig384 = createSign('sha384').update(payload).sign(p384.privateKey).toString('base64');
  verifiedSigners(check([legacySignatureOf({ [COSIGN.signatureAnnotation]: sig384 }, payload)], keyTrust(p384.publicKey)));
});

test('trust that cannot be used: checkCosignTrust refuses it; verification says unverifiable', () => {
  const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey;
  for (const [keys, pattern] of [
    [[weakRsa], /cosign key 0 is not an ECDSA P-256\/P-384\/P-521, Ed25519 or RSA \(≥ 2048 bits\) public key/],
    [[key.publicKey, k1], /cosign key 1 is not an ECDSA/],
    [['not a pem'], /cosign key 0 holds 0 PEM public keys/],
    [['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'], /cosign key 0: the public key cannot be read/],
  ] as const) {
    const t = keyTrust(...keys);
    assert.throws(() => checkCosignTrust(t), (e: unknown) => isAirlockError(e, 'CONFIG_INVALID') && pattern.test(e.message));
    refused(check([legacy()], t), 'unverifiable', pattern);
  }
  // A private key is accepted as its public half.
  checkCosignTrust(keyTrust(key.privateKey));
  verifiedSigners(check([legacy()], keyTrust(key.privateKey)));
});

test('a malformed image digest is the caller\'s error: AirlockError INVALID_DIGEST', () => {
  for (const digest of ['sha256:abc', IMAGE.toUpperCase(), `sha1:${'a'.repeat(40)}`, '']) {
    assert.throws(() => verifyCosignSignatures(digest, { legacy: [], bundles: [] }, trust, NOW), (e: unknown) => isAirlockError(e, 'INVALID_DIGEST'));
  }
});
