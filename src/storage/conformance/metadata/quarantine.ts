import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAirlockError } from '../../../core/index.ts';
import type { QuarantineRecord, QuarantineTransition } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { at, DAY, purl, quarantineRec, using } from './fixture.ts';
import type { MakeMetadataFixture } from './fixture.ts';

function release(over: Partial<QuarantineTransition> = {}): QuarantineTransition {
  return { to: 'released', actor: 'tok_approver', reason: 'reviewed: false positive', at: at(60_000), expiresAt: at(30 * DAY), ...over };
}

export function quarantineCases(make: MakeMetadataFixture): void {
  test('quarantine: open, get, latest round-trip the record', using(make, async (store) => {
    const rec = quarantineRec();
    assert.equal(await store.getQuarantine(rec.id), null);
    assert.equal(await store.latestQuarantine('npm', rec.purl), null);
    assert.deepEqual(await store.openQuarantine(rec), rec);
    assert.deepEqual(await store.getQuarantine(rec.id), rec);
    assert.deepEqual(await store.latestQuarantine('npm', rec.purl), rec);
  }));

  test('quarantine: the content a record was opened for round-trips, and may be absent', using(make, async (store) => {
    const withContent = await store.openQuarantine(quarantineRec());
    assert.equal(withContent.contentDigest, `sha256:${'5e'.repeat(32)}`);
    const released = await store.transitionQuarantine(withContent.id, release());
    assert.equal(released.contentDigest, withContent.contentDigest, 'a release keeps the content it covers');
    const without = await store.openQuarantine(quarantineRec({ purl: purl('no-content'), contentDigest: null }));
    assert.equal(without.contentDigest, null);
    assert.equal((await store.getQuarantine(without.id))?.contentDigest, null);
  }));

  test('quarantine: a second open for the same (repo, purl) returns the open record, not a duplicate', using(make, async (store) => {
    const first = await store.openQuarantine(quarantineRec());
    const again = await store.openQuarantine(quarantineRec({ createdAt: at(5000), reasons: [{ message: 'other' }] }));
    assert.deepEqual(again, first);
    const otherRepo = await store.openQuarantine(quarantineRec({ repo: 'npm-2' }));
    assert.notEqual(otherRepo.id, first.id);
    const otherVersion = await store.openQuarantine(quarantineRec({ purl: purl('evil-pkg', '6.6.7'), version: '6.6.7' }));
    assert.notEqual(otherVersion.id, first.id);
    assert.equal((await store.listQuarantine({ limit: 10 })).items.length, 3);
  }));

  test('quarantine: concurrent opens from two store instances yield one record', using(make, async (store, fixture) => {
    const peer = await fixture.openPeer();
    const recs = Array.from({ length: 10 }, (_, i) => quarantineRec({ createdAt: at(i) }));
    const opened = await Promise.all(recs.map((r, i) => (i % 2 === 0 ? store : peer).openQuarantine(r)));
    assert.equal(new Set(opened.map((r) => r.id)).size, 1);
    assert.equal((await store.listQuarantine({ limit: 100 })).items.length, 1);
  }));

  test('quarantine: an id already used is a CONFLICT; a record must start quarantined', using(make, async (store) => {
    const rec = await store.openQuarantine(quarantineRec());
    await rejectsWithCode(store.openQuarantine(quarantineRec({ id: rec.id, purl: purl('other') })), 'CONFLICT');
    await rejectsWithCode(store.openQuarantine(quarantineRec({ state: 'released' })), 'BAD_REQUEST');
  }));

  test('quarantine: release records who, when, why and the expiry; released → rejected is allowed', using(make, async (store) => {
    const rec = await store.openQuarantine(quarantineRec());
    const released = await store.transitionQuarantine(rec.id, release());
    const expected: QuarantineRecord = {
      ...rec,
      state: 'released',
      updatedAt: at(60_000),
      decidedBy: 'tok_approver',
      decidedAt: at(60_000),
      decisionReason: 'reviewed: false positive',
      expiresAt: at(30 * DAY),
    };
    assert.deepEqual(released, expected);
    assert.deepEqual(await store.getQuarantine(rec.id), expected);
    await rejectsWithCode(store.transitionQuarantine(rec.id, { to: 'rejected', actor: 'tok_admin', reason: 'mal\u0000ware', at: at(120_000), expiresAt: null }), 'BAD_REQUEST');
    const rejected = await store.transitionQuarantine(rec.id, { to: 'rejected', actor: 'tok_admin', reason: 'malware after all', at: at(120_000), expiresAt: null });
    assert.equal(rejected.state, 'rejected');
    assert.equal(rejected.decidedBy, 'tok_admin');
    assert.equal(rejected.expiresAt, null);
  }));

  test('quarantine: transitions the state machine forbids are CONFLICT; unknown ids NOT_FOUND', using(make, async (store) => {
    const a = await store.openQuarantine(quarantineRec());
    await store.transitionQuarantine(a.id, release());
    await rejectsWithCode(store.transitionQuarantine(a.id, release()), 'CONFLICT', 'released → released');
    const b = await store.openQuarantine(quarantineRec({ purl: purl('b') }));
    await store.transitionQuarantine(b.id, release({ to: 'rejected', expiresAt: null }));
    await rejectsWithCode(store.transitionQuarantine(b.id, release()), 'CONFLICT', 'rejected → released');
    await rejectsWithCode(store.transitionQuarantine(b.id, release({ to: 'rejected' })), 'CONFLICT', 'rejected → rejected');
    await rejectsWithCode(store.transitionQuarantine('01JZZZZZZZZZZZZZZZZZZZZZZZ', release()), 'NOT_FOUND');
    await rejectsWithCode(store.transitionQuarantine(b.id, release({ to: 'quarantined' as never })), 'BAD_REQUEST');
    assert.equal((await store.getQuarantine(b.id))?.state, 'rejected', 'a refused transition changes nothing');
  }));

  test('quarantine: concurrent releases from two instances: exactly one wins (compare-and-set)', using(make, async (store, fixture) => {
    const peer = await fixture.openPeer();
    const rec = await store.openQuarantine(quarantineRec());
    const results = await Promise.allSettled([
      store.transitionQuarantine(rec.id, release({ actor: 'a' })),
      peer.transitionQuarantine(rec.id, release({ actor: 'b' })),
      store.transitionQuarantine(rec.id, release({ actor: 'c' })),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.ok(lost.every((r) => isAirlockError(r.reason, 'CONFLICT')));
    const winner = (won[0] as PromiseFulfilledResult<QuarantineRecord>).value.decidedBy;
    assert.equal((await peer.getQuarantine(rec.id))?.decidedBy, winner);
  }));

  test('quarantine: after a release, a new quarantine opens a new record and becomes the latest', using(make, async (store) => {
    const old = await store.openQuarantine(quarantineRec());
    await store.transitionQuarantine(old.id, release({ expiresAt: at(DAY) }));
    const renewed = await store.openQuarantine(quarantineRec({ createdAt: at(2 * DAY) }));
    assert.notEqual(renewed.id, old.id);
    assert.equal(renewed.state, 'quarantined');
    assert.deepEqual(await store.latestQuarantine('npm', old.purl), renewed);
    assert.equal(await store.latestQuarantine('npm-2', old.purl), null);
  }));

  test('quarantine: list filters by state and purl and pages newest first', using(make, async (store) => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const rec = await store.openQuarantine(quarantineRec({ purl: purl(`p${i % 4}`, `1.0.${i}`), createdAt: at(i * 10) }));
      ids.push(rec.id);
      if (i % 3 === 0) await store.transitionQuarantine(rec.id, release());
    }
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listQuarantine({ limit: 5, ...(cursor === undefined ? {} : { cursor }) });
      all.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    assert.deepEqual(all, [...ids].reverse());
    const released = await store.listQuarantine({ state: 'released', limit: 100 });
    assert.deepEqual(released.items.map((r) => r.id), [ids[9], ids[6], ids[3], ids[0]]);
    const one = await store.listQuarantine({ purl: purl('p1', '1.0.5'), limit: 100 });
    assert.deepEqual(one.items.map((r) => r.id), [ids[5]]);
    const both = await store.listQuarantine({ purl: purl('p0', '1.0.0'), state: 'quarantined', limit: 100 });
    assert.deepEqual(both.items, []);
    await rejectsWithCode(store.listQuarantine({ state: 'lost' as never, limit: 5 }), 'BAD_REQUEST');
  }));
}
