/**
 * The gate with the built-in signal collectors (real SQLite store, real policy): one collector
 * call per package, fail closed when a collector breaks, facts re-read after a feed change,
 * verdict changes on served versions audited, exceptions that lapse move the generation on,
 * the check service, and the signal API routes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { newId } from '../../src/core/index.ts';
import type { CollectRequest, FactCollector, VersionCandidate } from '../../src/gate/types.ts';
import { importOsvFeed } from '../../src/signals/index.ts';
import { REVIEW_POLICY, anonymousRequest, authHeader, npmCandidate, writePolicyDir } from '../support/gate-helpers.ts';
import { buildTestApp, type TestAirlock } from '../support/start-airlock.ts';

const FEED = join(import.meta.dirname, '..', '..', 'src', 'signals', 'feeds', 'testdata', 'osv');

async function withApp(options: { collectors?: readonly FactCollector[]; policy?: boolean; clock?: { now: Date } }, f: (a: TestAirlock) => Promise<void>): Promise<void> {
  const dir = options.policy === true ? await writePolicyDir({ 'airlock/review.rego': REVIEW_POLICY }) : null;
  const a = await buildTestApp({
    config: { repositories: [], ...(dir === null ? {} : { policy: { paths: [dir] } }), signals: { feedPoll: 0 } },
    ...(options.collectors === undefined ? {} : { collectors: options.collectors }),
    ...(options.clock === undefined ? {} : { clock: () => (options.clock as { now: Date }).now }),
  });
  try {
    await f(a);
  } finally {
    await a.close();
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  }
}

test('collectors run once per package with every version as history; a failing collector fails that package closed', async () => {
  const calls: CollectRequest[] = [];
  let broken = false;
  const probe: FactCollector = {
    id: 'test.probe',
    async collect(req) {
      calls.push(req);
      if (broken) throw new Error('store unavailable');
      return req.candidates.map((c) => ({ probe: { versions: req.history.length, me: c.subject.version } }));
    },
  };
  await withApp({ collectors: [probe], policy: true }, async (a) => {
    const { gate } = a.app.airlock;
    const versions = Array.from({ length: 300 }, (_, i) => npmCandidate('wide-pkg', `1.0.${i}`));
    const d = await gate.judgeVersions([...versions, npmCandidate('other-pkg', '2.0.0')], anonymousRequest);
    assert.equal(d.size, 301);
    assert.deepEqual(calls.map((c) => [c.phase, c.candidates.length, c.history.length]), [['metadata', 300, 300], ['metadata', 1, 1]]);
    await gate.judgeVersions(versions, anonymousRequest);
    assert.equal(calls.length, 2, 'cached verdicts need no facts');

    gate.invalidate();
    broken = true;
    const failed = await gate.judgeVersions(versions.slice(0, 2), anonymousRequest);
    const v = failed.get('1.0.0')?.verdict;
    assert.equal(v?.kind, 'block');
    assert.match(v?.kind === 'block' ? (v.reasons[0]?.message ?? '') : '', /policy input incomplete \(fail closed\): fact collector test\.probe failed: store unavailable/);
    assert.deepEqual(failed.get('1.0.0')?.failure, { kind: 'gate', cause: 'fact collector test.probe failed: store unavailable' }, 'marked as no verdict on the version');
    broken = false;
    assert.equal((await gate.judgeVersions(versions.slice(0, 2), anonymousRequest)).get('1.0.0')?.verdict.kind, 'allow', 'a failure is never cached');

    const art = await gate.judgeArtifact(versions[5] as VersionCandidate, anonymousRequest, async () => versions);
    assert.equal(art.verdict.kind, 'allow');
    const last = calls[calls.length - 1] as CollectRequest;
    assert.deepEqual([last.phase, last.candidates.length, last.history.length], ['artifact', 1, 300]);

    // The history is produced only when the decision is not cached.
    let produced = 0;
    const lazy = async (): Promise<readonly VersionCandidate[]> => {
      produced++;
      return versions;
    };
    assert.equal((await gate.judgeArtifact(versions[7] as VersionCandidate, anonymousRequest, lazy)).verdict.kind, 'allow');
    assert.equal((calls[calls.length - 1] as CollectRequest).history.length, 300);
    assert.equal((await gate.judgeArtifact(versions[7] as VersionCandidate, anonymousRequest, lazy)).verdict.kind, 'allow');
    assert.equal(produced, 1, 'a cached decision needs no history');
  });
});

test('built-in signals: a feed import is seen after the feed watch polls, and a served version whose verdict changes is audited', async () => {
  await withApp({}, async (a) => {
    const { gate, feedWatch, storage } = a.app.airlock;
    const versions = ['4.1.0', '4.1.1'].map((v, i) => npmCandidate('@ctrl/tinycolor', v, { published_at: `2025-0${i + 1}-01T00:00:00Z`, integrity_algorithms: ['sha512'] }));
    assert.equal((await gate.judgeArtifact(versions[1] as VersionCandidate, anonymousRequest, async () => versions)).verdict.kind, 'allow');
    const gen = gate.generation();

    await importOsvFeed(storage.signals, FEED, { source: 'test', importedBy: 'test', now: new Date(), newId: () => newId() });
    assert.equal(await feedWatch.poll(), true);
    assert.notEqual(gate.generation(), gen, 'the generation moves on');
    const d = await gate.judgeVersions(versions, anonymousRequest);
    assert.equal(d.get('4.1.1')?.verdict.kind, 'block');
    assert.equal(d.get('4.1.0')?.verdict.kind, 'allow');

    const events = await storage.metadata.listAudit({ limit: 1000 });
    const changed = events.filter((e) => e.action === 'verdict.changed');
    assert.deepEqual(changed.map((e) => e.subject), ['pkg:npm/%40ctrl/tinycolor@4.1.1']);
    assert.deepEqual([(changed[0]?.details as { from: string }).from, (changed[0]?.details as { to: string }).to], ['allow', 'block']);
    gate.invalidate();
    await gate.judgeVersions(versions, anonymousRequest);
    assert.equal((await storage.metadata.listAudit({ limit: 1000 })).filter((e) => e.action === 'verdict.changed').length, 1, 'once per change');
    assert.equal(await feedWatch.poll(), false);
  });
});

test('a collector that breaks after a version was served: the fail-closed verdicts are marked as failures and are not audited as verdict changes', async () => {
  let broken = false;
  const probe: FactCollector = {
    id: 'test.probe',
    async collect(req) {
      if (broken) throw new Error('store unavailable');
      return req.candidates.map(() => ({}));
    },
  };
  await withApp({ collectors: [probe], policy: true }, async (a) => {
    const { gate, storage } = a.app.airlock;
    const versions = ['1.0.0', '1.1.0'].map((v) => npmCandidate('served-pkg', v));
    const served = await gate.judgeArtifact(versions[1] as VersionCandidate, anonymousRequest, async () => versions);
    assert.equal(served.verdict.kind, 'allow');
    assert.equal(served.failure, undefined);

    broken = true;
    gate.invalidate();
    const listed = await gate.judgeVersions(versions, anonymousRequest);
    assert.deepEqual([listed.get('1.1.0')?.verdict.kind, listed.get('1.1.0')?.failure?.kind], ['block', 'gate']);
    const fetched = await gate.judgeArtifact(versions[1] as VersionCandidate, anonymousRequest, async () => versions);
    assert.deepEqual([fetched.verdict.kind, fetched.failure?.kind], ['block', 'gate']);

    broken = false;
    gate.invalidate();
    assert.equal((await gate.judgeVersions(versions, anonymousRequest)).get('1.1.0')?.verdict.kind, 'allow');
    assert.equal((await gate.judgeArtifact(versions[1] as VersionCandidate, anonymousRequest, async () => versions)).verdict.kind, 'allow');
    const changed = (await storage.metadata.listAudit({ limit: 1000 })).filter((e) => e.action === 'verdict.changed');
    assert.deepEqual(changed, [], 'a failure to decide is no change of verdict');
  });
});

test('an exception that lapses moves the generation on by itself', async () => {
  // The app's clock stands still while the exception is made and first applied, so a loaded
  // machine cannot let it lapse before it is seen to allow; the wake-up itself is a real timer.
  const clock = { now: new Date() };
  await withApp({ policy: true, clock }, async (a) => {
    const { gate } = a.app.airlock;
    const r = await a.app.inject({
      method: 'POST',
      url: '/-/api/exceptions',
      headers: authHeader(a.adminToken),
      payload: { ecosystem: 'npm', name: 'held-pkg', reason: 'short', expires: '300ms' },
    });
    assert.equal(r.statusCode, 201);
    assert.equal((await gate.judgeVersions([npmCandidate('held-pkg', '1.0.0')], anonymousRequest)).get('1.0.0')?.verdict.kind, 'allow');
    const gen = gate.generation();
    // The gate's wake-up was set for 300 ms (and a little) from now while judging, so it fires
    // before this later, longer timer does.
    await new Promise((resolve) => setTimeout(resolve, 450));
    assert.notEqual(gate.generation(), gen);
    clock.now = new Date(clock.now.getTime() + 301);
    assert.equal((await gate.judgeVersions([npmCandidate('held-pkg', '1.0.0')], anonymousRequest)).get('1.0.0')?.verdict.kind, 'quarantine');
  });
});

test('signal API routes: a token is required, input is validated', async () => {
  await withApp({}, async (a) => {
    await a.app.airlock.storage.signals.recordMissing({ ecosystem: 'npm', name: 'ghost-pkg', at: new Date(), tokenId: null, userAgent: 'npm/11', agent: 'cursor' });
    assert.equal((await a.app.inject({ method: 'GET', url: '/-/api/signals/missing' })).statusCode, 401);
    const ok = await a.app.inject({ method: 'GET', url: '/-/api/signals/missing?ecosystem=npm', headers: authHeader(a.adminToken) });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json<{ items: { name: string; count: number }[] }>().items.map((i) => [i.name, i.count]), [['ghost-pkg', 1]]);
    assert.equal((await a.app.inject({ method: 'GET', url: '/-/api/signals/missing?limit=0', headers: authHeader(a.adminToken) })).statusCode, 400);

    assert.equal((await a.app.inject({ method: 'GET', url: '/-/api/check?purl=pkg:npm/x@1.0.0' })).statusCode, 401);
    const bad = await a.app.inject({ method: 'GET', url: '/-/api/check?purl=not-a-purl', headers: authHeader(a.adminToken) });
    assert.deepEqual([bad.statusCode, bad.json<{ code: string }>().code], [400, 'INVALID_PURL']);
    // A purl whose percent-encoding is broken was a URIError, a 500 (found by a sweep of
    // decodeURIComponent's callers).
    for (const url of ['/-/api/check?purl=pkg:npm/%25E0%25A4%25A', '/-/api/decisions?purl=pkg:npm/x@%25ZZ', '/-/api/quarantine?purl=pkg:npm/%25']) {
      const broken = await a.app.inject({ method: 'GET', url, headers: authHeader(a.adminToken) });
      assert.deepEqual([broken.statusCode, broken.json<{ code: string }>().code], [400, 'INVALID_PURL'], url);
    }
    const none = await a.app.inject({ method: 'GET', url: '/-/api/check?purl=pkg:npm/x@1.0.0', headers: authHeader(a.adminToken) });
    assert.deepEqual([none.statusCode, none.json<{ error: string }>().error], [404, 'no npm repository is configured']);
    const many = await a.app.inject({ method: 'POST', url: '/-/api/check', headers: authHeader(a.adminToken), payload: { packages: Array.from({ length: 5001 }, () => 'pkg:npm/x@1.0.0') } });
    assert.equal(many.statusCode, 400);
    // A range goes beside a purl without a version (a purl's version is one version).
    const both = await a.app.inject({ method: 'GET', url: `/-/api/check?${new URLSearchParams({ purl: 'pkg:npm/x@1.0.0', range: '^1.0.0' })}`, headers: authHeader(a.adminToken) });
    assert.deepEqual([both.statusCode, both.json<{ code: string }>().code], [400, 'BAD_REQUEST']);
    const control = await a.app.inject({ method: 'GET', url: `/-/api/check?${new URLSearchParams({ purl: 'pkg:npm/x', range: '^1\n' })}`, headers: authHeader(a.adminToken) });
    assert.deepEqual([control.statusCode, control.json<{ code: string }>().code], [400, 'INVALID_VERSION']);
    const long = await a.app.inject({ method: 'GET', url: `/-/api/check?${new URLSearchParams({ purl: 'pkg:npm/x', range: '1'.repeat(257) })}`, headers: authHeader(a.adminToken) });
    assert.equal(long.statusCode, 400);
    for (const item of [{ purl: 'pkg:npm/x' }, { purl: 'pkg:npm/x', range: '^1', version: '1.0.0' }, { purl: 'pkg:npm/x', range: '' }]) {
      const r = await a.app.inject({ method: 'POST', url: '/-/api/check', headers: authHeader(a.adminToken), payload: { packages: [item] } });
      assert.equal(r.statusCode, 400, JSON.stringify(item));
    }
    const ranged = await a.app.inject({ method: 'POST', url: '/-/api/check', headers: authHeader(a.adminToken), payload: { packages: [{ purl: 'pkg:npm/x@1.0.0', range: '^1' }] } });
    assert.match(ranged.json<{ error: string }>().error, /give a version in the purl or a range, not both/);
  });
});
