/**
 * A verdict change on a version Airlock already served lands in the audit trail: chalk@5.6.1 is
 * installed, then a feed import lists it as malicious; the gateway re-judges and records
 * `verdict.changed` (allow → block) with the reasons, in the hash-chained trail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { airlockCli, daysAgo, eventually, signalsE2e, SUPPLEMENT_2025 } from './support.ts';

interface AuditItem {
  seq: number;
  action: string;
  subject: string;
  details: { from?: string; to?: string; phase?: string; reasons?: { rule?: string; message: string }[] };
}

test('a verdict change on an already-served version is recorded in the audit trail', async (t) => {
  const s = await signalsE2e({
    packages: [{ name: 'chalk', versions: [{ version: '5.6.0', publishedAt: daysAgo(30) }, { version: '5.6.1', publishedAt: daysAgo(10) }] }],
  });
  t.after(() => s.close());
  const p = await s.project();
  const served = await p.npm(['install', 'chalk@5.6.1']);
  assert.equal(served.code, 0, served.output);

  const imported = await airlockCli(['feeds', 'import', SUPPLEMENT_2025, '--data-dir', s.airlock.dataDir], {});
  assert.equal(imported.code, 0, imported.output);

  // Any client asking for chalk's metadata makes the gate re-judge it under the new feed.
  const change = await eventually('verdict.changed in the audit trail', async () => {
    await (await fetch(`${s.registryUrl}chalk`)).arrayBuffer();
    const audit = await s.api<{ items: AuditItem[] }>('GET', 'audit?limit=500');
    return audit.body.items.find((e) => e.action === 'verdict.changed');
  });
  assert.equal(change.subject, 'pkg:npm/chalk@5.6.1');
  assert.deepEqual([change.details.from, change.details.to, change.details.phase], ['allow', 'block', 'metadata']);
  assert.ok(change.details.reasons?.some((r) => r.rule === 'malicious.version' && r.message.includes('MAL-2025-46969')), JSON.stringify(change.details));

  const audit = await s.api<{ items: AuditItem[] }>('GET', 'audit?limit=500');
  assert.equal(audit.body.items.filter((e) => e.action === 'verdict.changed').length, 1, 'recorded once, not per request');
  assert.ok(!audit.body.items.some((e) => e.action === 'verdict.changed' && e.subject === 'pkg:npm/chalk@5.6.0'), 'a version never served is not reported');

  const verify = await s.cli(['audit', 'verify']);
  assert.equal(verify.code, 0, verify.output);
});
