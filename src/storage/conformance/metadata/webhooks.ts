import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyAuditChain } from '../../ports/index.ts';
import type { AuditEventInput, MetadataStore, WebhookCursor, WebhookProgress } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { at, using } from './fixture.ts';
import type { MakeMetadataFixture } from './fixture.ts';

const LEASE = 30_000;
const NAME = 'siem.audit-feed_1';

/** A failed attempt at the event after `seq` (the default), or whatever `over` says. */
function progress(seq: number, over: Partial<WebhookProgress> = {}): WebhookProgress {
  return { seq, attempts: 1, lastError: 'HTTP 503 from the receiver', failingSince: at(1000), deliveredAt: null, at: at(1000), ...over };
}

/** A successful delivery of event `seq`. */
function delivered(seq: number, when: number): WebhookProgress {
  return { seq, attempts: 0, lastError: null, failingSince: null, deliveredAt: at(when), at: at(when) };
}

function audit(subject: string, details: AuditEventInput['details'] = {}): AuditEventInput {
  return { at: at(5000), actor: 'tok_admin', action: 'webhook.cursor.set', subject, details };
}

async function events(store: MetadataStore): Promise<Array<[string, string]>> {
  const all = await store.listAudit({ limit: 1000 });
  assert.equal(verifyAuditChain(all).ok, true, 'the chain verifies');
  return all.map((e) => [e.action, e.subject]);
}

/** Asserts that `change` leaves the cursor exactly as it was. */
async function unchanged(store: MetadataStore, name: string, change: () => Promise<unknown>): Promise<void> {
  const before = await store.getWebhookCursor(name);
  await change();
  assert.deepEqual(await store.getWebhookCursor(name), before, 'nothing written');
}

export function webhookCursorCases(make: MakeMetadataFixture): void {
  test('webhooks: the first claim creates the cursor at startSeq; get and list read it back; an unknown name is null', using(make, async (store, fixture) => {
    assert.equal(await store.getWebhookCursor(NAME), null);
    assert.deepEqual(await store.listWebhookCursors(), []);
    const claimed = await store.claimWebhook(NAME, 'node-a', at(0), at(LEASE), 42);
    const expected: WebhookCursor = {
      name: NAME,
      seq: 42,
      attempts: 0,
      lastError: null,
      failingSince: null,
      deliveredAt: null,
      holder: 'node-a',
      leaseUntil: at(LEASE),
      updatedAt: at(0),
    };
    assert.deepEqual(claimed, expected);
    assert.deepEqual(await store.getWebhookCursor(NAME), expected);
    assert.deepEqual(await store.listWebhookCursors(), [expected]);
    assert.equal(await store.getWebhookCursor('unknown'), null);

    await store.close();
    const again = await fixture.openPeer();
    assert.deepEqual(await again.getWebhookCursor(NAME), expected, 'kept across a restart');
  }));

  test('webhooks: another holder\'s live lease refuses a claim, writing nothing; the holder renews it', using(make, async (store) => {
    await store.claimWebhook(NAME, 'node-a', at(0), at(LEASE), 0);
    await unchanged(store, NAME, async () => {
      assert.equal(await store.claimWebhook(NAME, 'node-b', at(10_000), at(10_000 + LEASE), 7), null);
      assert.equal(await store.claimWebhook(NAME, 'node-b', at(LEASE - 1), at(2 * LEASE), 7), null, 'live until its last millisecond');
    });
    const renewed = await store.claimWebhook(NAME, 'node-a', at(20_000), at(20_000 + LEASE), 9);
    assert.equal(renewed?.holder, 'node-a');
    assert.deepEqual(renewed?.leaseUntil, at(20_000 + LEASE));
    assert.equal(renewed?.seq, 0, 'startSeq counts only when the cursor is created');
    assert.deepEqual(renewed?.updatedAt, at(0), 'taking a lease does not change the cursor itself');
    assert.deepEqual(await store.getWebhookCursor(NAME), renewed);
    assert.equal(await store.claimWebhook(NAME, 'node-b', at(LEASE), at(2 * LEASE), 0), null, 'the renewed lease is live past the old end');
  }));

  test('webhooks: a lease that has run out (leaseUntil <= now) is taken over, with the cursor where it stands', using(make, async (store) => {
    await store.claimWebhook(NAME, 'node-a', at(0), at(LEASE), 3);
    assert.equal(await store.advanceWebhook(NAME, 'node-a', 3, progress(3, { attempts: 2 })), true);
    const taken = await store.claimWebhook(NAME, 'node-b', at(LEASE), at(2 * LEASE), 0);
    assert.deepEqual(taken, {
      name: NAME,
      seq: 3,
      attempts: 2,
      lastError: 'HTTP 503 from the receiver',
      failingSince: at(1000),
      deliveredAt: null,
      holder: 'node-b',
      leaseUntil: at(2 * LEASE),
      updatedAt: at(1000),
    });
    await unchanged(store, NAME, async () => {
      assert.equal(await store.advanceWebhook(NAME, 'node-a', 3, progress(4)), false, 'the old holder no longer holds it');
      assert.equal(await store.claimWebhook(NAME, 'node-a', at(LEASE + 1), at(3 * LEASE), 0), null);
    });
  }));

  test('webhooks: a released lease is free at once; only its holder can release it', using(make, async (store) => {
    await store.claimWebhook(NAME, 'node-a', at(0), at(LEASE), 0);
    await unchanged(store, NAME, () => store.releaseWebhook(NAME, 'node-b'));
    await store.releaseWebhook('unknown', 'node-a');
    assert.equal(await store.getWebhookCursor('unknown'), null, 'releasing creates nothing');

    await store.releaseWebhook(NAME, 'node-a');
    const released = await store.getWebhookCursor(NAME);
    assert.equal(released?.holder, null);
    assert.equal(released?.leaseUntil, null);
    await unchanged(store, NAME, async () => {
      assert.equal(await store.advanceWebhook(NAME, 'node-a', 0, progress(1)), false, 'let go is let go');
      await store.releaseWebhook(NAME, 'node-a');
    });

    const claimed = await store.claimWebhook(NAME, 'node-b', at(1), at(1 + LEASE), 0);
    assert.equal(claimed?.holder, 'node-b', 'long before the released lease would have run out');
    assert.deepEqual(claimed?.leaseUntil, at(1 + LEASE));
  }));

  test('webhooks: many claims at once from two store instances: exactly one holds the lease', using(make, async (store, fixture) => {
    const peer = await fixture.openPeer();
    const race = (round: string, now: number) =>
      Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? store : peer).claimWebhook(NAME, `${round}-${i}`, at(now), at(now + LEASE), i)));

    const created = await race('first', 0);
    const first = created.filter((c) => c !== null);
    assert.equal(first.length, 1, `winners: ${JSON.stringify(first.map((c) => c.holder))}`);
    assert.deepEqual(await peer.getWebhookCursor(NAME), first[0]);
    assert.equal(first[0]?.seq, created.findIndex((c) => c !== null), 'created at the winner\'s startSeq');

    assert.deepEqual(await race('live', LEASE - 1), Array.from({ length: 24 }, () => null), 'nobody takes a live lease');

    const takeover = (await race('expired', LEASE)).filter((c) => c !== null);
    assert.equal(takeover.length, 1, `winners: ${JSON.stringify(takeover.map((c) => c.holder))}`);
    assert.deepEqual(await store.getWebhookCursor(NAME), takeover[0]);
    assert.equal(takeover[0]?.seq, first[0]?.seq);
    assert.deepEqual(await store.listWebhookCursors(), [takeover[0]]);
  }));

  test('webhooks: advance only by the holder and only from the seq it stands at; deliveredAt null keeps the stored one', using(make, async (store) => {
    await store.claimWebhook(NAME, 'node-a', at(0), at(LEASE), 10);
    await unchanged(store, NAME, async () => {
      assert.equal(await store.advanceWebhook(NAME, 'node-b', 10, progress(11)), false, 'not the holder');
      assert.equal(await store.advanceWebhook(NAME, 'node-a', 9, progress(11)), false, 'a stale fromSeq');
      assert.equal(await store.advanceWebhook(NAME, 'node-a', 11, progress(11)), false, 'a fromSeq ahead');
    });
    assert.equal(await store.advanceWebhook('unknown', 'node-a', 10, progress(11)), false);
    assert.equal(await store.getWebhookCursor('unknown'), null);

    assert.equal(await store.advanceWebhook(NAME, 'node-a', 10, progress(10)), true, 'a failed attempt stays at the seq');
    assert.deepEqual(await store.getWebhookCursor(NAME), {
      name: NAME,
      seq: 10,
      attempts: 1,
      lastError: 'HTTP 503 from the receiver',
      failingSince: at(1000),
      deliveredAt: null,
      holder: 'node-a',
      leaseUntil: at(LEASE),
      updatedAt: at(1000),
    });
    assert.equal(await store.advanceWebhook(NAME, 'node-a', 10, delivered(11, 2000)), true);
    assert.equal(await store.advanceWebhook(NAME, 'node-a', 11, { ...delivered(15, 3000), deliveredAt: null }), true, 'events it does not take');
    const skipped = await store.getWebhookCursor(NAME);
    assert.equal(skipped?.seq, 15);
    assert.deepEqual(skipped?.deliveredAt, at(2000), 'null keeps the last delivery');
    assert.deepEqual(skipped?.updatedAt, at(3000));
    assert.equal(skipped?.attempts, 0);
    assert.equal(skipped?.lastError, null);
    assert.equal(skipped?.failingSince, null);

    await unchanged(store, NAME, async () => {
      assert.equal(await store.advanceWebhook(NAME, 'node-a', 11, delivered(12, 4000)), false, 'stale after moving on');
      await rejectsWithCode(store.advanceWebhook(NAME, 'node-a', 15, delivered(14, 4000)), 'BAD_REQUEST');
    });
    assert.equal(await store.advanceWebhook(NAME, 'node-a', 15, delivered(16, 2 * LEASE)), true, 'an expired lease nobody took still holds');
    const last = await store.getWebhookCursor(NAME);
    assert.equal(last?.holder, 'node-a', 'advancing leaves the lease alone');
    assert.deepEqual(last?.leaseUntil, at(LEASE));
    assert.deepEqual(last?.deliveredAt, at(2 * LEASE));
  }));

  test('webhooks: setWebhookCursor moves the cursor whoever holds the lease and clears its failures, with its audit event', using(make, async (store) => {
    await store.claimWebhook(NAME, 'node-a', at(0), at(LEASE), 10);
    assert.equal(await store.advanceWebhook(NAME, 'node-a', 10, delivered(12, 1000)), true);
    assert.equal(await store.advanceWebhook(NAME, 'node-a', 12, progress(12, { attempts: 3, failingSince: at(2000), at: at(4000) })), true);

    const moved = await store.setWebhookCursor(NAME, 20, at(5000), { audit: audit(NAME, { seq: 20 }) });
    const expected: WebhookCursor = {
      name: NAME,
      seq: 20,
      attempts: 0,
      lastError: null,
      failingSince: null,
      deliveredAt: at(1000),
      holder: 'node-a',
      leaseUntil: at(LEASE),
      updatedAt: at(5000),
    };
    assert.deepEqual(moved, expected);
    assert.deepEqual(await store.getWebhookCursor(NAME), expected);
    assert.equal(await store.advanceWebhook(NAME, 'node-a', 12, delivered(13, 6000)), false, 'the holder learns it moved');

    await unchanged(store, NAME, async () => {
      assert.equal(await store.setWebhookCursor(NAME, 30, at(6000), { ifSeq: 19, audit: audit('mismatch') }), null);
      await rejectsWithCode(store.setWebhookCursor(NAME, 30, at(6000), { audit: { ...audit('refused'), actor: '' } }), 'BAD_REQUEST');
      await rejectsWithCode(store.setWebhookCursor(NAME, 30, at(6000), { ifSeq: 20, audit: { ...audit('refused'), actor: '' } }), 'BAD_REQUEST');
    });
    const replay = await store.setWebhookCursor(NAME, 5, at(7000), { ifSeq: 20, audit: audit(NAME, { seq: 5 }) });
    assert.equal(replay?.seq, 5, 'back, to replay');
    assert.deepEqual(replay?.updatedAt, at(7000));

    assert.equal(await store.setWebhookCursor('other', 3, at(8000), { ifSeq: 0, audit: audit('absent') }), null, 'ifSeq on an absent cursor');
    assert.equal(await store.getWebhookCursor('other'), null);
    const created = await store.setWebhookCursor('other', 3, at(8000));
    assert.deepEqual(created, {
      name: 'other',
      seq: 3,
      attempts: 0,
      lastError: null,
      failingSince: null,
      deliveredAt: null,
      holder: null,
      leaseUntil: null,
      updatedAt: at(8000),
    });
    assert.equal((await store.claimWebhook('other', 'node-b', at(9000), at(9000 + LEASE), 100))?.seq, 3, 'a claim finds it where it was set');

    assert.deepEqual(await events(store), [
      ['webhook.cursor.set', NAME],
      ['webhook.cursor.set', NAME],
    ]);
    assert.deepEqual((await store.listAudit({ limit: 10 })).map((e) => e.details), [{ seq: 20 }, { seq: 5 }]);
  }));

  test('webhooks: listed by name in code-point order', using(make, async (store) => {
    const names = ['b', 'a-b', 'a.b', 'a_b', 'ab', 'a', '0', 'z9', '_x', '-x', '.x', 'a0', 'a-'];
    for (const [i, name] of names.entries()) await store.setWebhookCursor(name, i, at(i));
    const listed = await store.listWebhookCursors();
    assert.deepEqual(listed.map((c) => c.name), ['-x', '.x', '0', '_x', 'a', 'a-', 'a-b', 'a.b', 'a0', 'a_b', 'ab', 'b', 'z9']);
    assert.deepEqual(listed.map((c) => c.seq), listed.map((c) => names.indexOf(c.name)));
  }));

  test('webhooks: invalid names, holders, seqs and times are refused (BAD_REQUEST) and nothing is written', using(make, async (store) => {
    const now = at(0);
    const later = at(LEASE);
    for (const name of ['', 'Upper', 'has space', 'a/b', 'ü', 'x'.repeat(65), 'tab\t', 'nul\u0000']) {
      await rejectsWithCode(store.claimWebhook(name, 'node-a', now, later, 0), 'BAD_REQUEST', `claim ${JSON.stringify(name)}`);
      await rejectsWithCode(store.setWebhookCursor(name, 0, now), 'BAD_REQUEST', `set ${JSON.stringify(name)}`);
      await rejectsWithCode(store.getWebhookCursor(name), 'BAD_REQUEST', `get ${JSON.stringify(name)}`);
      await rejectsWithCode(store.advanceWebhook(name, 'node-a', 0, progress(0)), 'BAD_REQUEST');
      await rejectsWithCode(store.releaseWebhook(name, 'node-a'), 'BAD_REQUEST');
    }
    for (const holder of ['', 'x'.repeat(129), 'nul\u0000', 'half a pair \ud83d']) {
      await rejectsWithCode(store.claimWebhook(NAME, holder, now, later, 0), 'BAD_REQUEST', `holder ${JSON.stringify(holder)}`);
    }
    for (const seq of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      await rejectsWithCode(store.claimWebhook(NAME, 'node-a', now, later, seq), 'BAD_REQUEST', `startSeq ${seq}`);
      await rejectsWithCode(store.setWebhookCursor(NAME, seq, now), 'BAD_REQUEST', `seq ${seq}`);
      await rejectsWithCode(store.setWebhookCursor(NAME, 1, now, { ifSeq: seq }), 'BAD_REQUEST', `ifSeq ${seq}`);
    }
    const invalid = new Date(Number.NaN);
    await rejectsWithCode(store.claimWebhook(NAME, 'node-a', invalid, later, 0), 'BAD_REQUEST');
    await rejectsWithCode(store.claimWebhook(NAME, 'node-a', now, invalid, 0), 'BAD_REQUEST');
    await rejectsWithCode(store.setWebhookCursor(NAME, 0, invalid), 'BAD_REQUEST');
    assert.deepEqual(await store.listWebhookCursors(), []);

    await store.claimWebhook(NAME, 'node-a', now, later, 0);
    await unchanged(store, NAME, async () => {
      for (const bad of [
        progress(-1),
        progress(1.5),
        progress(1, { attempts: -1 }),
        progress(1, { attempts: 0.5 }),
        progress(1, { at: invalid }),
        progress(1, { failingSince: invalid }),
        progress(1, { deliveredAt: invalid }),
      ]) {
        await rejectsWithCode(store.advanceWebhook(NAME, 'node-a', 0, bad), 'BAD_REQUEST', JSON.stringify(bad));
      }
      await rejectsWithCode(store.advanceWebhook(NAME, 'node-a', -1, progress(0)), 'BAD_REQUEST', 'fromSeq');
      await rejectsWithCode(store.advanceWebhook(NAME, 'node-a', 0.5, progress(1)), 'BAD_REQUEST', 'fromSeq');
    });
    const longest = 'x'.repeat(64);
    assert.equal((await store.claimWebhook(longest, 'h'.repeat(128), now, later, 0))?.name, longest, 'the longest name and holder');
    assert.deepEqual((await store.listWebhookCursors()).map((c) => c.name), [NAME, longest]);
  }));

  test('webhooks: lastError is cut to 1,024 characters, never mid-pair; times and large seqs read back exactly', using(make, async (store) => {
    const t = (ms: number): Date => new Date(Date.UTC(2026, 2, 1, 12, 0, 0, ms));
    const claimed = await store.claimWebhook(NAME, 'node-a', t(1), t(999), Number.MAX_SAFE_INTEGER - 10);
    assert.deepEqual(claimed?.updatedAt, t(1));
    assert.deepEqual(claimed?.leaseUntil, t(999));
    const from = Number.MAX_SAFE_INTEGER - 10;
    const long = 'e\u0301🚀'.repeat(1000);
    assert.equal(
      await store.advanceWebhook(NAME, 'node-a', from, { seq: from, attempts: 7, lastError: long, failingSince: t(123), deliveredAt: t(456), at: t(789) }),
      true,
    );
    const read = await store.getWebhookCursor(NAME);
    assert.equal(read?.lastError, long.slice(0, 1024));
    assert.deepEqual(read?.failingSince, t(123));
    assert.deepEqual(read?.deliveredAt, t(456));
    assert.deepEqual(read?.updatedAt, t(789));
    assert.equal(read?.seq, from);
    assert.equal(read?.attempts, 7);

    assert.equal(await store.advanceWebhook(NAME, 'node-a', from, progress(from, { lastError: `${'x'.repeat(1023)}🚀 and more` })), true);
    assert.equal((await store.getWebhookCursor(NAME))?.lastError, 'x'.repeat(1023), 'a pair that does not fit is dropped whole');
    assert.equal(await store.advanceWebhook(NAME, 'node-a', from, progress(Number.MAX_SAFE_INTEGER, { lastError: 'nul\u0000 and half a pair \ud83d' })), true);
    const last = await store.getWebhookCursor(NAME);
    assert.equal(last?.lastError, 'nul\ufffd and half a pair \ufffd', 'what text cannot hold is replaced, not refused');
    assert.equal(last?.seq, Number.MAX_SAFE_INTEGER);
    assert.equal(await store.advanceWebhook(NAME, 'node-a', Number.MAX_SAFE_INTEGER, progress(Number.MAX_SAFE_INTEGER, { lastError: '' })), true);
    assert.equal((await store.getWebhookCursor(NAME))?.lastError, '', 'an empty reason is kept as given');
  }));
}
