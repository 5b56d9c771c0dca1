/**
 * cosign v3 signatures: Sigstore bundles stored as referrers. Keyless ones signed by the test's
 * own Sigstore (test/support/sigstore-pki.ts: Fulcio-like CA, Rekor v2-style log, TSA), key-based
 * ones as `cosign sign --key --tlog-upload=false` makes them (test-support.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createTestSigstore, hasOpenssl, WORKFLOW, type TestSigstore } from '../../../test/support/sigstore-pki.ts';
import { modelSigningKeyHint } from '../model-signing/index.ts';
import { EMPTY_TRUSTED_ROOT, parseTrustedRoot, publicGoodTrustedRoot, type TrustedRoot } from '../sigstore/index.ts';
import { COSIGN, COSIGN_LIMITS, verifyCosignSignatures, type CosignCheck, type CosignTrust } from './index.ts';
import { NOW, refused, verifiedSigners } from './fixture-support.ts';
import { cosignSignStatement, signCosignBundle } from './test-support.ts';

const needsOpenssl = { skip: hasOpenssl() ? false : 'openssl is not installed' } as const;
const IMAGE = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

type Json = Record<string, any>;
const json = (b: Buffer): Json => JSON.parse(b.toString('utf8')) as Json;
const bytes = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

function check(bundles: readonly Buffer[], trust: CosignTrust, image = IMAGE, now = new Date()): CosignCheck {
  return verifyCosignSignatures(image, { legacy: [], bundles }, trust, now);
}

function deployment(t: { after: (fn: () => void) => void }): { sigstore: TestSigstore; root: TrustedRoot } {
  const sigstore = createTestSigstore();
  t.after(() => sigstore.close());
  return { sigstore, root: parseTrustedRoot(sigstore.trustedRoot) };
}

test('a keyless cosign v3 signature (DSSE, sign/v1 predicate) verifies as a referrer, with its workflow identity', needsOpenssl, (t) => {
  const { sigstore, root } = deployment(t);
  const bundle = bytes(sigstore.dsseBundle(cosignSignStatement(IMAGE)).bundle);
  const trust = { sigstoreRoot: root, keys: [] };
  const [signer] = verifiedSigners(check([bundle], trust));
  assert.equal(signer?.mode, 'keyless');
  assert.equal(signer?.identity, WORKFLOW.san);
  assert.equal(signer?.issuer, WORKFLOW.issuer);
  assert.equal(signer?.source, 'referrer');
  assert.equal(signer?.predicateType, COSIGN.signPredicate);
  assert.equal(signer?.extensions['sourceRepositoryUri'], WORKFLOW.repository);
  assert.ok(signer?.signedAt !== null && Math.abs((signer?.signedAt ?? 0) - Date.now()) < 10 * 60_000);

  // An attestation of the image (another predicate) counts too, and says what it is.
  const attestation = bytes(sigstore.dsseBundle(cosignSignStatement(IMAGE, 'https://slsa.dev/provenance/v1', { buildDefinition: {} })).bundle);
  assert.deepEqual(verifiedSigners(check([attestation], trust)).map((s) => s.predicateType), ['https://slsa.dev/provenance/v1']);

  // For another image; under another root; altered.
  refused(check([bundle], trust, OTHER), 'invalid', /^referrer bundle 1 of 1: the statement is about sha256:abab.*, not the image sha256:cdcd.*: a signature of another image/);
  refused(check([bundle], { sigstoreRoot: publicGoodTrustedRoot(), keys: [] }), 'unverifiable', /the bundle cannot be checked: /);
  const altered = json(bundle);
  const st = JSON.parse(Buffer.from(altered['dsseEnvelope'].payload, 'base64').toString('utf8')) as Json;
  st['predicate'] = { altered: true };
  altered['dsseEnvelope'].payload = Buffer.from(JSON.stringify(st)).toString('base64');
  refused(check([bytes(altered)], trust), 'invalid', /the bundle does not verify: the DSSE envelope's signature does not verify/);
});

test('a keyless bundle whose statement names the image among other subjects verifies; a sha512-only subject does not', needsOpenssl, (t) => {
  const { sigstore, root } = deployment(t);
  const trust = { sigstoreRoot: root, keys: [] };
  const statement = { ...cosignSignStatement(IMAGE), subject: [{ name: 'other', digest: { sha256: 'cd'.repeat(32) } }, { name: 'this', digest: { sha256: 'AB'.repeat(32) } }] };
  verifiedSigners(check([bytes(sigstore.dsseBundle(statement).bundle)], trust));
  const sha512 = { ...cosignSignStatement(IMAGE), subject: [{ digest: { sha512: 'ab'.repeat(64) } }] };
  refused(check([bytes(sigstore.dsseBundle(sha512).bundle)], trust), 'invalid', /the statement is about sha512, not the image/);
});

test('a key-based cosign v3 bundle verifies with the configured key its hint names', () => {
  const bundle = signCosignBundle({ privateKey: key.privateKey, statement: cosignSignStatement(IMAGE) });
  const [signer] = verifiedSigners(check([bundle], { sigstoreRoot: EMPTY_TRUSTED_ROOT, keys: [otherKey.publicKey, key.publicKey] }, IMAGE, NOW));
  assert.deepEqual(signer, { mode: 'key', identity: null, issuer: null, keyHint: modelSigningKeyHint(key.publicKey), source: 'referrer', predicateType: COSIGN.signPredicate, signedAt: null, extensions: {} });
  // A hint that names no configured key: hints are the signer's label; the configured key that verifies it is the signer.
  verifiedSigners(check([signCosignBundle({ privateKey: key.privateKey, statement: cosignSignStatement(IMAGE), hint: 'my-key' })], { sigstoreRoot: EMPTY_TRUSTED_ROOT, keys: [key.publicKey] }, IMAGE, NOW));
});

test('key-based bundles refused: another key (unverifiable), altered (invalid), another image (invalid)', () => {
  const bundle = signCosignBundle({ privateKey: key.privateKey, statement: cosignSignStatement(IMAGE) });
  const trust = { sigstoreRoot: EMPTY_TRUSTED_ROOT, keys: [key.publicKey] };
  refused(check([bundle], { ...trust, keys: [otherKey.publicKey] }, IMAGE, NOW), 'unverifiable', /signed with a key \(hint ".*"\) that none of the 1 configured cosign keys is/);
  refused(check([bundle], { ...trust, keys: [] }, IMAGE, NOW), 'unverifiable', /no key is configured for cosign signatures/);
  const altered = json(bundle);
  const sig = Buffer.from(altered['dsseEnvelope'].signatures[0].sig, 'base64');
  sig[sig.length - 2] = (sig[sig.length - 2] ?? 0) ^ 1;
  altered['dsseEnvelope'].signatures[0].sig = sig.toString('base64');
  refused(check([bytes(altered)], trust, IMAGE, NOW), 'invalid', /the DSSE signature does not verify with the configured key the bundle names \(hint [0-9a-f]{64}\)/);
  refused(check([bundle], trust, OTHER, NOW), 'invalid', /a signature of another image/);
  // Signed by the other key, under our key's hint: the named key does not verify it.
  const impostor = signCosignBundle({ privateKey: otherKey.privateKey, statement: cosignSignStatement(IMAGE), hint: json(bundle)['verificationMaterial'].publicKey.hint as string });
  refused(check([impostor], trust, IMAGE, NOW), 'invalid', /does not verify with the configured key the bundle names/);
});

test('a key-based bundle with a log entry: checked when the root lists the log, else the key alone vouches', () => {
  const bundle = json(signCosignBundle({ privateKey: key.privateKey, statement: cosignSignStatement(IMAGE) }));
  const rekor = publicGoodTrustedRoot().tlogs[0];
  assert.ok(rekor !== undefined);
  bundle['verificationMaterial'].tlogEntries = [
    {
      logIndex: '1',
      logId: { keyId: rekor.logId.toString('base64') },
      kindVersion: { kind: 'dsse', version: '0.0.1' },
      integratedTime: String(Math.floor(NOW.getTime() / 1000) - 60),
      inclusionPromise: { signedEntryTimestamp: 'AAAA' },
      canonicalizedBody: Buffer.from('{}').toString('base64'),
    },
  ];
  refused(check([bytes(bundle)], { sigstoreRoot: publicGoodTrustedRoot(), keys: [key.publicKey] }, IMAGE, NOW), 'invalid', /verifies with a configured key \(hint [0-9a-f]{64}\), but the bundle does not: .*no inclusion proof/);
  const [signer] = verifiedSigners(check([bytes(bundle)], { sigstoreRoot: EMPTY_TRUSTED_ROOT, keys: [key.publicKey] }, IMAGE, NOW));
  assert.equal(signer?.signedAt, null);
});

test('bundles that are not container signatures: message signatures, other payload types, malformed, oversized', () => {
  const trust = { sigstoreRoot: EMPTY_TRUSTED_ROOT, keys: [key.publicKey] };
  const bundle = json(signCosignBundle({ privateKey: key.privateKey, statement: cosignSignStatement(IMAGE) }));
  const message = { ...bundle, dsseEnvelope: undefined, messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: Buffer.alloc(32).toString('base64') }, signature: 'AAAA' } };
  refused(check([bytes(message)], trust, IMAGE, NOW), 'unverifiable', /holds a message signature, which names no image/);
  const otherType = { ...bundle, dsseEnvelope: { ...bundle['dsseEnvelope'], payloadType: 'text/plain' } };
  refused(check([bytes(otherType)], trust, IMAGE, NOW), 'unverifiable', /payload type is "text\/plain", not an in-toto statement/);
  refused(check([Buffer.from('not json')], trust, IMAGE, NOW), 'invalid', /the bundle is not UTF-8 JSON/);
  refused(check([bytes({ ...bundle, mediaType: 'application/json' })], trust, IMAGE, NOW), 'invalid', /is not a Sigstore bundle media type/);
  const notStatement = { ...bundle, dsseEnvelope: { ...bundle['dsseEnvelope'], payload: Buffer.from('{"_type":"x"}').toString('base64') } };
  refused(check([bytes(notStatement)], trust, IMAGE, NOW), 'invalid', /_type "x" is not an in-toto Statement/);
  refused(verifyCosignSignatures(IMAGE, { legacy: [], bundles: [Buffer.alloc(100)] }, trust, NOW, { ...COSIGN_LIMITS, maxBundleBytes: 99 }), 'unverifiable', /the bundle is 100 bytes \(at most 99 are read\)/);
});
