import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { e2e } from './support.ts';

test('a version hidden by policy: npm install picks the newest allowed one; a pinned install fails with the reason', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  const r = await p.npm(['install', 'hide-me']);
  assert.equal(r.code, 0, r.output);
  assert.equal((await p.readJson('node_modules/hide-me/package.json'))['version'], '1.0.0');
  assert.equal((await p.readJson('package.json'))['dependencies'] !== undefined, true);

  const pinned = await p.npm(['install', 'hide-me@2.0.0']);
  assert.notEqual(pinned.code, 0);
  assert.match(pinned.output, /E403/);
  assert.match(pinned.output, /hide-me@2\.0\.0 is blocked by Airlock policy: hide-me@2\.0\.0 is on the test blocklist \[test\.blocklist\]/);
  assert.equal((await p.readJson('node_modules/hide-me/package.json'))['version'], '1.0.0', 'nothing changed');
});

test('a hidden version pinned in a lockfile fails at its tarball with the reason', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  const built = s.env.registry.package('hide-me').versions.get('2.0.0');
  assert.ok(built !== undefined);
  // A lockfile written before the policy blocked 2.0.0.
  await writeFile(join(p.dir, 'package.json'), JSON.stringify({ name: 'e2e-project', version: '1.0.0', dependencies: { 'hide-me': '2.0.0' } }));
  await writeFile(
    join(p.dir, 'package-lock.json'),
    JSON.stringify({
      name: 'e2e-project',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'e2e-project', version: '1.0.0', dependencies: { 'hide-me': '2.0.0' } },
        'node_modules/hide-me': { version: '2.0.0', resolved: `${s.registry}hide-me/-/hide-me-2.0.0.tgz`, integrity: built.tarball.integrity, license: 'MIT' },
      },
    }),
  );
  const r = await p.npm(['ci']);
  assert.notEqual(r.code, 0);
  assert.match(r.output, /403 Forbidden - GET \S+hide-me-2\.0\.0\.tgz - hide-me@2\.0\.0 is blocked by Airlock policy: hide-me@2\.0\.0 is on the test blocklist \[test\.blocklist\]/);
});

test('blockedVersions: show lists a blocked version; installing it fails at its tarball with the reason', async (t) => {
  const s = await e2e({ config: { repository: { blockedVersions: 'show' } } });
  t.after(() => s.close());
  const p = await s.project();
  const r = await p.npm(['install', 'evil-pkg@1.0.0']);
  assert.notEqual(r.code, 0);
  assert.match(r.output, /403 Forbidden - GET \S+evil-pkg-1\.0\.0\.tgz - evil-pkg@1\.0\.0 is blocked by Airlock policy: known malicious test package \[test\.evil\]/);
});
