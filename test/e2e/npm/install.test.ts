import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2e } from './support.ts';

test('npm installs through Airlock: unscoped, scoped and transitive; the lockfile points at Airlock; npm ci replays it', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  const r = await p.npm(['install', '@acme/widget', 'left-pad@1.1.0']);
  assert.equal(r.code, 0, r.output);
  const widget = await p.readJson('node_modules/@acme/widget/package.json');
  assert.equal(widget['version'], '2.0.0');
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.1.0');
  const lock = await p.readJson('package-lock.json');
  const packages = lock['packages'] as Record<string, { resolved?: string; integrity?: string }>;
  assert.equal(packages['node_modules/@acme/widget']?.resolved, `${s.registry}@acme/widget/-/widget-2.0.0.tgz`);
  assert.equal(packages['node_modules/@acme/widget']?.integrity, s.env.registry.package('@acme/widget').versions.get('2.0.0')?.tarball.integrity);

  // npm ci from the lockfile, with a cold npm cache: tarballs straight from their resolved URLs.
  const ci = await p.npm(['ci'], { cache: `${p.dir}/.npm-cache-2` });
  assert.equal(ci.code, 0, ci.output);
  assert.equal((await p.readJson('node_modules/@acme/widget/package.json'))['version'], '2.0.0');
  assert.equal(s.env.registry.tarballHits('@acme/widget', '2.0.0'), 1, 'the second install was served from Airlock');
});
