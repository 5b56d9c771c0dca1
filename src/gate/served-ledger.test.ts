import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePurl } from '../core/index.ts';
import { openStorage } from '../storage/index.ts';
import { ServedLedger } from './served-ledger.ts';
import type { GateDecision, Subject } from './types.ts';

const subject = (version: string): Subject => ({ repo: 'npm', ecosystem: 'npm', name: 'chalk', version, purl: makePurl('npm', 'chalk', version) });
const allow: GateDecision = { verdict: { kind: 'allow', warnings: [] }, source: 'policy', quarantineId: null };
const block: GateDecision = { verdict: { kind: 'block', reasons: [{ message: 'listed as malicious', rule: 'malicious.version' }], warnings: [] }, source: 'policy', quarantineId: null };

test('served ledger: only served versions are compared; each change is audited once, in both phases', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-served-'));
  const storage = await openStorage({ dataDir: dir });
  try {
    const ledger = new ServedLedger(storage.signals, storage.metadata);
    const t0 = new Date('2026-03-01T00:00:00Z');
    const changes = (d: GateDecision) => ['5.6.0', '5.6.1'].map((v) => ({ subject: subject(v), phase: 'metadata' as const, decision: d, policyHash: 'h' }));
    assert.equal(await ledger.compare(changes(block), t0), 0, 'nothing served yet');
    await ledger.artifact({ subject: subject('5.6.1'), phase: 'artifact', decision: allow, policyHash: 'h' }, t0);
    assert.equal(await ledger.compare(changes(allow), t0), 0);
    assert.equal(await ledger.compare(changes(block), new Date('2026-03-02T00:00:00Z')), 1, 'only the served version');
    assert.equal(await ledger.compare(changes(block), new Date('2026-03-03T00:00:00Z')), 0, 'already recorded');
    // Released again and downloaded: allow is a change back, seen by the artifact phase.
    await ledger.artifact({ subject: subject('5.6.1'), phase: 'artifact', decision: allow, policyHash: 'h2' }, new Date('2026-03-04T00:00:00Z'));
    const events = (await storage.metadata.listAudit({ limit: 100 })).filter((e) => e.action === 'verdict.changed');
    assert.deepEqual(
      events.map((e) => [e.subject, (e.details as { from: string }).from, (e.details as { to: string }).to, (e.details as { phase: string }).phase]),
      [
        ['pkg:npm/chalk@5.6.1', 'allow', 'block', 'metadata'],
        ['pkg:npm/chalk@5.6.1', 'block', 'allow', 'artifact'],
      ],
    );
    assert.equal((events[0]?.details as { servedAt: string }).servedAt, t0.toISOString());
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
});
