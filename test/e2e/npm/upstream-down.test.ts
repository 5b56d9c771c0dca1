import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2e } from './support.ts';

test('upstream down: cached metadata and stored tarballs still install', async (t) => {
  // Max age 0: Airlock revalidates every packument, so only stale-if-error can answer.
  const s = await e2e({ config: { repository: { metadataMaxAge: '0s' } } });
  t.after(() => s.close());
  const warm = await s.project();
  const first = await warm.npm(['install', '@acme/widget']);
  assert.equal(first.code, 0, first.output);

  s.env.registry.setDown('refuse');
  const p = await s.project();
  const r = await p.npm(['install', '@acme/widget', '--prefer-online']);
  assert.equal(r.code, 0, r.output);
  assert.equal((await p.readJson('node_modules/@acme/widget/package.json'))['version'], '2.0.0');
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');

  const unknown = await p.npm(['install', 'hide-me']);
  assert.notEqual(unknown.code, 0, 'never cached: nothing to serve');
  assert.match(unknown.output, /upstream npm is (unreachable|failing)/);
});
