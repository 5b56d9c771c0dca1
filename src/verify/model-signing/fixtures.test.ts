/**
 * sigstore/model-transparency's real signatures (test/fixtures/model-signing, see its README),
 * each verified in its mode with the signer it names, and its manifest checked against the
 * fixture model's files as the gateway checks the files it serves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { modelFileCoverage, verifyModelSignature, type ModelSignatureCheck } from './index.ts';
import { fixture, FIXTURES, INTERMEDIATE_CA, NOW, ROOT_CA, SIGNING_KEY, SIGNING_KEY_HINT, trust, verified } from './fixture-support.ts';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** What the manifest says of each file of the fixture model (model.sig included). */
function coverage(dir: string, check: Extract<ModelSignatureCheck, { status: 'verified' }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(FIXTURES, dir)).sort()) out[name] = modelFileCoverage(check.manifest, name, sha256(fixture(dir, name)));
  return out;
}

test('v1.1.0 key mode (P-384, SHA-384, hint = hex sha256 of the PEM): verified with signing-key-pub.pem, ignore-me ignored', () => {
  const r = verified(verifyModelSignature(fixture('v1.1.0-elliptic-key', 'model.sig'), trust({ certificateAuthorities: [] }), NOW));
  assert.equal(r.mode, 'key');
  assert.deepEqual(r.signer, { identity: null, issuer: null, keyHint: SIGNING_KEY_HINT, subject: null });
  assert.equal(r.manifest.format, 'v1.0');
  assert.equal(r.manifest.method, 'files');
  assert.equal(r.manifest.hashType, 'sha256');
  assert.equal(r.manifest.rootDigest, '92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4');
  assert.deepEqual([...r.manifest.ignorePaths].sort(), ['.git', '.gitattributes', '.github', '.gitignore', 'ignore-me', 'model.sig']);
  assert.deepEqual(coverage('v1.1.0-elliptic-key', r), { 'ignore-me': 'ignored', 'model.sig': 'ignored', 'signme-1': 'signed', 'signme-2': 'signed' });
});

test('v1.0.0 key mode, single-file model (resource "."), rawBytes instead of a hint: verified, the one file signed', () => {
  const r = verified(verifyModelSignature(fixture('v1.0.0-elliptic-key', 'model.sig'), trust(), NOW));
  assert.equal(r.mode, 'key');
  assert.equal(r.signer.keyHint, SIGNING_KEY_HINT);
  assert.deepEqual([...r.manifest.files.keys()], ['.']);
  // v1.0 signatures record no ignore paths: the defaults apply.
  assert.deepEqual([...r.manifest.ignorePaths].sort(), ['.git', '.gitattributes', '.github', '.gitignore', 'model.sig']);
  assert.deepEqual(coverage('v1.0.0-elliptic-key', r), { 'model.sig': 'ignored', 'signme-1': 'signed' });
  // A single-file model has one file: any other non-ignored file is not it.
  assert.equal(modelFileCoverage(r.manifest, 'README.md', sha256(Buffer.from('# model\n'))), 'mismatch');
  assert.equal(modelFileCoverage(r.manifest, '.gitattributes', sha256(Buffer.from('*.bin filter=lfs\n'))), 'ignored');
});

test('v1.0.0 key mode: the key is found among several configured keys (PEM text and KeyObjects)', () => {
  const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
  const r = verified(verifyModelSignature(fixture('v1.0.0-elliptic-key', 'model.sig'), trust({ keys: [other, SIGNING_KEY] }), NOW));
  assert.equal(r.signer.keyHint, SIGNING_KEY_HINT);
});

test('v1.1.0 certificate mode (leaf + intermediate in the signature): verified against ca-cert.pem, with or without int-ca-cert.pem configured', () => {
  for (const cas of [[ROOT_CA], [ROOT_CA, INTERMEDIATE_CA], [`${ROOT_CA}\n${INTERMEDIATE_CA}`], [INTERMEDIATE_CA]]) {
    const r = verified(verifyModelSignature(fixture('v1.1.0-certificate', 'model.sig'), trust({ keys: [], certificateAuthorities: cas }), NOW));
    assert.equal(r.mode, 'certificate');
    assert.deepEqual(r.signer, { identity: null, issuer: 'CN=intermediate-ca', keyHint: SIGNING_KEY_HINT, subject: 'CN=intermediate-ca' });
    assert.equal(r.manifest.rootDigest, '61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226');
    assert.deepEqual(coverage('v1.1.0-certificate', r), { 'ignore-me': 'ignored', 'model.sig': 'ignored', 'signme-1': 'signed', 'signme-2': 'signed' });
  }
});

test('v0.2.0 certificate mode (legacy Digests/v0.1 statement over the buggy PAE, SHA-256): verified, subjects are the files', () => {
  const r = verified(verifyModelSignature(fixture('v0.2.0-certificate', 'model.sig'), trust({ keys: [] }), NOW));
  assert.equal(r.mode, 'certificate');
  assert.equal(r.signer.subject, 'CN=intermediate-ca');
  assert.equal(r.manifest.format, 'v0.1');
  assert.equal(r.manifest.rootDigest, null);
  assert.deepEqual(Object.fromEntries(r.manifest.files), {
    'signme-1': 'f6310066c7320497ea554260c32c43660bff648cb2a61194832cc086077085e1',
    'signme-2': '32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028',
  });
  assert.deepEqual(coverage('v0.2.0-certificate', r), { 'model.sig': 'ignored', 'signme-1': 'signed', 'signme-2': 'signed' });
});

test('v1.1.0 Sigstore keyless: verified against the public-good root, signer stefanb@us.ibm.com via IBM Security Verify', () => {
  const r = verified(verifyModelSignature(fixture('v1.1.0-sigstore', 'model.sig'), trust({ keys: [], certificateAuthorities: [] }), NOW));
  assert.equal(r.mode, 'sigstore');
  assert.deepEqual(r.signer, { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2', keyHint: null, subject: null });
  assert.deepEqual(coverage('v1.1.0-sigstore', r), { 'ignore-me': 'ignored', 'model.sig': 'ignored', 'signme-1': 'signed', 'signme-2': 'signed' });
});

test('a fixture file changed after signing is a mismatch; one added is unsigned', () => {
  const r = verified(verifyModelSignature(fixture('v1.1.0-elliptic-key', 'model.sig'), trust(), NOW));
  const changed = Buffer.from(fixture('v1.1.0-elliptic-key', 'signme-1'));
  changed[0] = (changed[0] ?? 0) ^ 1;
  assert.equal(modelFileCoverage(r.manifest, 'signme-1', sha256(changed)), 'mismatch');
  assert.equal(modelFileCoverage(r.manifest, 'signme-3', sha256(changed)), 'unsigned');
  // Swapped signatures: v1.1.0-elliptic-key's signme-1 is not the certificate model's.
  const other = verified(verifyModelSignature(fixture('v1.1.0-certificate', 'model.sig'), trust(), NOW));
  assert.equal(modelFileCoverage(other.manifest, 'signme-1', sha256(fixture('v1.1.0-elliptic-key', 'signme-1'))), 'mismatch');
});
