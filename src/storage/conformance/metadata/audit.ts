import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUDIT_GENESIS_HASH, auditEventHash, verifyAuditChain } from '../../ports/index.ts';
import type { AuditEvent, AuditEventInput, MetadataStore } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { at, using } from './fixture.ts';
import type { MakeMetadataFixture } from './fixture.ts';

function event(i: number, over: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    at: at(i * 1000),
    actor: i % 2 === 0 ? 'policy' : 'tok_01',
    action: i % 3 === 0 ? 'quarantine.open' : 'decision.allow',
    subject: `pkg:npm/p${i}@1.0.0`,
    details: { i, reasons: [{ message: `r${i}` }], nested: { b: 2, a: 1 } },
    ...over,
  };
}

async function readAll(store: MetadataStore, pageLimit = 1000): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for (;;) {
    const page = await store.listAudit({ afterSeq: out.at(-1)?.seq ?? 0, limit: pageLimit });
    out.push(...page);
    if (page.length < pageLimit) return out;
  }
}

export function auditLogCases(make: MakeMetadataFixture): void {
  test('audit: appends form a chain from the genesis hash; list pages by seq', using(make, async (store) => {
    const appended: AuditEvent[] = [];
    for (let i = 0; i < 12; i++) appended.push(await store.appendAudit(event(i)));
    assert.deepEqual(appended.map((e) => e.seq), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.equal(appended[0]?.prevHash, AUDIT_GENESIS_HASH);
    for (const e of appended) assert.equal(e.hash, auditEventHash(e.seq, e.prevHash, e));
    assert.deepEqual(await readAll(store, 5), appended, 'listing returns exactly what append returned');
    assert.deepEqual(await store.listAudit({ afterSeq: 10, limit: 100 }), appended.slice(10));
    assert.deepEqual(await store.listAudit({ afterSeq: 12, limit: 100 }), []);
    const verdict = verifyAuditChain(appended);
    assert.deepEqual(verdict, { ok: true, count: 12, headSeq: 12, headHash: appended[11]?.hash });
  }));

  test('audit: what is hashed is what reads back (details normalised, millisecond time)', using(make, async (store) => {
    const details = { keep: 1, drop: undefined, when: new Date(0), list: [1, undefined] } as never;
    const e = await store.appendAudit(event(0, { details }));
    assert.deepEqual(e.details, { keep: 1, when: '1970-01-01T00:00:00.000Z', list: [1, null] });
    const [stored] = await store.listAudit({ limit: 1 });
    assert.deepEqual(stored, e);
    assert.equal(verifyAuditChain([stored as AuditEvent]).ok, true);
  }));

  test('audit: an actor or subject with a lone surrogate is hashed as stored (U+FFFD), so the chain verifies; a NUL is refused', using(make, async (store) => {
    // `slice` cuts a surrogate pair in half: an exchanged token's actor is `oidc:<subject>` cut at
    // 256.
    const cut = `oidc:${'x'.repeat(250)}\u{1F600}`.slice(0, 256);
    const e = await store.appendAudit(event(0, { actor: cut, subject: 'pkg:npm/p\udc00@1.0.0', details: { why: 'kept \ud800 as JSON keeps it' } }));
    assert.equal(e.actor, `${cut.slice(0, -1)}\ufffd`);
    assert.equal(e.subject, 'pkg:npm/p\ufffd@1.0.0');
    assert.deepEqual(e.details, { why: 'kept \ud800 as JSON keeps it' });
    const [stored] = await store.listAudit({ limit: 1 });
    assert.deepEqual(stored, e);
    assert.equal(verifyAuditChain([stored as AuditEvent]).ok, true);
    await rejectsWithCode(store.appendAudit(event(1, { actor: 'a\u0000b' })), 'BAD_REQUEST');
    await rejectsWithCode(store.appendAudit(event(1, { subject: 'a\u0000b' })), 'BAD_REQUEST');
  }));

  test('audit: concurrent appends from two store instances form one unbroken chain', using(make, async (store, fixture) => {
    const peer = await fixture.openPeer();
    const jobs: Promise<AuditEvent>[] = [];
    for (let i = 0; i < 60; i++) jobs.push((i % 2 === 0 ? store : peer).appendAudit(event(i)));
    const results = await Promise.all(jobs);
    assert.deepEqual(results.map((e) => e.seq).sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i + 1));
    const chain = await readAll(peer);
    assert.equal(chain.length, 60);
    assert.deepEqual(verifyAuditChain(chain), { ok: true, count: 60, headSeq: 60, headHash: chain[59]?.hash });
  }));

  test('audit: the chain continues across a restart', using(make, async (store, fixture) => {
    for (let i = 0; i < 3; i++) await store.appendAudit(event(i));
    await store.close();
    const reopened = await fixture.openPeer();
    const next = await reopened.appendAudit(event(3));
    assert.equal(next.seq, 4);
    assert.equal(verifyAuditChain(await readAll(reopened)).ok, true);
  }));

  test('audit: verifyAuditChain reports the first broken link of a tampered copy', using(make, async (store) => {
    for (let i = 0; i < 6; i++) await store.appendAudit(event(i));
    const chain = await readAll(store);
    const nth = (n: number): AuditEvent => chain[n] as AuditEvent;

    const altered = chain.map((e, i) => (i === 2 ? { ...e, details: { i: 999 } } : e));
    assert.deepEqual(pick(verifyAuditChain(altered)), { ok: false, seq: 3, kind: 'hash' });

    const rehashed = chain.map((e, i) => (i === 2 ? { ...e, actor: 'mallory', hash: auditEventHash(e.seq, e.prevHash, { ...e, actor: 'mallory' }) } : e));
    assert.deepEqual(pick(verifyAuditChain(rehashed)), { ok: false, seq: 4, kind: 'prev-hash' }, 'a rewritten event breaks the next link');

    const removed = chain.filter((_, i) => i !== 3);
    assert.deepEqual(pick(verifyAuditChain(removed)), { ok: false, seq: 5, kind: 'seq-gap' });

    const swapped = [nth(0), nth(2), nth(1), nth(3)];
    assert.deepEqual(pick(verifyAuditChain(swapped)), { ok: false, seq: 3, kind: 'seq-gap' });

    const relinked = chain.map((e, i) => (i === 4 ? { ...e, prevHash: nth(2).hash } : e));
    assert.deepEqual(pick(verifyAuditChain(relinked)), { ok: false, seq: 5, kind: 'prev-hash' });

    const truncatedHead = chain.slice(2);
    assert.deepEqual(pick(verifyAuditChain(truncatedHead)), { ok: false, seq: 3, kind: 'seq-gap' });
    assert.equal(verifyAuditChain(truncatedHead, { seq: 2, hash: nth(1).hash }).ok, true, 'verifying from a checkpoint');
  }));

  test('audit: firstAuditSeqAtOrAfter finds where a period begins, events appended out of time order included', using(make, async (store) => {
    assert.equal(await store.firstAuditSeqAtOrAfter(at(0)), null, 'an empty trail');
    // seq 1..6 at seconds 0, 10, 20, 15 (judged earlier, appended later), 30, 30.
    for (const s of [0, 10, 20, 15, 30, 30]) await store.appendAudit(event(s, { at: at(s * 1000) }));
    const first = async (seconds: number): Promise<number | null> => store.firstAuditSeqAtOrAfter(at(seconds * 1000));
    assert.equal(await first(-100), 1, 'before everything: the first event');
    assert.equal(await first(0), 1, 'at an event\'s time: that event (inclusive)');
    assert.equal(await first(0.001), 2);
    assert.equal(await first(10), 2);
    assert.equal(await first(12), 3, 'the smallest seq at or after the time, though a later seq is earlier');
    assert.equal(await first(16), 3);
    assert.equal(await first(20), 3);
    assert.equal(await first(21), 5);
    assert.equal(await first(30), 5, 'two events at one time: the first of them');
    assert.equal(await first(30.001), null, 'after everything');
    await rejectsWithCode(store.firstAuditSeqAtOrAfter(new Date(Number.NaN)), 'BAD_REQUEST');
  }));

  test('audit: invalid events are refused and do not advance the chain', using(make, async (store) => {
    await rejectsWithCode(store.appendAudit(event(0, { at: new Date(Number.NaN) })), 'BAD_REQUEST');
    await rejectsWithCode(store.appendAudit(event(0, { actor: '' })), 'BAD_REQUEST');
    await rejectsWithCode(store.appendAudit(event(0, { details: undefined as never })), 'BAD_REQUEST');
    await rejectsWithCode(store.appendAudit(event(0, { details: { big: 'x'.repeat(5 * 1024 * 1024) } })), 'LIMIT_EXCEEDED');
    await rejectsWithCode(store.listAudit({ limit: 0 }), 'BAD_REQUEST');
    await rejectsWithCode(store.listAudit({ afterSeq: -1, limit: 5 }), 'BAD_REQUEST');
    assert.equal((await store.appendAudit(event(1))).seq, 1);
  }));
}

function pick(result: ReturnType<typeof verifyAuditChain>): { ok: boolean; seq?: number; kind?: string } {
  return result.ok ? { ok: true } : { ok: false, seq: result.seq, kind: result.kind };
}
