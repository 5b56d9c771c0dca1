import { test } from 'node:test';
import assert from 'node:assert/strict';
import { airlockCli, e2e, quarantineIdIn } from './support.ts';

test('the admin API refuses missing and under-privileged tokens', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  const held = await p.npm(['install', 'scripted-pkg']);
  const id = quarantineIdIn(held.output);
  assert.notEqual(id, '');

  const api = `${s.airlock.url}/-/api`;
  const none = await fetch(`${api}/quarantine`);
  assert.equal(none.status, 401);
  const bogus = await fetch(`${api}/quarantine`, { headers: { authorization: 'Bearer not-a-token' } });
  assert.equal(bogus.status, 401);

  const created = await airlockCli(['token', 'create', '--role', 'reader', '--label', 'ci', '--server', s.airlock.url], { AIRLOCK_TOKEN: s.airlock.adminToken });
  assert.equal(created.code, 0, created.output);
  const reader = /(airlock_\S+|\S{24,})/.exec(created.stdout.trim().split('\n').pop() ?? '')?.[1] ?? '';
  const readerCanList = await fetch(`${api}/quarantine`, { headers: { authorization: `Bearer ${reader}` } });
  assert.equal(readerCanList.status, 200, 'a reader may look');
  const readerRelease = await fetch(`${api}/quarantine/${id}/release`, { method: 'POST', headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'x' }) });
  assert.equal(readerRelease.status, 403);

  const cliNoToken = await airlockCli(['quarantine', 'release', id, '--reason', 'x', '--server', s.airlock.url], {});
  assert.notEqual(cliNoToken.code, 0);
  const cliReader = await airlockCli(['quarantine', 'release', id, '--reason', 'x', '--server', s.airlock.url], { AIRLOCK_TOKEN: reader });
  assert.notEqual(cliReader.code, 0);
  assert.match(cliReader.output, /approver/);
  const rec = await s.airlock.app.airlock.storage.metadata.getQuarantine(id);
  assert.equal(rec?.state, 'quarantined', 'still quarantined');
  const stillHeld = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(stillHeld.code, 0);
});
