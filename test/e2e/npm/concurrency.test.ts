import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2e } from './support.ts';

test('concurrent installs of the same new package cause one upstream tarball fetch', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  // Slow upstream: the installs overlap while the first fetch is still in flight.
  s.env.registry.setDelay(300);
  const projects = await Promise.all([s.project(), s.project(), s.project()]);
  const results = await Promise.all(projects.map((p) => p.npm(['install', '@acme/widget'])));
  for (const r of results) assert.equal(r.code, 0, r.output);
  assert.equal(s.env.registry.tarballHits('@acme/widget', '2.0.0'), 1);
  assert.equal(s.env.registry.tarballHits('left-pad', '1.3.0'), 1);
  assert.equal(s.env.registry.hits('/@acme%2fwidget'), 1);
});
