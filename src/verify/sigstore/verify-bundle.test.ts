import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseInTotoStatement, publicGoodTrustedRoot, verifyBundle, type BundleVerification } from './index.ts';
import { conformanceCase, readJson, SIGSTORE_JS, sigstoreJsBundles } from './test-support.ts';

const SHA512 = '7bea9f6e7ff37f5fab0b36bf061200fff03099fd2fd696b91d04bc5e4f225eb9fd6e0cadcad54ba980f43fb352a99e8810b4e0abeb5c0ef2cf9108cd1f258b36';
const BEACON = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';

function verified(r: BundleVerification): Extract<BundleVerification, { status: 'verified' }> {
  assert.equal(r.status, 'verified', r.status === 'verified' ? '' : r.error);
  return r as Extract<BundleVerification, { status: 'verified' }>;
}

test('all nine sigstore-js bundles (v0.1–v0.3, dsse and intoto entries, with and without proofs) verify with the public-good root', () => {
  const names = sigstoreJsBundles();
  assert.equal(names.length, 9);
  for (const name of names) {
    const r = verified(verifyBundle(readJson(join(SIGSTORE_JS, name)), { trustedRoot: publicGoodTrustedRoot() }));
    assert.deepEqual(r.signer, { kind: 'certificate', subjectAlternativeName: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth', extensions: { issuer: 'https://github.com/login/oauth' } }, name);
    assert.ok(r.signedAt === 1689177043000 || r.signedAt === 1689176078000, name);
    assert.ok(r.logIndex === 27246114 || r.logIndex === 27244980, name);
    assert.ok(r.dsse !== null, name);
    const st = parseInTotoStatement(r.dsse.payloadType, r.dsse.payload);
    assert.equal(st.type, 'https://in-toto.io/Statement/v0.1', name);
    assert.deepEqual(st.subjects, [{ name: 'pkg:npm/sigstore@1.0.0', digest: { sha512: SHA512 } }], name);
  }
});

test('conformance: message signatures (hashedrekord) verify with both v0.3 media type spellings', () => {
  for (const name of ['happy-path-v0.3', 'happy-path-v0.3-new-mediaType']) {
    const c = conformanceCase(name);
    const r = verified(verifyBundle(c.bundle, c.options));
    assert.equal(r.dsse, null);
    assert.equal(r.logIndex, 79571823);
    assert.equal(r.signedAt, 1710869186000);
    assert.equal(r.signer.kind, 'certificate');
    if (r.signer.kind === 'certificate') {
      assert.equal(r.signer.subjectAlternativeName, BEACON);
      assert.equal(r.signer.issuer, 'https://token.actions.githubusercontent.com');
    }
  }
});

test('conformance: DSSE in a dsse 0.0.1 entry verifies, and its statement parses', () => {
  const c = conformanceCase('happy-path-intoto-in-dsse-v3');
  const r = verified(verifyBundle(c.bundle, c.options));
  assert.ok(r.dsse !== null);
  assert.equal(parseInTotoStatement(r.dsse.payloadType, r.dsse.payload).type, 'https://in-toto.io/Statement/v1');
  assert.equal(r.signer.kind === 'certificate' ? r.signer.subjectAlternativeName : null, BEACON);
});

test('conformance: a v0.2 intoto bundle verifies with its own trusted root; with the public-good one its log is unknown, so it is unsupported', () => {
  const c = conformanceCase('intoto-with-custom-trust-root');
  const r = verified(verifyBundle(c.bundle, c.options));
  assert.equal(r.signedAt, 1675209600000);
  const other = verifyBundle(c.bundle, { ...c.options, trustedRoot: publicGoodTrustedRoot() });
  assert.equal(other.status, 'unsupported');
  assert.match(other.status === 'unsupported' ? other.error : '', /is in a log the trusted root does not list/);
});

test('conformance: a key-based bundle verifies with the key its hint names', () => {
  const c = conformanceCase('managed-key-happy-path');
  const r = verified(verifyBundle(c.bundle, c.options));
  assert.deepEqual(r.signer, { kind: 'key', hint: 'TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=' });
  assert.equal(r.logIndex, 771488337);
});

test('conformance: the _fail cases fail, each for its own reason (a key nobody trusts is unsupported, the others invalid)', () => {
  const wrongKey = conformanceCase('managed-key-wrong-key_fail');
  // Its key.pub is deliberately corrupt: no key is known for the hint.
  assert.equal(wrongKey.key, null);
  const r1 = verifyBundle(wrongKey.bundle, wrongKey.options);
  assert.equal(r1.status, 'unsupported');
  assert.match(r1.status === 'unsupported' ? r1.error : '', /not a trusted key/);

  const mismatch = conformanceCase('dsse-mismatch-sig_fail');
  const r2 = verifyBundle(mismatch.bundle, mismatch.options);
  assert.equal(r2.status, 'invalid');
  assert.match(r2.status === 'invalid' ? r2.error : '', /body of .* does not match the bundle: spec\.signatures\[0\]\.signature is not the envelope's signature/);

  const sig = conformanceCase('signature-mismatch_fail');
  const r3 = verifyBundle(sig.bundle, sig.options);
  assert.equal(r3.status, 'invalid');
  assert.match(r3.status === 'invalid' ? r3.error : '', /message signature does not verify/);
});

test('conformance: Rekor v2 bundles (no integrated time: the signing time is an RFC 3161 timestamp) verify with their staging root; to the public-good one their log is unknown', () => {
  const message = conformanceCase('rekor2-happy-path');
  const m = verified(verifyBundle(message.bundle, message.options));
  assert.equal(m.signedAt, Date.parse('2025-06-12T12:02:20Z'));
  assert.equal(m.logIndex, 735);
  assert.equal(m.dsse, null);
  assert.equal(m.signer.kind === 'certificate' ? m.signer.subjectAlternativeName : null, BEACON);
  // A DSSE envelope logged in Rekor v2 as a hashedrekord of its pre-authentication encoding.
  const dsse = conformanceCase('rekor2-dsse-happy-path');
  const d = verified(verifyBundle(dsse.bundle, dsse.options));
  assert.equal(d.signedAt, Date.parse('2026-05-13T19:23:33Z'));
  assert.equal(d.logIndex, 4026478);
  assert.ok(d.dsse !== null);
  assert.deepEqual(parseInTotoStatement(d.dsse.payloadType, d.dsse.payload).subjects, [{ name: 'a.txt', digest: { sha256: 'a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf' } }]);
  for (const c of [message, dsse]) {
    const r = verifyBundle(c.bundle, { ...c.options, trustedRoot: publicGoodTrustedRoot() });
    assert.equal(r.status, 'unsupported');
    assert.match(r.status === 'unsupported' ? r.error : '', /tlogEntries\[0\] is in a log the trusted root does not list/);
  }
});

test('conformance: the v0.2 bundle with both an integrated time and a timestamp is signed at its integrated time; its stamp verifies, or is left aside when its authority is unknown', () => {
  const c = conformanceCase('intoto-with-custom-trust-root');
  assert.equal(verified(verifyBundle(c.bundle, c.options)).signedAt, 1675209600000);
  const noTsa = verifyBundle(c.bundle, { ...c.options, trustedRoot: { ...c.options.trustedRoot, timestampAuthorities: [] } });
  assert.equal(verified(noTsa).signedAt, 1675209600000);
  const tsa = c.options.trustedRoot.timestampAuthorities[0];
  assert.ok(tsa !== undefined);
  const retired = verifyBundle(c.bundle, { ...c.options, trustedRoot: { ...c.options.trustedRoot, timestampAuthorities: [{ ...tsa, validUntil: Date.parse('2023-01-15T00:00:00Z') }] } });
  assert.equal(retired.status, 'invalid');
  assert.match(retired.status === 'invalid' ? retired.error : '', /rfc3161Timestamps\[0\] does not verify \(.*the authority was not trusted at 2023-02-01T00:00:00\.000Z\)/);
});
