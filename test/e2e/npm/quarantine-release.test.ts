import { test } from 'node:test';
import assert from 'node:assert/strict';
import { airlockCli, e2e } from './support.ts';

test('quarantine → airlock quarantine release (the CLI) → the same install succeeds', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  const held = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(held.code, 0);
  assert.match(held.output, /scripted-pkg@1\.0\.0 is quarantined by Airlock: the tarball runs install scripts \[test\.scripts\]\. Quarantine id (\S+); to use it, ask an approver to review it: airlock quarantine release/);
  const id = /Quarantine id (\S+);/.exec(held.output)?.[1] ?? '';

  const cli = { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: s.airlock.adminToken };
  const list = await airlockCli(['quarantine', 'list', '--format', 'json'], cli);
  assert.equal(list.code, 0, list.output);
  const records = JSON.parse(list.stdout) as Array<{ id: string; purl: string; state: string; reasons: Array<{ message: string }> }>;
  assert.deepEqual(records.map((r) => [r.id, r.purl, r.state]), [[id, 'pkg:npm/scripted-pkg@1.0.0', 'quarantined']]);

  const release = await airlockCli(['quarantine', 'release', id, '--reason', 'the postinstall only prints'], cli);
  assert.equal(release.code, 0, release.output);

  const again = await p.npm(['install', 'scripted-pkg']);
  assert.equal(again.code, 0, again.output);
  assert.equal((await p.readJson('node_modules/scripted-pkg/package.json'))['version'], '1.0.0');
});

test('quarantine → airlock quarantine reject (the CLI) → npm names the rejection and its reason, resolving or by tarball URL', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  const held = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(held.code, 0);
  const id = /Quarantine id (\S+);/.exec(held.output)?.[1] ?? '';
  assert.notEqual(id, '', held.output);

  const cli = { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: s.airlock.adminToken };
  const reject = await airlockCli(['quarantine', 'reject', id, '--reason', 'the postinstall downloads a binary'], cli);
  assert.equal(reject.code, 0, reject.output);

  // Resolving: the version is withheld from the packument, and npm prints why.
  const resolving = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(resolving.code, 0);
  assert.match(resolving.output, /scripted-pkg@1\.0\.0 is blocked by Airlock policy: .*rejected by a reviewer.*the postinstall downloads a binary/);

  // By its tarball URL, as a lockfile's `resolved` names it: the download itself is refused,
  // naming the reviewer's reason and the review once each.
  const tarball = `${s.registry}scripted-pkg/-/scripted-pkg-1.0.0.tgz`;
  const locked = await p.npm(['install', tarball]);
  assert.notEqual(locked.code, 0);
  const refusal = /scripted-pkg@1\.0\.0 is blocked by Airlock: rejected by a reviewer by \S+: the postinstall downloads a binary \(quarantine (\S+)\) \[airlock\.rejected\]/.exec(locked.output);
  assert.equal(refusal?.[1], id, locked.output);
  assert.equal(locked.output.split(id).length, 2, `the quarantine id once: ${locked.output}`);
});
