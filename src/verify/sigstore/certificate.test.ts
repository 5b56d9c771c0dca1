import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { certificateIdentity, extensionsOf } from './certificate.ts';
import { children, encodeTlv, oidText, readOne, readTlv } from './der.ts';
import { SigstoreError } from './fields.ts';
import { CONFORMANCE, readJson, SIGSTORE_JS } from './test-support.ts';

const certOf = (path: string): Buffer => {
  const vm = (readJson(path) as { verificationMaterial: { certificate?: { rawBytes: string }; x509CertificateChain?: { certificates: { rawBytes: string }[] } } }).verificationMaterial;
  return Buffer.from(vm.certificate?.rawBytes ?? vm.x509CertificateChain?.certificates[0]?.rawBytes ?? '', 'base64');
};

test('a GitHub Actions Fulcio certificate: URI SAN and every Fulcio extension by name', () => {
  const id = certificateIdentity(extensionsOf(certOf(join(CONFORMANCE, 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json'))));
  const workflow = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
  assert.equal(id.subjectAlternativeName, workflow);
  assert.equal(id.issuer, 'https://token.actions.githubusercontent.com');
  assert.deepEqual(id.extensions, {
    issuer: 'https://token.actions.githubusercontent.com',
    buildSignerUri: workflow,
    buildSignerDigest: 'c7b3dfb335f051e1c86bda4c716fac97df62ad81',
    runnerEnvironment: 'github-hosted',
    sourceRepositoryUri: 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon',
    sourceRepositoryDigest: 'c7b3dfb335f051e1c86bda4c716fac97df62ad81',
    sourceRepositoryRef: 'refs/heads/main',
    sourceRepositoryIdentifier: '632596897',
    sourceRepositoryOwnerUri: 'https://github.com/sigstore-conformance',
    sourceRepositoryOwnerIdentifier: '131804563',
    buildConfigUri: workflow,
    buildConfigDigest: 'c7b3dfb335f051e1c86bda4c716fac97df62ad81',
    buildTrigger: 'workflow_dispatch',
    runInvocationUri: 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/actions/runs/8347481628/attempts/1',
    sourceRepositoryVisibilityAtSigning: 'public',
  });
});

test('a 2023 e-mail certificate: e-mail SAN, issuer from the legacy raw extension', () => {
  const id = certificateIdentity(extensionsOf(certOf(join(SIGSTORE_JS, 'bundleV03-dsse.sigstore'))));
  assert.deepEqual(id, { subjectAlternativeName: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth', extensions: { issuer: 'https://github.com/login/oauth' } });
});

test('DER: malformed encodings throw SigstoreError', () => {
  const bad = (b: number[]): void => assert.throws(() => readOne(Buffer.from(b)), SigstoreError);
  bad([0x30]);
  bad([0x30, 0x80, 0x00, 0x00]);
  bad([0x30, 0x85, 1, 1, 1, 1, 1]);
  bad([0x30, 0x05, 0x01]);
  bad([0x04, 0x00, 0x00]);
  bad([0x1f, 0x01, 0x00]);
  assert.throws(() => children(readTlv(Buffer.from([0x04, 0x00]), 0).tlv), SigstoreError);
  assert.throws(() => certificateIdentity(extensionsOf(Buffer.from([0x30, 0x00]))), SigstoreError);
  assert.throws(() => certificateIdentity(extensionsOf(Buffer.from('not der'))), SigstoreError);
});

/** A certificate reduced to what extensionsOf reads: a TBSCertificate with a serial number and one extension, `oid` → `value`. */
function certificateWith(oid: number[], value: Buffer): Buffer {
  const ext = encodeTlv(0x30, Buffer.concat([encodeTlv(0x06, Buffer.from(oid)), encodeTlv(0x04, value)]));
  return encodeTlv(0x30, encodeTlv(0x30, Buffer.concat([encodeTlv(0x02, Buffer.from([1])), encodeTlv(0xa3, encodeTlv(0x30, ext))])));
}

test('identity: a subjectAltName or Fulcio string that is not UTF-8 is a SigstoreError that says so (found by fuzzing: it was the decoder\'s TypeError)', () => {
  const notUtf8 = Buffer.from([0x68, 0x80]);
  const san = certificateWith([0x55, 0x1d, 0x11], encodeTlv(0x30, encodeTlv(0x86, notUtf8)));
  assert.throws(() => certificateIdentity(extensionsOf(san)), { name: 'SigstoreError', message: 'certificate subjectAltName is not UTF-8' });
  const fulcioIssuer = certificateWith([0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x08], encodeTlv(0x0c, notUtf8));
  assert.throws(() => certificateIdentity(extensionsOf(fulcioIssuer)), { name: 'SigstoreError', message: 'certificate extension 1.3.6.1.4.1.57264.1.8 is not UTF-8' });
  const legacyIssuer = certificateWith([0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x01], notUtf8);
  assert.throws(() => certificateIdentity(extensionsOf(legacyIssuer)), { name: 'SigstoreError', message: /^certificate issuer \(1\.3\.6\.1\.4\.1\.57264\.1\.1\) is not UTF-8$/ });
  // The same names in UTF-8 are read.
  assert.equal(certificateIdentity(extensionsOf(certificateWith([0x55, 0x1d, 0x11], encodeTlv(0x30, encodeTlv(0x86, Buffer.from('https://a.example')))))).subjectAlternativeName, 'https://a.example');
});

test('DER: object identifiers', () => {
  assert.equal(oidText(Buffer.from([0x55, 0x1d, 0x11])), '2.5.29.17');
  assert.equal(oidText(Buffer.from([0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x08])), '1.3.6.1.4.1.57264.1.8');
  assert.throws(() => oidText(Buffer.from([0x2b, 0x86])), SigstoreError);
});
