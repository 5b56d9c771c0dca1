import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePurl } from '../core/index.ts';
import { bundleFromSources, compileBundle, decide, type CompiledBundle } from '../policy/index.ts';
import type { DecisionRecord, Json } from '../storage/ports/index.ts';
import { openSqliteMetadataStore, type SqliteMetadataStore } from '../storage/sqlite/index.ts';
import { policyImpact, type ImpactOptions } from './policy-impact.ts';

const DAY_MS = 86_400_000;
const LIMITS = { timeoutMs: 1000, maxSteps: 100_000 };
const ALL: ImpactOptions = { since: null, limit: 1000, maxChanges: 100, budgetMs: 60_000 };

/** A cooldown of `days`, on `time.now_ns()`: what the replay's clock decides. */
function cooldown(days: number): CompiledBundle {
  const source = `package airlock

import rego.v1

quarantine contains {"id": "cooldown", "msg": "too new"} if {
	time.now_ns() - time.parse_rfc3339_ns(input.facts.published_at) < ${days} * 86400000000000
}

deny contains {"id": "listed", "msg": "listed"} if input.artifact.name in data.listed

warn contains {"id": "scope", "msg": "scoped"} if startswith(input.artifact.name, data.warn_scope)
`;
  return compileBundle(bundleFromSources([{ path: 'p.rego', source }], { listed: [], warn_scope: '@none/' }, { maxModules: 10, maxSourceBytes: 65536 }));
}

function withData(days: number, data: Record<string, Json>): CompiledBundle {
  const base = cooldown(days);
  return compileBundle(bundleFromSources(base.source.modules, { listed: [], warn_scope: '@none/', ...data }, { maxModules: 10, maxSourceBytes: 65536 }));
}

async function store(t: TestContext): Promise<SqliteMetadataStore> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-impact-'));
  const s = openSqliteMetadataStore({ path: join(dir, 'airlock.db') });
  await s.migrate();
  t.after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });
  return s;
}

let n = 0;
function decision(name: string, version: string, at: Date, publishedAt: Date, verdict: DecisionRecord['verdict'] = 'allow'): DecisionRecord {
  return {
    id: `d${++n}`,
    repo: 'npm',
    purl: makePurl('npm', name, version),
    phase: 'artifact',
    verdict,
    reasons: [],
    warnings: [],
    policyHash: 'recorded',
    facts: { published_at: publishedAt.toISOString() },
    request: null,
    createdAt: at,
  };
}

function impact(s: SqliteMetadataStore, before: CompiledBundle, after: CompiledBundle, options: ImpactOptions = ALL) {
  return policyImpact(
    { decisions: s, baseline: (input) => decide(before, input, LIMITS, 'block'), candidate: (input) => decide(after, input, LIMITS, 'block') },
    { baseline: before.hash, candidate: after.hash },
    options,
  );
}

test("each decision is replayed with its own clock: a version that was young then is judged as young, whatever today's date", async (t) => {
  const s = await store(t);
  const decidedAt = new Date(Date.now() - 30 * DAY_MS);
  // Published two days before it was downloaded: inside a 7-day cooldown then, long past it now.
  await s.recordDecision(decision('young-then', '1.0.0', decidedAt, new Date(decidedAt.getTime() - 2 * DAY_MS), 'quarantine'));

  const same = await impact(s, cooldown(7), cooldown(7));
  assert.deepEqual([same.examined, same.changed], [1, 0]);

  const shorter = await impact(s, cooldown(7), cooldown(1));
  assert.equal(shorter.changed, 1);
  assert.deepEqual(shorter.transitions, { 'quarantine->allow': 1 });
  const [c] = shorter.changes;
  assert.equal(c?.purl, 'pkg:npm/young-then@1.0.0');
  assert.deepEqual([c?.change, c?.before.verdict, c?.after.verdict], ['verdict', 'quarantine', 'allow']);
  assert.deepEqual(c?.before.reasons, [{ message: 'too new', rule: 'cooldown' }]);
  assert.equal(c?.decidedAt.getTime(), decidedAt.getTime());
});

test('only the latest decision of a version is replayed; verdict changes are listed before reason and warning changes', async (t) => {
  const s = await store(t);
  const old = new Date(Date.now() - 400 * DAY_MS);
  const t0 = Date.now() - 10 * DAY_MS;
  await s.recordDecision(decision('a', '1.0.0', new Date(t0), old));
  await s.recordDecision(decision('a', '1.0.0', new Date(t0 + 1000), old));
  await s.recordDecision(decision('@scope/b', '2.0.0', new Date(t0 + 2000), old));
  await s.recordDecision(decision('c', '3.0.0', new Date(t0 + 3000), old));

  const r = await impact(s, cooldown(7), withData(7, { listed: ['c'], warn_scope: '@scope/' }));
  assert.equal(r.examined, 3, 'a@1.0.0 once');
  assert.deepEqual(
    r.changes.map((c) => [c.purl, c.change]),
    [
      ['pkg:npm/c@3.0.0', 'verdict'],
      ['pkg:npm/%40scope/b@2.0.0', 'warnings'],
    ],
  );
  assert.deepEqual(r.changes[1]?.after.warnings, [{ message: 'scoped', rule: 'scope' }]);
  assert.equal(r.complete, true);
  assert.equal(r.oldest?.getTime(), t0 + 1000);
  assert.equal(r.newest?.getTime(), t0 + 3000);

  const listed = await impact(s, cooldown(7), withData(7, { listed: ['c'], warn_scope: '@scope/' }), { ...ALL, maxChanges: 1 });
  assert.deepEqual([listed.changed, listed.changes.length, listed.changes[0]?.purl], [2, 1, 'pkg:npm/c@3.0.0'], 'all are counted, the verdict change is kept');

  const recent = await impact(s, cooldown(7), withData(7, { listed: ['a', 'c'] }), { ...ALL, since: new Date(t0 + 2500) });
  assert.deepEqual([recent.examined, recent.changes.map((c) => c.purl)], [1, ['pkg:npm/c@3.0.0']], 'decisions before `since` are not replayed');

  const capped = await impact(s, cooldown(7), cooldown(7), { ...ALL, limit: 2 });
  assert.deepEqual([capped.examined, capped.complete], [2, false]);
});

test('a candidate that fails at evaluation is counted and shown with its fail-closed verdict', async (t) => {
  const s = await store(t);
  await s.recordDecision(decision('a', '1.0.0', new Date(), new Date(Date.now() - 400 * DAY_MS)));
  const failing = compileBundle(
    bundleFromSources([{ path: 'f.rego', source: 'package airlock\n\nimport rego.v1\n\ndeny contains msg if msg := sprintf("%d", [1 / 0])\n' }], {}, { maxModules: 10, maxSourceBytes: 65536 }),
  );
  const r = await impact(s, cooldown(7), failing);
  assert.equal(r.candidateErrors, 1);
  assert.deepEqual(r.transitions, { 'allow->block': 1 });
  assert.match(r.changes[0]?.after.error ?? '', /policy evaluation failed \(fail closed\)/);
});

test('a candidate given as text is refused with a reason when it breaks the limits', () => {
  const limits = { maxModules: 1, maxSourceBytes: 64 };
  const m = { path: 'a.rego', source: 'package airlock\n' };
  assert.throws(() => bundleFromSources([], {}, limits), /no \.rego modules given/);
  assert.throws(() => bundleFromSources([m, { ...m, path: 'b.rego' }], {}, limits), /more than 1 modules/);
  assert.throws(() => bundleFromSources([{ path: 'a.rego', source: 'x'.repeat(65) }], {}, limits), /larger than 64 bytes/);
  assert.throws(() => bundleFromSources([{ path: 'a\nb', source: '' }], {}, limits), /invalid module path/);
  assert.throws(() => bundleFromSources([m, m], {}, { ...limits, maxModules: 2 }), /given twice/);
  let deep: Json = 1;
  for (let i = 0; i < 40; i++) deep = { d: deep };
  assert.throws(() => bundleFromSources([m], { deep } as Record<string, Json>, limits), /nested deeper than 32 levels/);
  const a = bundleFromSources([m], { x: 1 }, limits);
  assert.notEqual(a.hash, bundleFromSources([m], { x: 2 }, limits).hash, 'the data is part of the hash');
  assert.notEqual(a.hash, bundleFromSources([m], { x: 1 }, limits, { dataOverlay: { y: 1 } }).hash, 'so is the overlay');
  assert.deepEqual(bundleFromSources([m], { x: 1 }, limits, { dataOverlay: { x: 2 } }).data, { x: 2 }, 'the overlay wins, as it does over files');
});
