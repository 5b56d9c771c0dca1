/**
 * Mutations of real bundles, each caught by the check it targets, and hostile input, which is
 * 'invalid' with a reason and never throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { createTestSigstore, hasOpenssl } from '../../../test/support/sigstore-pki.ts';
import { parseTrustedRoot, publicGoodTrustedRoot, verifyBundle, type BundleVerification, type TrustedRoot, type VerifyBundleOptions } from './index.ts';
import { bundleCopy, CONFORMANCE, conformanceCase, flipByte, getPath, setPath, SIGSTORE_JS, type Json } from './test-support.ts';

const V02_DSSE = join(SIGSTORE_JS, 'bundleV02-dsse.sigstore');
const V01_NO_PROOF = join(SIGSTORE_JS, 'bundleV01-dsse-no-proof.sigstore');
const V03_MESSAGE = join(CONFORMANCE, 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json');
const ENTRY = 'verificationMaterial.tlogEntries.0';
const root = (): TrustedRoot => publicGoodTrustedRoot();

function outcome(status: 'invalid' | 'unsupported', bundle: unknown, pattern: RegExp, options: VerifyBundleOptions): void {
  let r: BundleVerification;
  assert.doesNotThrow(() => {
    r = verifyBundle(bundle, options);
  });
  r = verifyBundle(bundle, options);
  assert.equal(r.status, status, JSON.stringify(r).slice(0, 300));
  assert.match(r.status === status ? r.error : '', pattern);
}

/** A check failed: the bundle is forged, altered or out of its time. */
function invalid(bundle: unknown, pattern: RegExp, options: VerifyBundleOptions = { trustedRoot: root() }): void {
  outcome('invalid', bundle, pattern, options);
}

/** Nothing failed, but a signer, log or authority is one the trusted root (or the keys) does not list. */
function unsupported(bundle: unknown, pattern: RegExp, options: VerifyBundleOptions = { trustedRoot: root() }): void {
  outcome('unsupported', bundle, pattern, options);
}

function mutated(path: string, edit: (b: Json) => void): Json {
  const b = bundleCopy(path);
  edit(b);
  return b;
}

test('the unmutated base bundles verify (so each failure below is the mutation)', () => {
  assert.equal(verifyBundle(bundleCopy(V02_DSSE), { trustedRoot: root() }).status, 'verified');
  assert.equal(verifyBundle(bundleCopy(V01_NO_PROOF), { trustedRoot: root() }).status, 'verified');
  assert.equal(verifyBundle(bundleCopy(V03_MESSAGE), conformanceCase('happy-path-v0.3').options).status, 'verified');
});

test('a payload byte changed: the DSSE signature fails', () => {
  invalid(mutated(V02_DSSE, (b) => setPath(b, 'dsseEnvelope.payload', flipByte(getPath(b, 'dsseEnvelope.payload'), 10))), /DSSE envelope's signature does not verify/);
});

test('the payload type changed: the PAE binds it, the signature fails', () => {
  invalid(mutated(V02_DSSE, (b) => setPath(b, 'dsseEnvelope.payloadType', 'application/json')), /DSSE envelope's signature does not verify/);
});

test('the signature changed: it fails', () => {
  invalid(mutated(V02_DSSE, (b) => setPath(b, 'dsseEnvelope.signatures.0.sig', flipByte(getPath(b, 'dsseEnvelope.signatures.0.sig'), -3))), /DSSE envelope's signature does not verify/);
  invalid(mutated(V02_DSSE, (b) => setPath(b, 'dsseEnvelope.signatures.0.sig', 'AAAA')), /DSSE envelope's signature does not verify/);
});

test('the signed entry timestamp changed: it fails', () => {
  const set = `${ENTRY}.inclusionPromise.signedEntryTimestamp`;
  invalid(mutated(V02_DSSE, (b) => setPath(b, set, flipByte(getPath(b, set), -2))), /signed entry timestamp of verificationMaterial\.tlogEntries\[0\] does not verify/);
  invalid(mutated(V01_NO_PROOF, (b) => setPath(b, set, flipByte(getPath(b, set), -2))), /signed entry timestamp .* does not verify/);
});

test('the log index changed: the SET covers it', () => {
  invalid(mutated(V01_NO_PROOF, (b) => setPath(b, `${ENTRY}.logIndex`, '27246115')), /signed entry timestamp .* does not verify/);
});

test('one inclusion-proof hash changed: the audit path misses the root', () => {
  invalid(mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.inclusionProof.hashes.3`, flipByte(getPath(b, `${ENTRY}.inclusionProof.hashes.3`), 0))), /inclusion proof of .* does not lead to its root hash/);
});

test('a hash dropped from the proof or the tree size changed: the path does not fit the tree', () => {
  invalid(mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.inclusionProof.hashes.12`, undefined)), /inclusion proof .* (malformed|does not lead)/);
  invalid(mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.inclusionProof.treeSize`, '23082685')), /inclusion proof|checkpoint/);
});

test('the checkpoint signature changed: it fails; its root or size differing from the proof fails', () => {
  const cp = `${ENTRY}.inclusionProof.checkpoint.envelope`;
  const withSig = (b: Json, edit: (s: string) => string): void => {
    const note = getPath(b, cp) as string;
    const i = note.lastIndexOf(' ') + 1;
    setPath(b, cp, `${note.slice(0, i)}${edit(note.slice(i).trim())}\n`);
  };
  invalid(mutated(V02_DSSE, (b) => withSig(b, (s) => flipByte(s, -4))), /checkpoint of .*'s signature by the log does not verify/);
  invalid(mutated(V02_DSSE, (b) => withSig(b, (s) => flipByte(s, 0))), /checkpoint of .* has no signature by the log/);
  invalid(mutated(V02_DSSE, (b) => setPath(b, cp, (getPath(b, cp) as string).replace('\n23082684\n', '\n23082685\n'))), /checkpoint .* tree size/);
  invalid(mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.inclusionProof.checkpoint`, undefined)), /checkpoint of .* is missing/);
  invalid(mutated(V02_DSSE, (b) => setPath(b, cp, 'no blank line')), /not a signed note/);
});

test('the integrated time moved outside the certificate\'s ten minutes: with a SET, the SET fails', () => {
  invalid(mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.integratedTime`, '1689180643')), /signed entry timestamp .* does not verify/);
});

test('the integrated time moved, no SET (only the proof, which does not cover the time): the certificate validity check fails', () => {
  const noSet = (b: Json): void => setPath(b, `${ENTRY}.inclusionPromise`, undefined);
  assert.equal(verifyBundle(mutated(V02_DSSE, noSet), { trustedRoot: root() }).status, 'verified');
  invalid(mutated(V02_DSSE, (b) => { noSet(b); setPath(b, `${ENTRY}.integratedTime`, '1689180643'); }), /signing certificate was not valid at 2023-07-12T16:50:43\.000Z, when the bundle shows it signed \(it is valid from 2023-07-12T15:50:42\.000Z to 2023-07-12T16:00:42\.000Z\)/);
  invalid(mutated(V02_DSSE, (b) => { noSet(b); setPath(b, `${ENTRY}.integratedTime`, '1689177000'); }), /signing certificate was not valid at 2023-07-12T15:50:00\.000Z, when the bundle shows it signed/);
});

test('proof requirements by version: v0.2 needs an inclusion proof; v0.1 needs a SET or a proof', () => {
  invalid(mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.inclusionProof`, undefined)), /no inclusion proof \(required by bundle v0\.2\)/);
  invalid(mutated(V01_NO_PROOF, (b) => setPath(b, `${ENTRY}.inclusionPromise`, undefined)), /neither an inclusion promise nor an inclusion proof/);
  invalid(mutated(V02_DSSE, (b) => setPath(b, 'verificationMaterial.tlogEntries', [])), /no transparency log entry/);
});

test('a signing certificate whose extended key usage is not code signing is invalid (Sigstore\'s certificate profile)', () => {
  const path = 'verificationMaterial.x509CertificateChain.certificates.0.rawBytes';
  // id-kp-codeSigning (1.3.6.1.5.5.7.3.3) turned into id-kp-emailProtection (…3.4), in place.
  const codeSigning = Buffer.from('06082b06010505070303', 'hex');
  invalid(mutated(V02_DSSE, (b) => {
    const der = Buffer.from(String(getPath(b, path)), 'base64');
    const at = der.indexOf(codeSigning);
    assert.ok(at > 0);
    der[at + codeSigning.length - 1] = 4;
    setPath(b, path, der.toString('base64'));
  }), /the signing certificate is not for code signing \(its extended key usage does not list it\)/);
});

test('a trusted root without the issuing Fulcio CA: unsupported (the root may predate it); with it but not trusted at the time: invalid', () => {
  const stale = /the signing certificate \(issuer O=sigstore\.dev, CN=sigstore-intermediate\) was not issued by a certificate authority the trusted root lists \(if Sigstore has added it since, give a newer trusted root: sigstoreTrustedRoot\)/;
  unsupported(bundleCopy(V02_DSSE), stale, { trustedRoot: { ...root(), certificateAuthorities: [] } });
  unsupported(bundleCopy(V02_DSSE), stale, { trustedRoot: { ...root(), certificateAuthorities: root().certificateAuthorities.slice(0, 1) } });
  const currentWithoutIntermediate: TrustedRoot = { ...root(), certificateAuthorities: root().certificateAuthorities.slice(1).map((ca) => ({ ...ca, chain: ca.chain.slice(1) })) };
  unsupported(bundleCopy(V02_DSSE), stale, { trustedRoot: currentWithoutIntermediate });
  const retired: TrustedRoot = { ...root(), certificateAuthorities: root().certificateAuthorities.map((ca) => ({ ...ca, validUntil: Date.parse('2023-01-01T00:00:00Z') })) };
  invalid(bundleCopy(V02_DSSE), /chain is not valid: its certificate authority https:\/\/fulcio\.sigstore\.dev was not trusted at 2023-07-12T15:50:43\.000Z/, { trustedRoot: retired });
});

test('a trusted root without the log: unsupported (the root may predate it); whose log key was not yet valid: invalid', () => {
  unsupported(bundleCopy(V02_DSSE), /in a log the trusted root does not list \(log id wNI9atQGlz\+VWfO6LRygH4QUfY\/8W4RFwiT5i5WRgB0=\) \(if Sigstore has added it since/, { trustedRoot: { ...root(), tlogs: [] } });
  const late: TrustedRoot = { ...root(), tlogs: root().tlogs.map((l) => ({ ...l, validFrom: Date.parse('2024-01-01T00:00:00Z') })) };
  invalid(bundleCopy(V02_DSSE), /was not trusted at 2023-07-12T15:50:43\.000Z, when the bundle shows it signed/, { trustedRoot: late });
});

test('a message signature: the artifact must be given, match the digest and the signature', () => {
  const { options } = conformanceCase('happy-path-v0.3');
  const { artifact: _artifact, ...withoutArtifact } = options;
  invalid(bundleCopy(V03_MESSAGE), /no artifact was given/, withoutArtifact);
  invalid(bundleCopy(V03_MESSAGE), /messageDigest is not the SHA-256 of the artifact/, { ...options, artifact: Buffer.from('another artifact') });
  invalid(mutated(V03_MESSAGE, (b) => setPath(b, 'messageSignature.messageDigest', undefined)), /message signature does not verify over the artifact/, { ...options, artifact: Buffer.from('another artifact') });
  invalid(mutated(V03_MESSAGE, (b) => setPath(b, 'messageSignature.messageDigest.algorithm', 'SHA2_512')), /is not SHA2_256/, options);
});

test('a key-based bundle: no keyForHint, a different key, a key not valid at the time', () => {
  const c = conformanceCase('managed-key-happy-path');
  assert.ok(c.key !== null);
  unsupported(c.bundle, /not a trusted key/, { trustedRoot: root(), artifact: c.options.artifact ?? Buffer.alloc(0) });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  invalid(c.bundle, /message signature does not verify/, { ...c.options, keyForHint: () => ({ key: other, validFrom: null, validUntil: null }) });
  const key = c.key;
  invalid(c.bundle, /key with hint .* was not valid at 2025-12-18T17:04:39\.000Z, when the bundle shows it signed/, { ...c.options, keyForHint: () => ({ key, validFrom: null, validUntil: Date.parse('2025-01-01T00:00:00Z') }) });
});

test('an entry kind this verifier does not read is unsupported (the SET does not cover kindVersion, the body check does)', () => {
  const r = verifyBundle(mutated(V01_NO_PROOF, (b) => setPath(b, `${ENTRY}.kindVersion.kind`, 'rekord')), { trustedRoot: root() });
  assert.equal(r.status, 'unsupported');
  invalid(mutated(V01_NO_PROOF, (b) => setPath(b, `${ENTRY}.kindVersion`, { kind: 'hashedrekord', version: '0.0.1' })), /body of .* is not a hashedrekord 0\.0\.1 entry/);
});

test('a wrong or missing media type is invalid', () => {
  for (const mt of ['application/vnd.dev.sigstore.bundle+json;version=0.4', 'application/json', '', 'constructor', 42, null]) {
    invalid(mutated(V02_DSSE, (b) => setPath(b, 'mediaType', mt)), /mediaType .*not a Sigstore bundle media type/);
  }
  invalid(mutated(V02_DSSE, (b) => setPath(b, 'mediaType', undefined)), /mediaType/);
});

test('structure: both or neither content, two envelope signatures, two kinds of key material', () => {
  invalid(mutated(V02_DSSE, (b) => setPath(b, 'messageSignature', { signature: 'AAAA' })), /exactly one of dsseEnvelope, messageSignature \(has both\)/);
  invalid(mutated(V02_DSSE, (b) => setPath(b, 'dsseEnvelope', undefined)), /has neither/);
  invalid(mutated(V02_DSSE, (b) => setPath(b, 'dsseEnvelope.signatures.1', getPath(b, 'dsseEnvelope.signatures.0'))), /has 2 signatures/);
  invalid(mutated(V02_DSSE, (b) => setPath(b, 'verificationMaterial.publicKey', { hint: 'x' })), /exactly one of certificate, x509CertificateChain, publicKey/);
});

test('hostile input is invalid, names the field, and never throws', () => {
  const cases: [unknown, RegExp][] = [
    [null, /the bundle is not an object/],
    [42, /not an object/],
    ['{}', /not an object/],
    [[], /not an object/],
    [{}, /mediaType/],
    [mutated(V02_DSSE, (b) => setPath(b, 'verificationMaterial', 'x')), /verificationMaterial is not an object/],
    [mutated(V02_DSSE, (b) => setPath(b, 'dsseEnvelope.payload', 'A'.repeat(8 * 1024 * 1024))), /dsseEnvelope\.payload is \d+ characters long/],
    [mutated(V02_DSSE, (b) => setPath(b, 'dsseEnvelope.payload', '!!notbase64!!')), /dsseEnvelope\.payload is not base64/],
    [mutated(V02_DSSE, (b) => setPath(b, 'dsseEnvelope.signatures.0.sig', { nested: [1, 2, 3] })), /sig is not a string/],
    [mutated(V02_DSSE, (b) => setPath(b, 'verificationMaterial.tlogEntries', Array.from({ length: 1000 }, () => ({})))), /tlogEntries has 1000 entries/],
    [mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.logIndex`, '-1')), /logIndex is not a non-negative int64/],
    [mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.logIndex`, '99999999999999999999')), /logIndex is not a non-negative int64/],
    [mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.integratedTime`, 1.5)), /integratedTime is not a non-negative int64/],
    [mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.inclusionProof.hashes`, Array.from({ length: 65 }, () => 'AAAA'))), /hashes has 65 entries/],
    [mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.inclusionProof.hashes.0`, 7)), /hashes\[0\] is not a string/],
    [mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.inclusionProof.hashes.0`, 'AAAA')), /not 32 bytes|malformed/],
    [mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.inclusionProof.checkpoint.envelope`, ['x'])), /envelope is not a string/],
    [mutated(V02_DSSE, (b) => setPath(b, `${ENTRY}.canonicalizedBody`, Buffer.from('{"not":"rekor"').toString('base64'))), /signed entry timestamp|inclusion proof/],
    [mutated(V02_DSSE, (b) => setPath(b, 'verificationMaterial.x509CertificateChain.certificates', Array.from({ length: 11 }, () => ({ rawBytes: 'AAAA' })))), /certificates has 11 entries/],
    [mutated(V02_DSSE, (b) => setPath(b, 'verificationMaterial.x509CertificateChain.certificates.0.rawBytes', 'MIIBAAAA')), /certificates\[0\]\.rawBytes is not a DER certificate/],
    [mutated(V02_DSSE, (b) => setPath(b, 'verificationMaterial.x509CertificateChain.certificates', [])), /certificates is empty/],
  ];
  for (const [bundle, pattern] of cases) invalid(bundle, pattern);
});

test('a keyForHint that throws does not make verifyBundle throw', () => {
  const c = conformanceCase('managed-key-happy-path');
  invalid(c.bundle, /could not be verified \(boom\)/, { ...c.options, keyForHint: () => { throw new Error('boom'); } });
});

const REKOR2 = join(CONFORMANCE, 'bundle-verify', 'rekor2-happy-path', 'bundle.sigstore.json');
const REKOR2_DSSE = join(CONFORMANCE, 'bundle-verify', 'rekor2-dsse-happy-path', 'bundle.sigstore.json');
const STAMP = 'verificationMaterial.timestampVerificationData.rfc3161Timestamps.0.signedTimestamp';
const rekor2 = (): VerifyBundleOptions => conformanceCase('rekor2-happy-path').options;

test('Rekor v2: the unmutated bundle verifies, so each failure below is the mutation', () => {
  assert.equal(verifyBundle(bundleCopy(REKOR2), rekor2()).status, 'verified');
});

test('Rekor v2: without its timestamp nothing shows when it was signed', () => {
  invalid(mutated(REKOR2, (b) => setPath(b, 'verificationMaterial.timestampVerificationData', undefined)), /has no integrated time \(a Rekor v2 entry\) and the bundle has no RFC 3161 timestamp/, rekor2());
});

test('Rekor v2: a timestamp that does not verify, or stamps another signature, fails the bundle', () => {
  // The last bytes of the DER are the authority's signature.
  invalid(mutated(REKOR2, (b) => setPath(b, STAMP, flipByte(getPath(b, STAMP), -2))), /rfc3161Timestamps\[0\] does not verify \(https:\/\/timestamp\.sigstage\.dev\/api\/v1\/timestamp: its signature does not verify with the authority's key\)/, rekor2());
  const other = getPath(bundleCopy(REKOR2_DSSE), STAMP);
  invalid(mutated(REKOR2, (b) => setPath(b, STAMP, other)), /rfc3161Timestamps\[0\] does not stamp the bundle's signature/, rekor2());
  invalid(mutated(REKOR2, (b) => setPath(b, STAMP, 'AAAA')), /rfc3161Timestamps\[0\] is not a usable RFC 3161 timestamp/, rekor2());
  invalid(mutated(REKOR2, (b) => setPath(b, STAMP, Buffer.from('not DER at all').toString('base64'))), /rfc3161Timestamps\[0\] is not a usable RFC 3161 timestamp: DER/, rekor2());
  invalid(mutated(REKOR2, (b) => setPath(b, 'verificationMaterial.timestampVerificationData.rfc3161Timestamps.0', {})), /signedTimestamp is not a string/, rekor2());
});

test('Rekor v2: a timestamp authority the root does not list makes the bundle unsupported; one it lists must be valid at the stamp, and may only stamp', () => {
  const options = rekor2();
  const root = options.trustedRoot;
  unsupported(bundleCopy(REKOR2), /rfc3161Timestamps\[0\] is signed by a timestamp authority the trusted root does not list \(if Sigstore has added it since/, { ...options, trustedRoot: { ...root, timestampAuthorities: [] } });
  const tsa = root.timestampAuthorities[0];
  assert.ok(tsa !== undefined);
  const ended = { ...tsa, validUntil: Date.parse('2025-06-01T00:00:00Z') };
  invalid(bundleCopy(REKOR2), /rfc3161Timestamps\[0\] does not verify \(.*the authority was not trusted at 2025-06-12T12:02:20\.000Z\)/, { ...options, trustedRoot: { ...root, timestampAuthorities: [ended] } });
  // The Fulcio CA's chain in the authority's place: not the certificate the stamp names.
  const fulcio = root.certificateAuthorities[0];
  assert.ok(fulcio !== undefined);
  unsupported(bundleCopy(REKOR2), /does not list/, { ...options, trustedRoot: { ...root, timestampAuthorities: [{ ...fulcio, validFrom: tsa.validFrom, validUntil: null }] } });
  // The authority's leaf without its root: the chain is cut.
  const cut = { ...tsa, chain: tsa.chain.slice(0, 1), signedByNext: [false] };
  const r = verifyBundle(bundleCopy(REKOR2), { ...options, trustedRoot: { ...root, timestampAuthorities: [cut] } });
  assert.equal(r.status, 'verified', 'a one-certificate authority is its own anchor');
  const unsigned = { ...tsa, signedByNext: [false, true] };
  invalid(bundleCopy(REKOR2), /not signed by the next certificate of its chain/, { ...options, trustedRoot: { ...root, timestampAuthorities: [unsigned] } });
});

test('Rekor v2: the log must be trusted at the stamp\'s time, its checkpoint signed by it, and the entry must have an inclusion proof', () => {
  const options = rekor2();
  const root = options.trustedRoot;
  const later = root.tlogs.map((l) => (l.baseUrl.includes('log2025-alpha1') ? { ...l, validFrom: Date.parse('2025-07-01T00:00:00Z') } : l));
  invalid(bundleCopy(REKOR2), /log https:\/\/log2025-alpha1\.rekor\.sigstage\.dev was not trusted at 2025-06-12T12:02:20\.000Z/, { ...options, trustedRoot: { ...root, tlogs: later } });
  const cp = `${ENTRY}.inclusionProof.checkpoint.envelope`;
  invalid(mutated(REKOR2, (b) => setPath(b, cp, String(getPath(b, cp)).replace(/ (\S+)\n$/, (_m, sig: string) => ` ${flipByte(sig, -3)}\n`))), /checkpoint of .*signature by the log does not verify/, rekor2());
  invalid(mutated(REKOR2, (b) => setPath(b, `${ENTRY}.inclusionProof`, undefined)), /has no inclusion proof \(required of an entry without an integrated time\)/, rekor2());
  invalid(mutated(REKOR2, (b) => setPath(b, `${ENTRY}.inclusionProof.hashes.0`, flipByte(getPath(b, `${ENTRY}.inclusionProof.hashes.0`), 0))), /inclusion proof .* does not lead to its root hash/, rekor2());
});

test('Rekor v2: the certificate must have been valid when the timestamp says it signed', () => {
  // The stamp's time is 12:02:20; a leaf valid 12:02:16–12:12:16. Shift the trusted Fulcio CA so that nothing chains at that time.
  const options = rekor2();
  const root = options.trustedRoot;
  const cas = root.certificateAuthorities.map((ca) => ({ ...ca, validFrom: Date.parse('2025-06-13T00:00:00Z') }));
  invalid(bundleCopy(REKOR2), /chain is not valid: its certificate authority https:\/\/fulcio\.sigstage\.dev was not trusted at 2025-06-12T12:02:20\.000Z/, { ...options, trustedRoot: { ...root, certificateAuthorities: cas } });
});

test('a bundle with a verified timestamp but no log entry is unsupported (nothing shows it was published); with a bad stamp it is invalid', () => {
  const b = mutated(REKOR2, (x) => setPath(x, 'verificationMaterial.tlogEntries', []));
  const r = verifyBundle(b, rekor2());
  assert.equal(r.status, 'unsupported');
  assert.match(r.status === 'unsupported' ? r.error : '', /no transparency log entry, only RFC 3161 timestamps/);
  invalid(mutated(REKOR2, (x) => {
    setPath(x, 'verificationMaterial.tlogEntries', []);
    setPath(x, STAMP, 'AAAA');
  }), /not a usable RFC 3161 timestamp/, rekor2());
});

/** Bundles of a private Sigstore the test stands up (test/support/sigstore-pki.ts): a log whose entries it writes itself. */
test('Rekor v2 bodies: a dsse 0.0.2 entry verifies; a body that records another signature, signer or digest does not, though its proofs hold', { skip: hasOpenssl() ? false : 'openssl is not installed' }, (t) => {
  const sigstore = createTestSigstore();
  t.after(() => sigstore.close());
  const options = { trustedRoot: parseTrustedRoot(sigstore.trustedRoot) };
  const statement = { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'pkg:npm/widget@1.0.0', digest: { sha512: 'ab'.repeat(64) } }], predicateType: 'https://slsa.dev/provenance/v1', predicate: {} };
  assert.equal(verifyBundle(sigstore.dsseBundle(statement).bundle, options).status, 'verified');
  assert.equal(verifyBundle(sigstore.dsseBundle(statement, { entry: 'dsse' }).bundle, options).status, 'verified');
  const flip = (b64: string): string => flipByte(b64, 5);
  const cases: [Parameters<typeof sigstore.dsseBundle>[1], RegExp][] = [
    [{ body: (b) => void (b['spec'].hashedRekordV002.data.digest = flip(b['spec'].hashedRekordV002.data.digest)) }, /spec\.hashedRekordV002\.data is not the digest of the envelope's pre-authentication encoding/],
    [{ body: (b) => void (b['spec'].hashedRekordV002.data.algorithm = 'SHA2_384') }, /spec\.hashedRekordV002\.data\.algorithm is "SHA2_384", not SHA2_256/],
    [{ body: (b) => void (b['spec'].hashedRekordV002.signature.content = flip(b['spec'].hashedRekordV002.signature.content)) }, /spec\.hashedRekordV002\.signature\.content is not the bundle's signature/],
    [{ body: (b) => void (b['spec'].hashedRekordV002.signature.verifier.x509Certificate.rawBytes = flip(b['spec'].hashedRekordV002.signature.verifier.x509Certificate.rawBytes)) }, /verifier\.x509Certificate is not the bundle's signing certificate/],
    [{ body: (b) => void delete b['spec'].hashedRekordV002 }, /spec\.hashedRekordV002 is missing/],
    [{ entry: 'dsse', body: (b) => void (b['spec'].dsseV002.payloadHash.digest = flip(b['spec'].dsseV002.payloadHash.digest)) }, /spec\.dsseV002\.payloadHash is not the digest of the envelope's payload/],
    [{ entry: 'dsse', body: (b) => void b['spec'].dsseV002.signatures.push(b['spec'].dsseV002.signatures[0]) }, /spec\.dsseV002\.signatures does not hold exactly one signature/],
    [{ entry: 'dsse', body: (b) => void (b['spec'].dsseV002.signatures[0].verifier = { publicKey: { rawBytes: 'AAAA' } }) }, /spec\.dsseV002\.signatures\[0\]\.verifier\.x509Certificate\.rawBytes is missing/],
  ];
  for (const [edit, pattern] of cases) invalid(sigstore.dsseBundle(statement, edit).bundle, pattern, options);
});
