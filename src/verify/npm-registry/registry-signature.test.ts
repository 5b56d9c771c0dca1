import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { publicRegistryKeys, registryKeysOf, registryKeySet, NO_REGISTRY_KEYS } from './registry-keys.ts';
import { checkRegistrySignature, signedIntegrity } from './registry-signature.ts';
import { cpuMs } from '../../../test/support/cpu-time.ts';
import { SIGNATURE_VECTORS, signatureVectors, TUF_REGISTRY_KEYS } from './test-support.ts';

const noFixtures = existsSync(SIGNATURE_VECTORS) && existsSync(TUF_REGISTRY_KEYS) ? false : 'the signature vectors (../shared/protocols/fixtures) are not available';

test('the public registry\'s real signatures verify with the pinned keys, and an altered version does not', { skip: noFixtures }, () => {
  const vectors = signatureVectors();
  const keys = registryKeySet(publicRegistryKeys(), 'npm:signatures');
  // The vectors are signed by the key rotated out on 2025-01-29: versions published before then.
  const before = '2024-06-01T00:00:00.000Z';
  assert.equal(vectors.length, 3);
  for (const v of vectors) {
    const r = checkRegistrySignature(v.name, v.version, { integrity: v.integrity, signatures: [v.signature] }, before, keys);
    if (v.expect === 'valid') assert.deepEqual(r, { status: 'verified', keyid: v.signature.keyid, error: null, keyids: [v.signature.keyid] }, `${v.name}@${v.version}`);
    else {
      assert.equal(r.status, 'invalid', `${v.name}@${v.version}`);
      assert.equal(r.error, `the signature by ${v.signature.keyid} does not verify over ${v.name}@${v.version}:${v.integrity}`);
    }
  }
  // The same signature on a version published after the key's end is not the registry's.
  const [good] = vectors;
  assert.ok(good !== undefined);
  const late = checkRegistrySignature(good.name, good.version, { integrity: good.integrity, signatures: [good.signature] }, '2025-03-01T00:00:00.000Z', keys);
  assert.equal(late.status, 'invalid');
  assert.equal(late.error, `the key ${good.signature.keyid} was not valid when the version was published (2025-03-01T00:00:00.000Z; the key is valid from 1999-01-01T00:00:00.000Z until 2025-01-29T00:00:00.000Z)`);
  // A version with no publish time is taken as published in 2015, as pacote does.
  assert.equal(checkRegistrySignature(good.name, good.version, { integrity: good.integrity, signatures: [good.signature] }, null, keys).status, 'verified');
});

test('the pinned keys are the keys of the registry\'s TUF keys.json, which reads as a key file too', { skip: noFixtures }, () => {
  const pinned = publicRegistryKeys();
  const fromTuf = registryKeysOf(JSON.parse(readFileSync(TUF_REGISTRY_KEYS, 'utf8')), 'test');
  const view = (ks: typeof pinned) =>
    ks.map((k) => ({ keyid: k.keyid, usage: k.usage, der: k.key.export({ format: 'der', type: 'spki' }).toString('base64'), from: k.validFrom, until: k.validUntil })).sort((a, b) => `${a.usage}${a.keyid}`.localeCompare(`${b.usage}${b.keyid}`));
  assert.deepEqual(view(pinned), view(fromTuf));
  assert.equal(fromTuf.length, 4);
  // Each usage has its own set: the old key signs attestations only from 2022-12-01.
  const attestations = registryKeySet(pinned, 'npm:attestations');
  assert.deepEqual([...attestations.values()].flat().map((k) => [k.keyid, k.validFrom]), [
    ['SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA', Date.parse('2022-12-01T00:00:00.000Z')],
    ['SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U', Date.parse('2025-01-13T00:00:00.000Z')],
  ]);
  assert.equal([...registryKeySet(pinned, 'npm:signatures').values()].flat().every((k) => k.usage === 'npm:signatures'), true);
});

function p256(): { privateKey: KeyObject; der: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, der: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

function sigOver(privateKey: KeyObject, text: string): string {
  return sign('sha256', Buffer.from(text), privateKey).toString('base64');
}

test('a key file in the /-/npm/v1/keys format: expiry, and every signature by a trusted key must verify', () => {
  const a = p256();
  const b = p256();
  const keys = registryKeySet(registryKeysOf({ keys: [{ keyid: 'k-a', keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: a.der, expires: '2030-01-01T00:00:00.000Z' }, { keyid: 'k-b', key: b.der, expires: null }] }, 'test'), 'npm:signatures');
  const integrity = 'sha512-QUJD';
  const dist = (signatures: unknown) => ({ integrity, signatures });
  const at = '2026-01-01T00:00:00.000Z';
  const goodA = { keyid: 'k-a', sig: sigOver(a.privateKey, `@s/p@1.0.0:${integrity}`) };
  const goodB = { keyid: 'k-b', sig: sigOver(b.privateKey, `@s/p@1.0.0:${integrity}`) };
  assert.deepEqual(checkRegistrySignature('@s/p', '1.0.0', dist([goodA, { keyid: 'other', sig: 'AAAA' }, goodB]), at, keys), { status: 'verified', keyid: 'k-a', error: null, keyids: ['k-a', 'other', 'k-b'] });
  // Signed by a trusted key for another version; a wrong key's signature under a trusted keyid.
  const other = checkRegistrySignature('@s/p', '1.0.1', dist([goodA]), at, keys);
  assert.equal(other.status, 'invalid');
  assert.equal(other.error, `the signature by k-a does not verify over @s/p@1.0.1:${integrity}`);
  assert.equal(checkRegistrySignature('@s/p', '1.0.0', dist([goodA, { keyid: 'k-b', sig: goodA.sig }]), at, keys).status, 'invalid');
  assert.equal(checkRegistrySignature('@s/p', '1.0.0', dist([goodA]), '2030-06-01T00:00:00.000Z', keys).status, 'invalid', 'expired before the version was published');
  assert.equal(checkRegistrySignature('@s/p', '1.0.0', dist([goodA]), 'yesterday', keys).status, 'invalid', 'an unreadable publish time');
  // None by a trusted key, none at all, no trusted keys.
  assert.deepEqual(checkRegistrySignature('@s/p', '1.0.0', dist([{ keyid: 'other', sig: 'AAAA' }]), at, keys), { status: 'untrusted', keyid: null, error: null, keyids: ['other'] });
  assert.equal(checkRegistrySignature('@s/p', '1.0.0', dist([]), at, keys).status, 'absent');
  assert.equal(checkRegistrySignature('@s/p', '1.0.0', { integrity }, at, keys).status, 'absent');
  assert.equal(checkRegistrySignature('@s/p', '1.0.0', dist([goodA]), at, NO_REGISTRY_KEYS).status, 'untrusted');
});

test('hostile signatures by a trusted key fail closed, and the rest is bounded', () => {
  const a = p256();
  const keys = registryKeySet(registryKeysOf({ keys: [{ keyid: 'k-a', key: a.der, expires: null }] }, 'test'), 'npm:signatures');
  const at = '2026-01-01T00:00:00.000Z';
  const check = (signatures: unknown, extra: object = {}) => checkRegistrySignature('p', '1.0.0', { integrity: 'sha512-QUJD', signatures, ...extra }, at, keys);
  assert.equal(check({ keyid: 'k-a', sig: 'AAAA' }).error, 'dist.signatures is not a list');
  assert.equal(check([{ keyid: 'k-a', sig: 'not base64!' }]).error, 'the signature by k-a is not a base64 ECDSA signature');
  assert.equal(check([{ keyid: 'k-a', sig: 42 }]).status, 'invalid');
  assert.equal(check([{ keyid: 'k-a', sig: 'A'.repeat(600) }]).status, 'invalid');
  assert.equal(check([{ keyid: 'k-a', sig: Buffer.from('not DER at all').toString('base64') }]).error, 'the signature by k-a does not verify over p@1.0.0:sha512-QUJD');
  assert.equal(check(Array.from({ length: 17 }, () => ({ keyid: 'x', sig: 'AAAA' }))).error, 'dist.signatures has 17 entries (at most 16 are read)');
  assert.equal(check([{ keyid: 'k-a', sig: 'AAAA' }], { integrity: 'garbage', shasum: undefined }).error, 'the version has no integrity to check the signature over');
  assert.deepEqual(check([null, 'x', { keyid: 'y'.repeat(300) }]).keyids, ['', '', 'y'.repeat(256)]);
  const long = check([{ keyid: 'k-a', sig: 'AAAA' }], { integrity: Array.from({ length: 200 }, (_, i) => `sha512-${String(i).padStart(4, '0')}`).join(' ') }).error ?? '';
  assert.ok(long.startsWith('the signature by k-a does not verify over p@1.0.0:sha512-0000 sha512-0001 '), long);
  assert.ok(long.endsWith('…') && long.length < 400, `${long.length} characters`);
});

test('the integrity text the registry signs is rendered as pacote renders it', () => {
  assert.equal(signedIntegrity({ integrity: 'sha512-QUJD' }), 'sha512-QUJD');
  assert.equal(signedIntegrity({ integrity: '  sha512-QUJD   sha1-REVG  sha512-R0hJ  bogus ' }), 'sha512-QUJD sha512-R0hJ sha1-REVG');
  assert.equal(signedIntegrity({ shasum: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3' }), `sha1-${Buffer.from('a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', 'hex').toString('base64')}`);
  assert.equal(signedIntegrity({ integrity: 'sha512-QUJD', shasum: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3' }), 'sha512-QUJD');
  assert.equal(signedIntegrity({}), null);
});

test('an integrity string of 100,000 entries is rendered in linear time (found by fuzzing: each entry copied the list before it)', () => {
  const integrity = Array.from({ length: 100_000 }, (_, i) => `sha512-${i}`).join(' ');
  let rendered: string | null = null;
  // CPU time, not the wall clock: the quadratic copy took more than 30 s of it, the linear render takes milliseconds.
  assert.ok(cpuMs(() => (rendered = signedIntegrity({ integrity }))) < 2000);
  assert.equal(rendered, integrity);
});

test('key files are checked entry by entry, with errors that name the entry', () => {
  const a = p256();
  const { publicKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const { publicKey: p384 } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const der = (k: KeyObject) => k.export({ format: 'der', type: 'spki' }).toString('base64');
  const bad = (doc: unknown, message: RegExp) => assert.throws(() => registryKeysOf(doc, 'keys.json'), (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID' && message.test(e.message));
  bad([], /^keys\.json: expected \{"keys": \[\.\.\.\]\}/);
  bad({ keys: [] }, /^keys\.json: no registry key in it/);
  bad({ keys: ['x'] }, /^keys\.json: keys\[0\]: not an object$/);
  bad({ keys: [{ keyid: 'k', key: der(rsa) }] }, /^keys\.json: keys\[0\]\.key: not an ECDSA P-256 key/);
  bad({ keys: [{ keyid: 'k', key: der(p384) }] }, /^keys\.json: keys\[0\]\.key: not an ECDSA P-256 key/);
  bad({ keys: [{ keyid: 'k', key: 'AAAA' }] }, /^keys\.json: keys\[0\]\.key: not a DER public key/);
  bad({ keys: [{ keyid: 'k', key: 'a b' }] }, /^keys\.json: keys\[0\]\.key: not a base64 DER public key$/);
  bad({ keys: [{ keyid: '', key: a.der }] }, /^keys\.json: keys\[0\]\.keyid: not a keyid/);
  bad({ keys: [{ keyid: 'k', key: a.der, keytype: 'ssh-ed25519' }] }, /^keys\.json: keys\[0\]\.keytype: "ssh-ed25519" is not supported/);
  bad({ keys: [{ keyid: 'k', key: a.der, expires: 'soon' }] }, /^keys\.json: keys\[0\]\.expires: not a date/);
  bad({ keys: [{ keyId: 'k', keyUsage: 'npm:signatures', publicKey: { rawBytes: a.der, keyDetails: 'PKIX_ED25519' } }] }, /keys\[0\]\.publicKey\.keyDetails: "PKIX_ED25519" is not supported/);
  bad({ keys: [{ keyId: 'k', keyUsage: 'npm:other', publicKey: { rawBytes: a.der } }] }, /no registry key in it \(TUF entries need keyUsage npm:signatures or npm:attestations\)/);
  bad({ keys: Array.from({ length: 101 }, () => ({ keyid: 'k', key: a.der })) }, /more than 100 keys/);
  // Found by fuzzing: JSON.stringify of a list nested 100,000 deep overflowed the stack, and a long string went whole into the message.
  const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  bad({ keys: [{ keyid: 'k', key: a.der, keytype: deep }] }, /^keys\.json: keys\[0\]\.keytype: a list is not supported/);
  bad({ keys: [{ keyId: 'k', publicKey: { rawBytes: a.der, keyDetails: deep } }] }, /keys\[0\]\.publicKey\.keyDetails: a list is not supported/);
  bad({ keys: [{ keyid: 'k', key: a.der, scheme: { toString: 1 } }] }, /keys\[0\]\.scheme: an object is not supported/);
  bad({ keys: [{ keyid: 'k', key: a.der, keytype: 'x'.repeat(1_000_000) }] }, /keys\[0\]\.keytype: "x{64}…" is not supported \(only ecdsa-sha2-nistp256\)$/);
  const tuf = registryKeysOf({ keys: [{ keyId: 'k', keyUsage: 'npm:signatures', publicKey: { rawBytes: a.der, validFor: { start: '2020-01-01T00:00:00Z' } } }] }, 't');
  assert.deepEqual(tuf.map((k) => [k.keyid, k.validFrom, k.validUntil]), [['k', Date.parse('2020-01-01T00:00:00Z'), null]]);
});
