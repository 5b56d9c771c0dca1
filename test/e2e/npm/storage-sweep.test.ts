/**
 * A packument that changes upstream is stored again, and its old copy is left behind: the data
 * directory of a long-running Airlock grows with every publish of every package it serves.
 * `airlock storage sweep` removes what nothing refers to any more, while Airlock runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { airlockCli, blobFiles, e2e } from './support.ts';

test('airlock storage sweep, while Airlock serves: the old copy of a changed packument goes, everything in use stays, and npm installs as before', async (t) => {
  const s = await e2e({ config: { repository: { metadataMaxAge: '0s' } } });
  t.after(() => s.close());
  const first = await (await s.project()).npm(['install', 'left-pad']);
  assert.equal(first.code, 0, first.output);
  s.env.registry.addVersions('left-pad', [{ version: '1.4.0' }]);
  const second = await (await s.project()).npm(['install', 'left-pad']);
  assert.equal(second.code, 0, second.output);
  // Two copies of the packument (before and after 1.4.0) and two tarballs.
  assert.equal(await blobFiles(s.airlock.dataDir), 4);

  const dry = await airlockCli(['storage', 'sweep', '--data-dir', s.airlock.dataDir, '--grace', '0s', '--dry-run'], {});
  assert.equal(dry.code, 0, dry.output);
  assert.match(dry.stdout, /^would remove 1 blobs nothing refers to \(0\.0 MiB\); kept 3 in use/);
  assert.equal(await blobFiles(s.airlock.dataDir), 4);
  const swept = await airlockCli(['storage', 'sweep', '--data-dir', s.airlock.dataDir, '--grace', '0s'], {});
  assert.equal(swept.code, 0, swept.output);
  assert.match(swept.stdout, /^removed 1 blobs nothing refers to/);
  assert.equal(await blobFiles(s.airlock.dataDir), 3);

  const p = await s.project();
  const again = await p.npm(['install', 'left-pad@1.3.0']);
  assert.equal(again.code, 0, again.output);
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
  const latest = await (await s.project()).npm(['view', 'left-pad', 'version']);
  assert.equal(latest.stdout.trim(), '1.4.0');

  // The default grace period keeps everything just written.
  const careful = await airlockCli(['storage', 'sweep', '--data-dir', s.airlock.dataDir], {});
  assert.match(careful.stdout, /^removed 0 blobs nothing refers to .* and 0 committed within 1d/);
  const bad = await airlockCli(['storage', 'sweep', '--data-dir', s.airlock.dataDir, '--grace', 'soon'], {});
  assert.equal(bad.code, 2);
  assert.match(bad.output, /--grace: invalid duration "soon"/);
});
