import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import type { NpmPackageName } from '../../core/index.ts';
import { parseTrustedRoot, publicGoodTrustedRoot, NO_REGISTRY_KEYS } from '../../verify/index.ts';
import { checkAttestations, listsAttestations } from './attestations.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'protocols', 'fixtures');
const BUNDLE = join(FIXTURES, 'sigstore-js-bundles', 'bundleV03-dsse.sigstore');
const REKOR2 = join(FIXTURES, 'sigstore-conformance', 'bundle-verify', 'rekor2-dsse-happy-path', 'bundle.sigstore.json');
const noFixtures = existsSync(BUNDLE) ? false : 'the Sigstore bundles (../shared/protocols/fixtures) are not available';
const TARBALL = readFileSync(join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'npm', 'sigstore-1.0.0.tgz'));
const SHA512 = createHash('sha512').update(TARBALL).digest('hex');
const PUBLISH = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';
const name = 'sigstore' as NpmPackageName;
const trust = { root: publicGoodTrustedRoot(), keys: NO_REGISTRY_KEYS };

function bundle(): Record<string, any> {
  return JSON.parse(readFileSync(BUNDLE, 'utf8')) as Record<string, any>;
}

function doc(...entries: unknown[]): { bytes: Buffer } {
  return { bytes: Buffer.from(JSON.stringify({ attestations: entries })) };
}

function check(d: { bytes: Buffer } | { error: string }, sha512 = SHA512, version = '1.0.0') {
  return checkAttestations(name, version, `pkg:npm/sigstore@${version}`, sha512, d, trust);
}

test('listsAttestations needs dist.attestations with a url', () => {
  assert.equal(listsAttestations({ attestations: { url: 'https://r.invalid/-/npm/v1/attestations/a@1.0.0' } }), true);
  assert.equal(listsAttestations({ attestations: 'yes' }), false);
  assert.equal(listsAttestations({}), false);
});

test('a real npm attestation of the real tarball verifies', { skip: noFixtures }, () => {
  assert.deepEqual(check(doc({ predicateType: PUBLISH, bundle: bundle() })), { status: 'verified', error: null, count: 1, verified: [PUBLISH], provenance: null });
});

test('a genuine attestation of other bytes, another version or another predicate is invalid', { skip: noFixtures }, () => {
  const other = createHash('sha512').update('other bytes').digest('hex');
  const bytes = check(doc({ predicateType: PUBLISH, bundle: bundle() }), other);
  assert.equal(bytes.status, 'invalid');
  assert.equal(bytes.error, `the ${PUBLISH} attestation is not for this tarball: it attests a tarball with sha512 ${SHA512}, not the one served (sha512 ${other})`);
  const version = check(doc({ predicateType: PUBLISH, bundle: bundle() }), SHA512, '1.0.1');
  assert.equal(version.error, `the ${PUBLISH} attestation is not for this tarball: it attests pkg:npm/sigstore@1.0.0, not pkg:npm/sigstore@1.0.1`);
  const predicate = check(doc({ predicateType: 'https://slsa.dev/provenance/v1', bundle: bundle() }));
  assert.equal(predicate.error, `the https://slsa.dev/provenance/v1 attestation is not for this tarball: it is listed as https://slsa.dev/provenance/v1 but its statement is ${PUBLISH}`);
});

test('an edited statement does not verify', { skip: noFixtures }, () => {
  const b = bundle();
  const statement = JSON.parse(Buffer.from(b['dsseEnvelope'].payload, 'base64').toString('utf8')) as Record<string, any>;
  statement['subject'][0].digest.sha512 = 'ab'.repeat(64);
  b['dsseEnvelope'].payload = Buffer.from(JSON.stringify(statement)).toString('base64');
  const result = check(doc({ predicateType: PUBLISH, bundle: b }), 'ab'.repeat(64));
  assert.equal(result.status, 'invalid');
  assert.match(result.error ?? '', new RegExp(`^the ${PUBLISH.replace(/[./]/g, '\\$&')} attestation does not verify: `));
});

test('a malformed document is invalid, an unserved one or an unsupported bundle unverifiable', { skip: noFixtures }, () => {
  assert.deepEqual(check({ bytes: Buffer.from('<html>') }), { status: 'invalid', error: 'its attestation document is not JSON', count: 0, verified: [], provenance: null });
  assert.equal(check({ bytes: Buffer.from('{"attestations": {}}') }).error, 'its attestation document has no "attestations" list');
  assert.equal(check(doc()).error, 'the metadata lists attestations but the upstream serves none');
  assert.equal(check(doc(...Array.from({ length: 17 }, () => ({})))).error, 'its attestation document lists 17 attestations (at most 16 are read)');
  assert.equal(check(doc({ bundle: bundle() })).error, 'attestation 0 has no predicate type');
  assert.equal(check(doc({ predicateType: PUBLISH })).status, 'invalid');
  assert.equal(check({ bytes: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20) }).status, 'unverifiable');
  assert.deepEqual(check({ error: 'the upstream answered 404' }), { status: 'unverifiable', error: 'the upstream did not serve its attestations (the upstream answered 404)', count: 0, verified: [], provenance: null });
  if (existsSync(REKOR2)) {
    // A Rekor v2 bundle: checked against its own (staging) root it verifies, but attests a.txt,
    // not this tarball; against the public-good root its log is unknown, so it cannot be checked.
    const rekor2 = JSON.parse(readFileSync(REKOR2, 'utf8')) as Record<string, any>;
    const staging = { root: parseTrustedRoot(JSON.parse(readFileSync(join(dirname(REKOR2), 'trusted_root.json'), 'utf8'))), keys: NO_REGISTRY_KEYS };
    const provenance = 'https://slsa.dev/provenance/v1';
    const other = checkAttestations(name, '1.0.0', 'pkg:npm/sigstore@1.0.0', SHA512, doc({ predicateType: provenance, bundle: rekor2 }), staging);
    assert.equal(other.status, 'invalid');
    assert.match(other.error ?? '', /is not for this tarball: it attests a\.txt, not pkg:npm\/sigstore@1\.0\.0/);
    const unknownLog = check(doc({ predicateType: provenance, bundle: rekor2 }));
    assert.equal(unknownLog.status, 'unverifiable');
    assert.match(unknownLog.error ?? '', /cannot be checked: verificationMaterial\.tlogEntries\[0\] is in a log the trusted root does not list/);
    // Timestamped but in no transparency log: not checked, so unverifiable.
    rekor2['verificationMaterial'].tlogEntries = [];
    const unlogged = checkAttestations(name, '1.0.0', 'pkg:npm/sigstore@1.0.0', SHA512, doc({ predicateType: provenance, bundle: rekor2 }), staging);
    assert.equal(unlogged.status, 'unverifiable', unlogged.error ?? '');
    assert.match(unlogged.error ?? '', /cannot be checked: the bundle has no transparency log entry, only RFC 3161 timestamps/);
  }
});
