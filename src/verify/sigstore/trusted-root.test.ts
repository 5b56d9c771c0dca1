import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustedRoot, publicGoodTrustedRoot, SigstoreError } from './index.ts';
import { FIXTURES, readJson } from './test-support.ts';

const PUBLIC_GOOD = join(FIXTURES, 'sigstore-trust', 'public-good-trusted_root.json');

test('the vendored public-good root is a byte copy of the shared one', () => {
  assert.ok(readFileSync(join(import.meta.dirname, 'public-good-trusted-root.json')).equals(readFileSync(PUBLIC_GOOD)));
});

test('the public-good root parses: Rekor v1 and v2 logs, two Fulcio CAs; it is parsed once', () => {
  const root = publicGoodTrustedRoot();
  assert.equal(publicGoodTrustedRoot(), root);
  assert.deepEqual(root.tlogs.map((l) => l.baseUrl), ['https://rekor.sigstore.dev', 'https://log2025-1.rekor.sigstore.dev']);
  assert.equal(root.tlogs[0]?.logId.toString('base64'), 'wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=');
  assert.equal(root.tlogs[0]?.key.asymmetricKeyType, 'ec');
  assert.equal(root.tlogs[1]?.key.asymmetricKeyType, 'ed25519');
  assert.equal(root.tlogs[0]?.validFrom, Date.parse('2021-01-12T11:53:27Z'));
  assert.equal(root.tlogs[0]?.validUntil, null);
  assert.deepEqual(root.certificateAuthorities.map((c) => c.chain.length), [1, 2]);
  assert.deepEqual(root.timestampAuthorities.map((t) => [t.uri, t.chain.length]), [['https://timestamp.sigstore.dev/api/v1/timestamp', 2]]);
  assert.equal(root.certificateAuthorities[0]?.validUntil, Date.parse('2022-12-31T23:59:59.999Z'));
  assert.ok(Object.isFrozen(root) && Object.isFrozen(root.tlogs));
});

function rejects(edit: (root: Record<string, unknown>) => void, pattern: RegExp): void {
  const root = readJson(PUBLIC_GOOD) as Record<string, unknown>;
  edit(root);
  assert.throws(() => parseTrustedRoot(root), (e: unknown) => e instanceof SigstoreError && pattern.test(e.message));
}

type Obj = Record<string, unknown>;
const tlog0 = (r: Obj): Obj => (r['tlogs'] as Obj[])[0] as Obj;
const ca1 = (r: Obj): Obj => (r['certificateAuthorities'] as Obj[])[1] as Obj;

test('parse errors name the path', () => {
  assert.throws(() => parseTrustedRoot(null), /trusted root is not an object/);
  assert.throws(() => parseTrustedRoot([]), /trusted root is not an object/);
  rejects((r) => { r['mediaType'] = 'application/json'; }, /^mediaType "application\/json" is not a trusted root media type/);
  // Found by grepping JSON.stringify of untrusted JSON: of a list nested 100,000 deep it overflowed the stack.
  rejects((r) => { r['mediaType'] = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`); }, /^mediaType a list is not a trusted root media type/);
  rejects((r) => { delete r['mediaType']; }, /^mediaType nothing is not a trusted root media type/);
  rejects((r) => { r['tlogs'] = {}; }, /^tlogs is not a list/);
  rejects((r) => { tlog0(r)['publicKey'] = 'x'; }, /^tlogs\[0\]\.publicKey is not an object/);
  rejects((r) => { (tlog0(r)['publicKey'] as Obj)['rawBytes'] = 'AAAA'; }, /^tlogs\[0\]\.publicKey\.rawBytes is not a DER public key/);
  rejects((r) => { (tlog0(r)['publicKey'] as Obj)['rawBytes'] = '%%%'; }, /^tlogs\[0\]\.publicKey\.rawBytes is not base64/);
  rejects((r) => { ((tlog0(r)['publicKey'] as Obj)['validFor'] as Obj)['start'] = undefined; }, /^tlogs\[0\]\.publicKey\.validFor\.start is missing/);
  rejects((r) => { ((tlog0(r)['publicKey'] as Obj)['validFor'] as Obj)['start'] = 'yesterday'; }, /^tlogs\[0\]\.publicKey\.validFor\.start is not an RFC 3339 time/);
  rejects((r) => { tlog0(r)['logId'] = {}; }, /^tlogs\[0\]\.logId\.keyId is not a string/);
  rejects((r) => { ((ca1(r)['certChain'] as Obj)['certificates'] as Obj[])[1] = { rawBytes: 'MIIB' }; }, /^certificateAuthorities\[1\]\.certChain\.certificates\[1\]\.rawBytes is not a DER certificate/);
  rejects((r) => { (ca1(r)['certChain'] as Obj)['certificates'] = []; }, /^certificateAuthorities\[1\]\.certChain\.certificates is empty/);
  rejects((r) => { ca1(r)['validFor'] = { start: '2024-01-01T00:00:00Z', end: '2023-01-01T00:00:00Z' }; }, /^certificateAuthorities\[1\]\.validFor\.end is before its start/);
  rejects((r) => { r['tlogs'] = Array.from({ length: 65 }, () => ({})); }, /^tlogs has 65 entries/);
  rejects((r) => { r['timestampAuthorities'] = [{ certChain: { certificates: [] }, validFor: { start: '2024-01-01T00:00:00Z' } }]; }, /^timestampAuthorities\[0\]\.certChain\.certificates is empty/);
  rejects((r) => { r['timestampAuthorities'] = [{ certChain: { certificates: [{ rawBytes: 'MIIB' }] } }]; }, /^timestampAuthorities\[0\]\.certChain\.certificates\[0\]\.rawBytes is not a DER certificate/);
});

test('the conformance roots (custom, staging with Rekor v2 logs) parse', () => {
  for (const c of ['intoto-with-custom-trust-root', 'rekor2-happy-path', 'rekor2-dsse-happy-path']) {
    const root = parseTrustedRoot(readJson(join(FIXTURES, 'sigstore-conformance', 'bundle-verify', c, 'trusted_root.json')));
    assert.ok(root.tlogs.length > 0 && root.certificateAuthorities.length > 0 && root.timestampAuthorities.length === 1, c);
  }
});
