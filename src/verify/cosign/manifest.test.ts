/**
 * The legacy `.sig` manifest: its signature layers read from OCI and Docker manifests as cosign
 * writes them, and hostile manifests refused with an error that says what is wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { isAirlockError } from '../../core/index.ts';
import { COSIGN, COSIGN_LIMITS, legacySignatureOf, parseCosignSignatureManifest, verifyCosignSignatures } from './index.ts';
import { containersImageCase, COSIGN_PUB, keyTrust, NOW, verifiedSigners } from './fixture-support.ts';
import { cosignSignatureManifest, signCosignLegacy } from './test-support.ts';

const IMAGE = `sha256:${'ab'.repeat(32)}`;
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const digest = (c: string): string => `sha256:${c.repeat(64)}`;

function rejects(input: unknown, pattern: RegExp, limits = COSIGN_LIMITS): void {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(typeof input === 'string' ? input : JSON.stringify(input));
  assert.throws(
    () => parseCosignSignatureManifest(bytes, limits),
    (e: unknown) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE') && pattern.test(e.message),
  );
}

const layer = (annotations: unknown = {}, over: Record<string, unknown> = {}): Record<string, unknown> => ({ mediaType: COSIGN.simpleSigningMediaType, size: 10, digest: digest('1'), annotations, ...over });
const manifest = (layers: unknown, over: Record<string, unknown> = {}): Record<string, unknown> => ({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest: digest('0') }, layers, ...over });

test('a .sig manifest as cosign writes it (OCI and Docker media types): its layers, and signatures made from them verify', () => {
  const one = signCosignLegacy({ imageDigest: IMAGE, dockerReference: 'registry.airlock-test.invalid/acme/widget', privateKey: key.privateKey });
  const real = containersImageCase('dir-img-cosign-valid');
  for (const docker of [false, true]) {
    const object = cosignSignatureManifest([{ payload: one.payload, annotations: { [COSIGN.signatureAnnotation]: one.signature } }, { payload: real.payload, annotations: real.annotations }], { docker });
    const { layers } = parseCosignSignatureManifest(object.manifest);
    assert.equal(layers.length, 2);
    assert.deepEqual(layers[1], { digest: [...object.blobs.keys()][2], size: real.payload.length, mediaType: COSIGN.simpleSigningMediaType, annotations: real.annotations });
    const legacy = layers.map((l) => legacySignatureOf(l.annotations, object.blobs.get(l.digest) ?? Buffer.alloc(0)));
    assert.deepEqual(legacy[1], { payload: real.payload, signature: real.annotations[COSIGN.signatureAnnotation], certificate: null, chain: null, bundle: null });
    const [signer] = verifiedSigners(verifyCosignSignatures(IMAGE, { legacy, bundles: [] }, keyTrust(key.publicKey, COSIGN_PUB), NOW));
    assert.equal(signer?.source, 'tag');
  }
});

test('layers that are not signatures are skipped; a manifest without mediaType (OCI allows it) is read', () => {
  const { layers } = parseCosignSignatureManifest(Buffer.from(JSON.stringify(manifest([layer({ a: 'b' }), layer({}, { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })], { mediaType: undefined }))));
  assert.deepEqual(layers.map((l) => l.annotations), [{ a: 'b' }]);
  assert.deepEqual(parseCosignSignatureManifest(Buffer.from(JSON.stringify(manifest([])))).layers, []);
});

test('hostile manifests: not JSON, not a manifest, wrong types', () => {
  rejects('not json', /is not UTF-8 JSON/);
  rejects(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), /is not UTF-8 JSON/);
  rejects([], /is not a JSON object \(got a list\)/);
  rejects(manifest([], { schemaVersion: 1 }), /has schemaVersion .*, not 2/);
  rejects(manifest([], { mediaType: 'application/vnd.oci.image.index.v1+json' }), /has mediaType "application\/vnd\.oci\.image\.index\.v1\+json", not an image manifest/);
  rejects(manifest([], { mediaType: 7 }), /has mediaType a number, not an image manifest/);
  rejects(manifest({ length: 1 }), /has layers that is not a list \(got an object\)/);
  rejects(manifest(undefined), /has layers that is not a list \(got nothing\)/);
  rejects(manifest(['layer']), /has layers\[0\] that is not an object/);
  rejects(manifest([layer({}, { digest: 'sha256:abc' })]), /has layers\[0\]\.digest that is not a sha256 digest \(got "sha256:abc"\)/);
  rejects(manifest([layer({}, { digest: `SHA256:${'A'.repeat(64)}` })]), /layers\[0\]\.digest that is not a sha256 digest/);
  rejects(manifest([layer({}, { size: -1 })]), /has layers\[0\]\.size that is not a non-negative integer/);
  rejects(manifest([layer({}, { size: '10' })]), /has layers\[0\]\.size that is not a non-negative integer \(got "10"\)/);
  rejects(manifest([layer({}, { size: 2 ** 60 })]), /layers\[0\]\.size that is not a non-negative integer/);
  rejects(manifest([layer({}, { mediaType: null })]), /has layers\[0\]\.mediaType that is not a string/);
  rejects(manifest([layer([])]), /has layers\[0\]\.annotations that is not an object \(got a list\)/);
  rejects(manifest([layer({ [COSIGN.signatureAnnotation]: 42 })]), /has layers\[0\]\.annotations\["dev\.cosignproject\.cosign\/signature"\] that is not a string \(got a number\)/);
});

test('hostile manifests: limits on size, layers and annotations', () => {
  rejects(manifest(Array.from({ length: 65 }, () => layer())), /has 65 layers \(at most 64 are read\)/);
  assert.equal(parseCosignSignatureManifest(Buffer.from(JSON.stringify(manifest(Array.from({ length: 64 }, () => layer()))))).layers.length, 64);
  rejects(manifest([layer(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])))]), /has 65 annotations in layers\[0\]\.annotations \(at most 64\)/);
  rejects(manifest([layer({ big: 'x'.repeat(COSIGN_LIMITS.maxAnnotationChars + 1) })]), /has layers\[0\]\.annotations\["big"\] longer than 262144 characters/);
  rejects(manifest([layer({ ['k'.repeat(300)]: 'v' })]), /annotation key in layers\[0\]\.annotations longer than 100 characters/, { ...COSIGN_LIMITS, maxAnnotationChars: 100 });
  rejects(Buffer.alloc(COSIGN_LIMITS.maxManifestBytes + 1, 0x20), /is 4194305 bytes \(at most 4194304\)/);
});

test('legacySignatureOf: annotations mapped; a layer without a signature annotation is refused when verified, not when read', () => {
  const s = legacySignatureOf({ [COSIGN.certificateAnnotation]: 'C', [COSIGN.chainAnnotation]: 'H', [COSIGN.bundleAnnotation]: 'B', other: 'x' }, Buffer.from('p'));
  assert.deepEqual(s, { payload: Buffer.from('p'), signature: '', certificate: 'C', chain: 'H', bundle: 'B' });
  // Inherited names are not annotations.
  assert.equal(legacySignatureOf(Object.create({ [COSIGN.signatureAnnotation]: 'inherited' }) as Record<string, string>, Buffer.from('p')).signature, '');
  const payload = signCosignLegacy({ imageDigest: IMAGE, dockerReference: 'r', privateKey: key.privateKey }).payload;
  const check = verifyCosignSignatures(IMAGE, { legacy: [legacySignatureOf({}, payload)], bundles: [] }, keyTrust(key.publicKey), NOW);
  assert.deepEqual(check, { status: 'invalid', error: 'legacy signature 1 of 1 (.sig tag): the layer has no signature (dev.cosignproject.cosign/signature annotation)' });
});
