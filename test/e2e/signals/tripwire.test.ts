/**
 * The hallucination tripwire with the real npm client: a name asked for while it does not exist
 * upstream is recorded (who asked, how often); when someone later publishes it, the default
 * policy quarantines it, and a reviewer's release lets the same install through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, quarantineIdIn, signalsE2e } from './support.ts';

const NAME = 'glimmerwick-orm-bridge';

interface MissingItem {
  name: string;
  count: number;
  firstAskedAt: string;
  appearedAt: string | null;
  askers: { userAgent: string | null; agent: string | null; count: number }[];
}

test('tripwire: a name requested while missing is recorded, quarantined once published, and released by a reviewer', async (t) => {
  const s = await signalsE2e();
  t.after(() => s.close());
  const p = await s.project();

  const missing = await p.npm(['install', NAME]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.output, /E404|404 Not Found/);
  // An AI agent asking for the same name identifies itself.
  const agentAsk = await fetch(`${s.registryUrl}${NAME}`, { headers: { 'x-airlock-agent': 'claude-code/2.0', 'user-agent': 'agent-http/1.0' } });
  assert.equal(agentAsk.status, 404);

  const report = await s.api<{ items: MissingItem[] }>('GET', 'signals/missing');
  assert.equal(report.status, 200);
  const item = report.body.items.find((i) => i.name === NAME);
  assert.ok(item !== undefined, JSON.stringify(report.body));
  assert.ok(item.count >= 2, `count ${item.count}`);
  assert.equal(item.appearedAt, null);
  assert.ok(item.askers.some((a) => a.userAgent?.startsWith('npm/') === true), JSON.stringify(item.askers));
  assert.ok(item.askers.some((a) => a.agent === 'claude-code/2.0'), JSON.stringify(item.askers));

  // Someone registers the name the clients kept asking for.
  s.registry.addPackage({ name: NAME, versions: [{ version: '1.0.0', publishedAt: new Date().toISOString() }] });

  const held = await p.npm(['install', NAME]);
  assert.notEqual(held.code, 0);
  assert.match(held.output, /glimmerwick-orm-bridge@1\.0\.0 is quarantined by Airlock: .*requested \d+ times while it did not exist.*\[requested_while_missing\]/);

  const facts = await s.api<{ verdict: string; decidedBy: string[]; facts: { requested_while_missing: { requested: boolean; count: number; agents: string[]; appeared: string | null; first_requested: string } } }>(
    'GET',
    `check?purl=${encodeURIComponent(`pkg:npm/${NAME}@1.0.0`)}`,
  );
  assert.equal(facts.body.verdict, 'quarantine');
  assert.ok(facts.body.decidedBy.includes('requested_while_missing'));
  const rwm = facts.body.facts.requested_while_missing;
  assert.deepEqual([rwm.requested, rwm.agents], [true, ['claude-code/2.0']]);
  assert.equal(rwm.first_requested, item.firstAskedAt);
  assert.ok(rwm.appeared !== null);
  const after = await s.api<{ items: MissingItem[] }>('GET', 'signals/missing');
  assert.ok(after.body.items.find((i) => i.name === NAME)?.appearedAt !== null, 'the ledger marks when the name appeared');

  // The review workflow: fetching the tarball opens the record; an approver releases it.
  const tarball = await fetch(`${s.registryUrl}${NAME}/-/${NAME}-1.0.0.tgz`);
  assert.equal(tarball.status, 403);
  const id = quarantineIdIn(((await tarball.json()) as { error: string }).error);
  assert.ok(id !== null);
  const release = await s.cli(['quarantine', 'release', id, '--reason', 'our team registered this name on purpose']);
  assert.equal(release.code, 0, release.output);
  const installed = await eventually('the release to reach npm', async () => {
    const r = await p.npm(['install', `${NAME}@1.0.0`]);
    return r.code === 0 ? r : undefined;
  });
  assert.equal(installed.code, 0);
  assert.equal((await p.readJson(`node_modules/${NAME}/package.json`))['version'], '1.0.0');
});
