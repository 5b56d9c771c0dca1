import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2e } from './support.ts';

test('an upstream tarball that does not match its integrity is refused and not cached', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  s.env.registry.corruptTarball('left-pad', '1.3.0');
  const p = await s.project();
  const bad = await p.npm(['install', 'left-pad@1.3.0']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.output, /left-pad@1\.3\.0: the upstream served a tarball whose bytes do not match the published \S+ digest; refused, nothing was stored/);
  assert.equal(s.env.registry.tarballHits('left-pad', '1.3.0'), 1 + 2, 'npm retried; each retry went upstream (nothing cached)');

  s.env.registry.corruptTarball('left-pad', '1.3.0', false);
  const good = await p.npm(['install', 'left-pad@1.3.0']);
  assert.equal(good.code, 0, good.output);
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
});
