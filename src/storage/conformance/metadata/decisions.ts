import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecisionRecord, MetadataStore } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { at, decisionRec, purl, using } from './fixture.ts';
import type { MakeMetadataFixture } from './fixture.ts';

/** Every page of a newest-first listing, checking cursors along the way. */
async function allPages(store: MetadataStore, limit: number, filter: { purl?: DecisionRecord['purl'] } = {}): Promise<DecisionRecord[][]> {
  const pages: DecisionRecord[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listDecisions({ ...filter, limit, ...(cursor === undefined ? {} : { cursor }) });
    pages.push([...page.items]);
    if (page.nextCursor === null) return pages;
    assert.equal(page.items.length, limit, 'only a full page has a next cursor');
    cursor = page.nextCursor;
  }
}

export function decisionLogCases(make: MakeMetadataFixture): void {
  test('decisions: record round-trips every field, with and without a request', using(make, async (store) => {
    const full = decisionRec();
    const bare = decisionRec({ id: 'manual-id-2', request: null, warnings: [], verdict: 'allow', reasons: [], facts: null, createdAt: at(1) });
    await store.recordDecision(full);
    await store.recordDecision(bare);
    const page = await store.listDecisions({ limit: 10 });
    assert.deepEqual(page.items, [bare, full]);
    assert.equal(page.nextCursor, null);
  }));

  test('decisions: a duplicate id is a CONFLICT and changes nothing', using(make, async (store) => {
    const rec = decisionRec();
    await store.recordDecision(rec);
    await rejectsWithCode(store.recordDecision({ ...rec, verdict: 'allow' }), 'CONFLICT');
    assert.deepEqual((await store.listDecisions({ limit: 5 })).items, [rec]);
  }));

  test('decisions: newest first, paged without gaps or repeats, ties broken by id', using(make, async (store) => {
    const recs: DecisionRecord[] = [];
    for (let i = 0; i < 25; i++) {
      // Groups of three share a timestamp, so the id order matters inside a group.
      recs.push(decisionRec({ createdAt: at(Math.floor(i / 3) * 1000), purl: purl(i % 2 === 0 ? 'even' : 'odd') }));
    }
    for (const r of [...recs].reverse()) await store.recordDecision(r);
    const expected = [...recs].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));

    const pages = await allPages(store, 10);
    assert.deepEqual(pages.map((p) => p.length), [10, 10, 5]);
    assert.deepEqual(pages.flat().map((r) => r.id), expected.map((r) => r.id));

    const exact = await allPages(store, 25);
    assert.deepEqual(exact.map((p) => p.length), [25], 'a page that ends exactly at the last row has no next cursor');
    const single = await allPages(store, 1);
    assert.equal(single.length, 25);

    const even = await allPages(store, 4, { purl: purl('even') });
    assert.deepEqual(even.flat().map((r) => r.id), expected.filter((r) => r.purl === purl('even')).map((r) => r.id));
    assert.deepEqual((await store.listDecisions({ purl: purl('nobody'), limit: 3 })).items, []);
  }));

  test('decisions: pages stay stable while newer decisions arrive', using(make, async (store) => {
    for (let i = 0; i < 6; i++) await store.recordDecision(decisionRec({ createdAt: at(i) }));
    const first = await store.listDecisions({ limit: 3 });
    await store.recordDecision(decisionRec({ createdAt: at(100) }));
    assert.ok(first.nextCursor !== null);
    const second = await store.listDecisions({ limit: 3, cursor: first.nextCursor });
    assert.deepEqual(
      [...first.items, ...second.items].map((r) => r.createdAt.getTime()),
      [5, 4, 3, 2, 1, 0].map((i) => at(i).getTime()),
    );
    assert.equal(second.nextCursor, null);
  }));

  test('decisions: invalid cursors and limits are BAD_REQUEST; huge limits are capped', using(make, async (store) => {
    await store.recordDecision(decisionRec());
    for (const cursor of ['', 'not a cursor', Buffer.from('[1]').toString('base64url'), Buffer.from('{"t":1}').toString('base64url')]) {
      await rejectsWithCode(store.listDecisions({ limit: 5, cursor }), 'BAD_REQUEST');
    }
    for (const limit of [0, -1, 1.5, Number.NaN]) await rejectsWithCode(store.listDecisions({ limit }), 'BAD_REQUEST');
    assert.equal((await store.listDecisions({ limit: 1_000_000 })).items.length, 1);
  }));

  test('decisions: invalid records are refused', using(make, async (store) => {
    await rejectsWithCode(store.recordDecision(decisionRec({ createdAt: new Date('nope') })), 'BAD_REQUEST');
    await rejectsWithCode(store.recordDecision(decisionRec({ id: '' })), 'BAD_REQUEST');
    await rejectsWithCode(store.recordDecision(decisionRec({ verdict: 'maybe' as never })), 'BAD_REQUEST');
    await rejectsWithCode(store.recordDecision(decisionRec({ facts: { big: 'x'.repeat(5 * 1024 * 1024) } })), 'LIMIT_EXCEEDED');
    assert.deepEqual((await store.listDecisions({ limit: 5 })).items, []);
  }));
}
