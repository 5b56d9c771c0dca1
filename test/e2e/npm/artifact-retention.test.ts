/**
 * Artifact retention: a gateway keeps every tarball it ever verified, so its disk grows with every
 * version anyone installed once. `airlock storage sweep --artifact-retention` (and
 * `storage.artifactRetention` for the scheduled sweep) evicts the bytes nobody has downloaded for
 * that long, keeps those of versions under quarantine, and keeps every record: npm installs an
 * evicted version as before, from bytes fetched and verified afresh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmTestEnv, serverFor } from '../../npm/helpers.ts';
import { startAirlock } from '../../support/start-airlock.ts';
import { airlockCli, blobFiles, e2e, project, quarantineIdIn, type E2e } from './support.ts';

const DAY = 86_400_000;

function tarballFetches(s: E2e, name: string): number {
  return tarballCount(s.env.registry.requests, name);
}

function sweep(s: E2e, retention: string) {
  return airlockCli(['storage', 'sweep', '--data-dir', s.airlock.dataDir, '--grace', '0s', '--artifact-retention', retention], {});
}

test('artifact retention: the sweep evicts tarballs unused for longer, keeps quarantined ones; npm installs an evicted one again, fetched and verified afresh', async (t) => {
  let s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  const installed = await p.npm(['install', 'left-pad@1.3.0']);
  assert.equal(installed.code, 0, installed.output);
  // The test policy holds scripted-pkg for its install script: its bytes wait for a reviewer.
  const held = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(held.code, 0);
  const id = quarantineIdIn(held.output);
  assert.equal(await blobFiles(s.airlock.dataDir), 4, 'two packuments and two tarballs');

  // Downloaded just now: an hour's retention keeps everything.
  const keepAll = await sweep(s, '1h');
  assert.equal(keepAll.code, 0, keepAll.output);
  assert.match(keepAll.stdout, /^removed 0 blobs nothing refers to \(0\.0 MiB\); evicted 0 artifacts unused for 1h \(0\.0 MiB\); kept 4 in use/);

  // Nothing is recent enough for a zero retention, but the quarantined tarball stays.
  const dry = await airlockCli(['storage', 'sweep', '--data-dir', s.airlock.dataDir, '--grace', '0s', '--artifact-retention', '0s', '--dry-run'], {});
  assert.match(dry.stdout, /^would remove 0 blobs .*; would evict 1 artifacts unused for 0ms/);
  assert.equal(await blobFiles(s.airlock.dataDir), 4, 'a dry run removes nothing');
  const evict = await sweep(s, '0s');
  assert.equal(evict.code, 0, evict.output);
  assert.match(evict.stdout, /^removed 0 blobs nothing refers to \(0\.0 MiB\); evicted 1 artifacts unused for 0ms \(0\.0 MiB\); kept 3 in use/);
  assert.equal(await blobFiles(s.airlock.dataDir), 3);

  // A gateway started afresh on the data directory (nothing kept in memory) fetches the evicted
  // tarball again for the next install, and verifies it against the packument.
  s = await s.restart();
  assert.equal(tarballFetches(s, 'left-pad'), 1);
  const again = await (await s.project()).npm(['install', 'left-pad@1.3.0']);
  assert.equal(again.code, 0, again.output);
  assert.equal(tarballFetches(s, 'left-pad'), 2, 'fetched again from the upstream');
  assert.equal(await blobFiles(s.airlock.dataDir), 4);

  // The quarantined bytes were kept: releasing them serves what the reviewer saw, with no new fetch.
  const release = await s.cli(['quarantine', 'release', id, '--reason', 'the postinstall only prints']);
  assert.equal(release.code, 0, release.output);
  const released = await (await s.project()).npm(['install', 'scripted-pkg']);
  assert.equal(released.code, 0, released.output);
  assert.equal(tarballFetches(s, 'scripted-pkg'), 1);

  // Evicted again, and the upstream now serves other bytes for 1.3.0: refused, nothing stored.
  assert.match((await sweep(s, '0s')).stdout, /evicted 2 artifacts/);
  assert.equal(await blobFiles(s.airlock.dataDir), 2, 'only the packuments');
  s = await s.restart();
  s.env.registry.corruptTarball('left-pad', '1.3.0');
  const bad = await (await s.project()).npm(['install', 'left-pad@1.3.0']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.output, /left-pad@1\.3\.0: the upstream served a tarball whose bytes do not match the published \S+ digest; refused, nothing was stored/);
  assert.equal(await blobFiles(s.airlock.dataDir), 2);

  const wrong = await airlockCli(['storage', 'sweep', '--data-dir', s.airlock.dataDir, '--artifact-retention', 'a while'], {});
  assert.equal(wrong.code, 2);
  assert.match(wrong.output, /--artifact-retention: invalid duration "a while"/);
});

test('artifact retention counts downloads, not only stores: a tarball stored long ago and installed since is kept; one nobody installed since goes', async (t) => {
  const env = await npmTestEnv();
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-'));
  const dataDir = join(tmp, 'data');
  t.after(async () => {
    await env.close();
    await rm(tmp, { recursive: true, force: true });
  });
  // Airlock's clock starts 40 days back: both tarballs are stored then.
  let now = Date.now() - 40 * DAY;
  const airlock = await startAirlock({ config: env.config(), dataDir, clock: () => new Date(now) });
  let open = true;
  t.after(async () => {
    if (open) await airlock.close();
  });
  const registry = `${airlock.url}/npm/`;
  const first = await project(registry, tmp);
  for (const spec of ['left-pad@1.3.0', '@acme/widget@1.0.0']) {
    const r = await first.npm(['install', spec]);
    assert.equal(r.code, 0, r.output);
  }
  // Today someone installs left-pad again: served from the store, and the download recorded
  // (written behind; the last batch when Airlock stops).
  now = Date.now();
  const today = await (await project(registry, tmp)).npm(['install', 'left-pad@1.3.0']);
  assert.equal(today.code, 0, today.output);
  open = false;
  await airlock.close();

  const swept = await airlockCli(['storage', 'sweep', '--data-dir', dataDir, '--grace', '0s', '--artifact-retention', '30d'], {});
  assert.equal(swept.code, 0, swept.output);
  assert.match(swept.stdout, /^removed 0 blobs nothing refers to \(0\.0 MiB\); evicted 1 artifacts unused for 30d /);
  // What went is @acme/widget's tarball: a gateway on the same data asks the upstream for it again, not for left-pad's.
  const again = await serverFor(env, {}, dataDir);
  t.after(() => again.close());
  const before = { pad: tarballCount(env.registry.requests, 'left-pad'), widget: tarballCount(env.registry.requests, '@acme/widget') };
  const p = await project(`${again.url}/npm/`, tmp);
  for (const spec of ['left-pad@1.3.0', '@acme/widget@1.0.0']) {
    const r = await p.npm(['install', spec]);
    assert.equal(r.code, 0, r.output);
  }
  assert.equal(tarballCount(env.registry.requests, 'left-pad'), before.pad, 'left-pad was kept');
  assert.equal(tarballCount(env.registry.requests, '@acme/widget'), before.widget + 1, '@acme/widget was evicted and fetched again');
});

function tarballCount(requests: readonly { method: string; path: string }[], name: string): number {
  return requests.filter((r) => r.method === 'GET' && decodeURIComponent(r.path).startsWith(`/${name}/-/`)).length;
}
