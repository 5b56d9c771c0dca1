/**
 * The admin client against a real Airlock: every answer it reads (src/api/answers.ts) is one the
 * routes really send, so the checks refuse malformed answers without refusing real ones. What
 * needs a real client or an upstream's packages is read through the CLI in test/e2e: a version's
 * changes and diffs (npm/quarantine-changes), the pypi changes (pypi/releases), the OIDC exchange
 * (npm/oidc-exchange).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { AdminClient } from '../../src/api/client.ts';
import { REVIEW_POLICY, anonymousRequest, npmCandidate, writePolicyDir } from '../support/gate-helpers.ts';
import { startAirlock } from '../support/start-airlock.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

test('AdminClient reads what a real server answers: quarantine, decisions, policy impact, audit, tokens, repositories, signals, webhooks', async (t) => {
  const policyDir = await writePolicyDir({ 'airlock/review.rego': REVIEW_POLICY });
  t.after(() => rm(policyDir, { recursive: true, force: true }));
  const receiver = await WebhookReceiver.start(null);
  t.after(() => receiver.close());
  receiver.answer = () => ({ status: 500, body: 'receiver bug' });
  const a = await startAirlock({
    config: {
      repositories: [{ name: 'npm', format: 'npm', upstream: 'http://127.0.0.1:9/' }],
      policy: { paths: [policyDir] },
      webhooks: [{ name: 'siem', url: receiver.url, events: ['quarantine.*'] }],
    },
  });
  t.after(() => a.close());
  const client = new AdminClient(a.url, a.adminToken);
  const { gate, webhooks } = a.app.airlock;

  const held = await gate.judgeArtifact(npmCandidate('held-pkg', '1.0.0'), anonymousRequest);
  const other = await gate.judgeArtifact(npmCandidate('held-other', '2.0.0'), anonymousRequest);
  assert.ok(held.quarantineId !== null && other.quarantineId !== null);

  const page = await client.listQuarantine({ state: 'quarantined' });
  assert.deepEqual(page.items.map((r) => r.purl).sort(), ['pkg:npm/held-other@2.0.0', 'pkg:npm/held-pkg@1.0.0']);
  assert.equal(page.nextCursor, null);
  const rec = await client.getQuarantine(held.quarantineId);
  assert.ok(rec.createdAt instanceof Date);
  assert.equal(rec.reasons[0]?.message, 'held-pkg is held for review');
  const released = await client.release(held.quarantineId, 'reviewed', '30d');
  assert.equal(released.state, 'released');
  assert.ok(released.expiresAt instanceof Date && released.decidedAt instanceof Date);
  assert.equal((await client.reject(other.quarantineId, 'not needed')).state, 'rejected');

  const decisions = await client.decisions('pkg:npm/held-pkg@1.0.0');
  assert.ok(decisions.items.length >= 1 && decisions.items.every((d) => d.createdAt instanceof Date));
  const impact = await client.policyImpact({ modules: [{ path: 'airlock/open.rego', source: 'package airlock\n' }], data: {} });
  assert.ok(impact.examined >= 2 && impact.changed >= 2, JSON.stringify(impact));
  assert.ok(impact.changes.every((c) => c.decidedAt instanceof Date));

  const created = await client.createToken('reader', 'ci', '7d', { repos: ['npm'] });
  assert.ok(created.token.length > 0 && created.expiresAt instanceof Date);
  assert.deepEqual(created.scope, { repos: ['npm'], packages: null });
  const tokens = await client.listTokens();
  assert.ok(tokens.items.some((x) => x.id === created.id && x.createdAt instanceof Date));
  const trail = await client.audit(0, 1000);
  assert.ok(trail.items.length > 0 && trail.items.every((e) => e.at instanceof Date));
  assert.equal(trail.next, null);

  assert.deepEqual((await client.repositories()).map((r) => [r.name, r.kind, r.upstream]), [['npm', 'proxy', 'http://127.0.0.1:9/']]);
  assert.deepEqual(await client.missingNames(), []);
  const exposure = await client.vulnerabilities({});
  assert.deepEqual([exposure.total, exposure.bySeverity.critical], [0, 0]);

  // The quarantine events go to a receiver that fails them: listed as failing, tested, skipped, replayed.
  await webhooks.poll();
  const [hook] = await client.webhooks();
  assert.equal(hook?.name, 'siem');
  assert.equal(hook.attempts, 1);
  assert.deepEqual(await client.testWebhook('siem'), { delivered: false, status: 500, error: 'the receiver answered 500: receiver bug' });
  const skipped = await client.skipWebhook('siem', 'the SIEM cannot parse it');
  assert.equal(skipped.skipped, (hook.seq ?? 0) + 1);
  assert.equal((await client.replayWebhook('siem', 1, 'receiver fixed')).seq, 0);
});
