import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify, X509Certificate } from 'node:crypto';
import { preAuthEncoding } from '../sigstore/dsse.ts';
import { legacyPreAuthEncoding, pythonBytesRepr } from './legacy-pae.ts';
import { fixture } from './fixture-support.ts';

test('pythonBytesRepr is Python\'s repr(bytes) (values from CPython 3)', () => {
  const cases: readonly [Buffer, string][] = [
    [Buffer.from('abc'), "b'abc'"],
    [Buffer.from("a'b"), `b"a'b"`],
    [Buffer.from(`a'b"`), `b'a\\'b"'`],
    [Buffer.from('\\'), "b'\\\\'"],
    [Buffer.from([0x09, 0x0a, 0x0d, 0x00, 0x1f, 0x7f, 0x80, 0xff]), "b'\\t\\n\\r\\x00\\x1f\\x7f\\x80\\xff'"],
    [Buffer.from('"'), `b'"'`],
    [Buffer.alloc(0), "b''"],
  ];
  for (const [bytes, repr] of cases) assert.equal(pythonBytesRepr(bytes), repr);
});

test('legacyPreAuthEncoding: "DSSEV1", byte lengths, and the repr of the payload', () => {
  assert.equal(legacyPreAuthEncoding('application/vnd.in-toto+json', Buffer.from('{"a":\n1}')).toString('utf8'), 'DSSEV1 28 application/vnd.in-toto+json 8 b\'{"a":\\n1}\'');
});

test('model_signing 0.2.0 signed its buggy PAE with SHA-256, not the DSSE PAE (so the second attempt is what verifies it)', () => {
  const bundle = JSON.parse(fixture('v0.2.0-certificate', 'model.sig').toString('utf8')) as {
    verificationMaterial: { x509CertificateChain: { certificates: { rawBytes: string }[] } };
    dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string }[] };
  };
  const leaf = new X509Certificate(Buffer.from(bundle.verificationMaterial.x509CertificateChain.certificates[0]?.rawBytes ?? '', 'base64'));
  const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
  const sig = Buffer.from(bundle.dsseEnvelope.signatures[0]?.sig ?? '', 'base64');
  const type = bundle.dsseEnvelope.payloadType;
  for (const digest of ['sha256', 'sha384']) assert.equal(verify(digest, preAuthEncoding(type, payload), leaf.publicKey, sig), false);
  assert.equal(verify('sha384', legacyPreAuthEncoding(type, payload), leaf.publicKey, sig), false);
  assert.equal(verify('sha256', legacyPreAuthEncoding(type, payload), leaf.publicKey, sig), true);
});
