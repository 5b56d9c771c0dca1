import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyAuditChain } from '../../ports/index.ts';
import type { AuditEvent, AuditEventInput, MetadataStore, QuarantineRecord } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { at, decisionRec, exceptionRec, purl, quarantineRec, tokenRec, using } from './fixture.ts';
import type { MakeMetadataFixture } from './fixture.ts';

function audit(action: string, subject: string, details: AuditEventInput['details'] = {}): AuditEventInput {
  return { at: at(1000), actor: 'tok_admin', action, subject, details };
}

/** An event the store must refuse (empty actor): the change it goes with must not happen either. */
function refused(action: string): AuditEventInput {
  return { at: at(1000), actor: '', action, subject: 'x', details: {} };
}

async function chain(store: MetadataStore): Promise<AuditEvent[]> {
  const events = await store.listAudit({ limit: 1000 });
  assert.equal(verifyAuditChain(events).ok, true, 'the chain verifies');
  return [...events];
}

function released(): { to: 'released'; actor: string; reason: string; at: Date; expiresAt: null } {
  return { to: 'released', actor: 'tok_approver', reason: 'false positive', at: at(60_000), expiresAt: null };
}

export function auditedChangeCases(make: MakeMetadataFixture): void {
  test('audited changes: every state change appends its event to the chain, in order', using(make, async (store) => {
    const decision = decisionRec();
    await store.recordDecision(decision, audit('decision.quarantine', decision.purl, { decision: decision.id }));
    const q = quarantineRec();
    const opened = await store.openQuarantine(q, audit('quarantine.open', q.id));
    const seen: QuarantineRecord[] = [];
    await store.transitionQuarantine(opened.id, released(), (rec) => {
      seen.push(rec);
      return audit('quarantine.release', rec.id, { purl: rec.purl, state: rec.state });
    });
    const exception = exceptionRec();
    await store.putException(exception, audit('exception.create', exception.id));
    assert.equal(await store.deleteException(exception.id, audit('exception.delete', exception.id)), true);
    const token = tokenRec();
    await store.putToken(token, audit('token.create', token.id));
    assert.equal(await store.revokeToken(token.id, at(2000), audit('token.revoke', token.id)), true);

    const events = await chain(store);
    assert.deepEqual(
      events.map((e) => [e.seq, e.action, e.subject]),
      [
        [1, 'decision.quarantine', decision.purl],
        [2, 'quarantine.open', q.id],
        [3, 'quarantine.release', q.id],
        [4, 'exception.create', exception.id],
        [5, 'exception.delete', exception.id],
        [6, 'token.create', token.id],
        [7, 'token.revoke', token.id],
      ],
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.state, 'released', 'the event is built from the record as the change left it');
    assert.deepEqual(events[2]?.details, { purl: q.purl, state: 'released' });
    assert.deepEqual(events[0]?.details, { decision: decision.id });
  }));

  test('audited changes: no event when nothing changed', using(make, async (store) => {
    const decision = decisionRec();
    await store.recordDecision(decision, audit('decision.quarantine', decision.purl));
    await rejectsWithCode(store.recordDecision(decision, audit('decision.quarantine', decision.purl)), 'CONFLICT');

    const first = await store.openQuarantine(quarantineRec(), audit('quarantine.open', 'first'));
    const again = await store.openQuarantine(quarantineRec({ id: 'another-id', createdAt: at(5000) }), audit('quarantine.open', 'again'));
    assert.equal(again.id, first.id, 'the open record is returned, nothing is opened');

    await store.transitionQuarantine(first.id, { ...released(), to: 'rejected' }, (rec) => audit('quarantine.reject', rec.id));
    await rejectsWithCode(store.transitionQuarantine(first.id, released(), (rec) => audit('quarantine.release', rec.id)), 'CONFLICT');
    await rejectsWithCode(store.transitionQuarantine('no-such-id', released(), (rec) => audit('quarantine.release', rec.id)), 'NOT_FOUND');

    assert.equal(await store.deleteException('no-such-id', audit('exception.delete', 'no-such-id')), false);
    const token = tokenRec();
    await store.putToken(token);
    assert.equal(await store.revokeToken(token.id, at(2000), audit('token.revoke', token.id)), true);
    assert.equal(await store.revokeToken(token.id, at(3000), audit('token.revoke', token.id)), false);
    assert.equal(await store.revokeToken('no-such-id', at(3000), audit('token.revoke', 'no-such-id')), false);

    assert.deepEqual(
      (await chain(store)).map((e) => [e.action, e.subject]),
      [
        ['decision.quarantine', decision.purl],
        ['quarantine.open', 'first'],
        ['quarantine.reject', first.id],
        ['token.revoke', token.id],
      ],
    );
  }));

  test('audited changes: an event the store refuses leaves the change undone', using(make, async (store) => {
    const decision = decisionRec();
    await rejectsWithCode(store.recordDecision(decision, refused('decision.allow')), 'BAD_REQUEST');
    assert.deepEqual((await store.listDecisions({ limit: 10 })).items, []);

    const q = quarantineRec();
    await rejectsWithCode(store.openQuarantine(q, refused('quarantine.open')), 'BAD_REQUEST');
    assert.equal(await store.getQuarantine(q.id), null);

    const opened = await store.openQuarantine(q);
    await rejectsWithCode(store.transitionQuarantine(opened.id, released(), () => refused('quarantine.release')), 'BAD_REQUEST');
    assert.equal((await store.getQuarantine(opened.id))?.state, 'quarantined');
    await rejectsWithCode(
      store.transitionQuarantine(opened.id, released(), () => {
        throw new Error('the event could not be built');
      }),
      'STORAGE_ERROR',
    );
    assert.equal((await store.getQuarantine(opened.id))?.state, 'quarantined');

    const exception = exceptionRec();
    await rejectsWithCode(store.putException(exception, refused('exception.create')), 'BAD_REQUEST');
    assert.deepEqual((await store.listExceptions({ limit: 10 })).items, []);
    await store.putException(exception);
    await rejectsWithCode(store.deleteException(exception.id, refused('exception.delete')), 'BAD_REQUEST');
    assert.equal((await store.listExceptions({ limit: 10 })).items.length, 1);

    const token = tokenRec();
    await rejectsWithCode(store.putToken(token, refused('token.create')), 'BAD_REQUEST');
    assert.equal(await store.findTokenByHash(token.hash), null);
    await store.putToken(token);
    await rejectsWithCode(store.revokeToken(token.id, at(2000), refused('token.revoke')), 'BAD_REQUEST');
    assert.equal((await store.findTokenByHash(token.hash))?.revokedAt, null);

    assert.deepEqual(await chain(store), []);
  }));

  test('audited changes from two store instances and plain appends form one unbroken chain', using(make, async (store, fixture) => {
    const peer = await fixture.openPeer();
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const s = i % 2 === 0 ? store : peer;
      const d = decisionRec({ createdAt: at(i), purl: purl(`p${i}`) });
      jobs.push(i % 4 === 3 ? s.appendAudit(audit('note', `n${i}`)) : s.recordDecision(d, audit('decision.allow', d.purl)));
    }
    await Promise.all(jobs);
    const events = await chain(store);
    assert.deepEqual(events.map((e) => e.seq), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.equal((await store.listDecisions({ limit: 100 })).items.length, 30);
  }));
}
