/**
 * The audit trail verifies end to end through the CLI and detects tampering; a restart over the
 * same data directory keeps every decision and quarantine record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { cliInProcess as cli } from '../support/captured-output.ts';
import { REVIEW_POLICY, anonymousRequest, authHeader, npmCandidate, writePolicyDir } from '../support/gate-helpers.ts';
import { buildTestApp, startAirlock } from '../support/start-airlock.ts';

test('airlock audit verify passes on an intact chain and names the first broken link', async () => {
  const policyDir = await writePolicyDir({ 'p.rego': REVIEW_POLICY });
  const a = await startAirlock({ config: { repositories: [], policy: { paths: [policyDir] } } });
  try {
    const { gate } = a.app.airlock;
    await gate.judgeArtifact(npmCandidate('held-a', '1.0.0'), anonymousRequest);
    await gate.judgeArtifact(npmCandidate('fine-b', '1.0.0'), anonymousRequest);
    const env = { AIRLOCK_TOKEN: a.adminToken };
    const ok = await cli(['audit', 'verify', '--server', a.url], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^audit chain intact: \d+ events, head seq \d+ hash [0-9a-f]{64}\n$/);

    const refused = await cli(['audit', 'verify', '--server', a.url], {});
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /authentication required.*AIRLOCK_TOKEN/);

    // Someone with database access rewrites history.
    const db = new DatabaseSync(join(a.dataDir, 'airlock.db'));
    try {
      db.exec('DROP TRIGGER audit_events_no_update');
      db.prepare('UPDATE audit_events SET details = ? WHERE seq = 2').run('{"tampered":true}');
    } finally {
      db.close();
    }
    const broken = await cli(['audit', 'verify', '--server', a.url], env);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^audit chain broken at seq 2: the event content does not match its hash/);

    const offline = await cli(['audit', 'verify', '--data-dir', a.dataDir], {});
    assert.equal(offline.code, 1);
    assert.match(offline.stderr, /broken at seq 2/);
  } finally {
    await a.close();
    await rm(policyDir, { recursive: true, force: true });
  }
});

test('a restart over the same data directory keeps decisions, quarantine records and tokens', async () => {
  const policyDir = await writePolicyDir({ 'p.rego': REVIEW_POLICY });
  const first = await buildTestApp({ config: { repositories: [], policy: { paths: [policyDir] } } });
  const dataDir = first.dataDir;
  try {
    const q = await first.app.airlock.gate.judgeArtifact(npmCandidate('held-keep', '3.1.4'), anonymousRequest);
    await first.app.airlock.gate.judgeArtifact(npmCandidate('fine-keep', '1.0.0'), anonymousRequest);
    const reader = (await first.app.inject({ method: 'POST', url: '/-/api/tokens', headers: authHeader(first.adminToken), payload: { role: 'reader' } })).json<{ token: string }>().token;
    await first.app.close();

    const second = await buildTestApp({ dataDir, adminToken: first.adminToken, config: { repositories: [], policy: { paths: [policyDir] } } });
    try {
      const list = await second.app.inject({ method: 'GET', url: '/-/api/quarantine', headers: authHeader(reader) });
      assert.equal(list.statusCode, 200, 'tokens survive the restart');
      const items = list.json<{ items: { id: string; purl: string; state: string }[] }>().items;
      assert.deepEqual(items.map((i) => [i.id, i.purl, i.state]), [[q.quarantineId, 'pkg:npm/held-keep@3.1.4', 'quarantined']]);
      for (const [purl, verdict] of [['pkg:npm/held-keep@3.1.4', 'quarantine'], ['pkg:npm/fine-keep@1.0.0', 'allow']] as const) {
        const d = await second.app.inject({ method: 'GET', url: `/-/api/decisions?purl=${encodeURIComponent(purl)}`, headers: authHeader(reader) });
        assert.deepEqual(d.json<{ items: { verdict: string }[] }>().items.map((x) => x.verdict), [verdict]);
      }
      // The reopened gate knows the record: the same version reuses it.
      const again = await second.app.airlock.gate.judgeArtifact(npmCandidate('held-keep', '3.1.4'), anonymousRequest);
      assert.equal(again.quarantineId, q.quarantineId);
    } finally {
      await second.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await rm(policyDir, { recursive: true, force: true });
  }
});

test('two gateways sharing one data directory: a release on one is honoured by the other', async () => {
  const policyDir = await writePolicyDir({ 'p.rego': REVIEW_POLICY });
  const a = await buildTestApp({ config: { repositories: [], policy: { paths: [policyDir] } } });
  const b = await buildTestApp({ dataDir: a.dataDir, adminToken: a.adminToken, config: { repositories: [], policy: { paths: [policyDir] } } });
  try {
    const held = npmCandidate('held-shared', '1.0.0');
    const q = await a.app.airlock.gate.judgeArtifact(held, anonymousRequest);
    assert.equal((await b.app.airlock.gate.judgeArtifact(held, anonymousRequest)).quarantineId, q.quarantineId, 'one record, shared');
    assert.equal((await b.app.airlock.gate.judgeVersions([held], anonymousRequest)).get('1.0.0')?.verdict.kind, 'quarantine');

    const r = await a.app.inject({ method: 'POST', url: `/-/api/quarantine/${q.quarantineId}/release`, headers: authHeader(a.adminToken), payload: { reason: 'ok' } });
    assert.equal(r.statusCode, 200);
    // The other gateway picks the change up from the shared audit trail (policy.syncInterval).
    const before = b.app.airlock.gate.generation();
    assert.equal(await b.app.airlock.reviewSync.poll(), true);
    assert.notEqual(b.app.airlock.gate.generation(), before);
    const art = await b.app.airlock.gate.judgeArtifact(held, anonymousRequest);
    assert.equal(art.verdict.kind, 'allow');
    assert.equal(art.source, 'release');
    assert.equal((await b.app.airlock.gate.judgeVersions([held], anonymousRequest)).get('1.0.0')?.verdict.kind, 'allow');
    // The gateway that made the change does not invalidate twice.
    const genA = a.app.airlock.gate.generation();
    assert.equal(await a.app.airlock.reviewSync.poll(), false);
    assert.equal(a.app.airlock.gate.generation(), genA);
  } finally {
    await b.app.close();
    await a.close();
    await rm(policyDir, { recursive: true, force: true });
  }
});
