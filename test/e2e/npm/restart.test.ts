import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2e, quarantineIdIn } from './support.ts';

test('restart keeps every decision and quarantine record', async (t) => {
  let s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  assert.equal((await p.npm(['install', '@acme/widget'])).code, 0);
  const held = await p.npm(['install', 'scripted-pkg']);
  const id = quarantineIdIn(held.output);
  assert.notEqual(id, '');
  const before = await s.airlock.app.airlock.storage.metadata.listDecisions({ limit: 100 });

  s = await s.restart();
  const after = await s.airlock.app.airlock.storage.metadata.listDecisions({ limit: 100 });
  assert.deepEqual(after.items.map((d) => [d.id, d.purl, d.verdict]), before.items.map((d) => [d.id, d.purl, d.verdict]));
  const list = await s.cli(['quarantine', 'list', '--format', 'json']);
  assert.equal(list.code, 0, list.output);
  assert.deepEqual((JSON.parse(list.stdout) as Array<{ id: string; state: string }>).map((r) => [r.id, r.state]), [[id, 'quarantined']]);

  // The new process serves the same verdicts: the quarantine stands, allowed tarballs come from the store.
  s.env.registry.setDown('refuse');
  const fresh = await s.project();
  const again = await fresh.npm(['install', 'scripted-pkg']);
  assert.notEqual(again.code, 0);
  assert.match(again.output, new RegExp(`Quarantine id ${id};`));
  s.env.registry.setDown(false);
});
