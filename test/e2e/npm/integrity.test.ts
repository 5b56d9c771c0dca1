import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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

test('an upstream that replaces a version\'s tarball: the next install gets the new bytes its metadata names, not the ones served before', async (t) => {
  const s = await e2e({ config: { repository: { metadataMaxAge: '0s' } } });
  t.after(() => s.close());
  const first = await s.project();
  assert.equal((await first.npm(['install', 'left-pad@1.1.0'])).code, 0);

  // An internal upstream that allows overwriting publishes 1.1.0 again, with other files.
  s.env.registry.addVersions('left-pad', [{ version: '1.1.0', files: [{ path: 'republished.txt', content: 'second build\n' }] }]);
  const second = await s.project();
  const again = await second.npm(['install', 'left-pad@1.1.0']);
  assert.equal(again.code, 0, again.output);
  assert.doesNotMatch(again.output, /EINTEGRITY|corrupted/);
  assert.equal(existsSync(join(second.dir, 'node_modules', 'left-pad', 'republished.txt')), true);
});
