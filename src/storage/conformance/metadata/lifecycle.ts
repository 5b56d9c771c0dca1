import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at, decisionRec, documentRec, exceptionRec, quarantineRec, tokenRec, using } from './fixture.ts';
import type { MakeMetadataFixture } from './fixture.ts';

export function lifecycleCases(make: MakeMetadataFixture): void {
  test('lifecycle: migrate is idempotent on a current database', using(make, async (store, fixture) => {
    await store.migrate();
    await store.migrate();
    const peer = await fixture.openPeer();
    await peer.migrate();
    await store.recordDecision(decisionRec());
    assert.equal((await peer.listDecisions({ limit: 5 })).items.length, 1);
  }));

  test('lifecycle: every record survives closing and reopening the store', using(make, async (store, fixture) => {
    const doc = documentRec();
    const decision = decisionRec();
    const q = await store.openQuarantine(quarantineRec());
    const released = await store.transitionQuarantine(q.id, { to: 'released', actor: 'a', reason: 'ok', at: at(5), expiresAt: null });
    const exception = exceptionRec();
    const token = tokenRec();
    await store.putDocument(doc);
    await store.recordDecision(decision);
    await store.putException(exception);
    await store.putToken(token);
    const audit = await store.appendAudit({ at: at(0), actor: 'system', action: 'test.event', subject: 's', details: null });
    await store.close();

    const again = await fixture.openPeer();
    assert.deepEqual(await again.getDocument(doc.repo, doc.key), doc);
    assert.deepEqual((await again.listDecisions({ limit: 5 })).items, [decision]);
    assert.deepEqual(await again.getQuarantine(q.id), released);
    assert.deepEqual(await again.activeExceptions('npm', exception.name, at(0)), [exception]);
    assert.deepEqual(await again.findTokenByHash(token.hash), token);
    assert.deepEqual(await again.listAudit({ limit: 5 }), [audit]);
  }));

  test('lifecycle: a closed store refuses work with STORAGE_ERROR', using(make, async (store) => {
    await store.close();
    await assert.rejects(store.getDocument('npm', 'x'), (err: unknown) => (err as { code?: string }).code === 'STORAGE_ERROR');
  }));
}
