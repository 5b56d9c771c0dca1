import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256Of } from '../../../core/index.ts';
import type { Sha256Digest } from '../../../core/index.ts';
import { MAX_UPLOAD_PARTS, type UploadSessionRecord } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { at, using } from './fixture.ts';
import type { MakeMetadataFixture } from './fixture.ts';

const ID = '3f1e2d4c-5b6a-4789-8abc-def012345678';

function session(over: Partial<UploadSessionRecord> = {}): UploadSessionRecord {
  return { id: ID, repo: 'images', name: 'team/app', rev: 1, parts: [], startedAt: at(0), touchedAt: at(0), ...over };
}

const part = (text: string): { blob: Sha256Digest; size: number } => ({ blob: sha256Of(Buffer.from(text)), size: Buffer.byteLength(text) });

async function blobs(store: { uploadSessionBlobs(): AsyncIterable<Sha256Digest> }): Promise<Sha256Digest[]> {
  const out: Sha256Digest[] = [];
  for await (const b of store.uploadSessionBlobs()) out.push(b);
  return out;
}

export function uploadSessionCases(make: MakeMetadataFixture): void {
  test('upload sessions: created at rev 1, read back, a taken id is CONFLICT, an unknown id is null', using(make, async (store) => {
    await store.createUploadSession(session());
    assert.deepEqual(await store.getUploadSession(ID), session());
    await rejectsWithCode(store.createUploadSession(session()), 'CONFLICT');
    await rejectsWithCode(store.createUploadSession(session({ id: 'other', rev: 2 })), 'BAD_REQUEST');
    assert.equal(await store.getUploadSession('00000000-0000-4000-8000-000000000000'), null);
  }));

  test('upload sessions: parts appended by compare-and-swap, seen by a peer; a stale or skipped rev writes nothing', using(make, async (store, fixture) => {
    await store.createUploadSession(session());
    const one = session({ rev: 2, parts: [part('first chunk')], touchedAt: at(1000) });
    assert.equal(await store.updateUploadSession(one), true);
    const peer = await fixture.openPeer();
    assert.deepEqual(await peer.getUploadSession(ID), one, 'another gateway reads what this one wrote');
    // Two chunks racing for offset 11: whichever comes second finds the revision moved on.
    const a = session({ rev: 3, parts: [...one.parts, part('from gateway a')], touchedAt: at(2000) });
    const b = session({ rev: 3, parts: [...one.parts, part('from gateway b')], touchedAt: at(2000) });
    assert.equal(await peer.updateUploadSession(a), true);
    assert.equal(await store.updateUploadSession(b), false);
    assert.equal(await store.updateUploadSession(session({ rev: 5, parts: [] })), false, 'a skipped revision');
    assert.deepEqual(await store.getUploadSession(ID), a);
    assert.equal(await store.updateUploadSession(session({ id: '00000000-0000-4000-8000-000000000000', rev: 2 })), false, 'no such session');
  }));

  test('upload sessions: delete, count per repository, and the stale ones by idle time or age', using(make, async (store) => {
    await store.createUploadSession(session({ id: 'a1', startedAt: at(0), touchedAt: at(0) }));
    await store.createUploadSession(session({ id: 'a2', startedAt: at(0), touchedAt: at(50_000) }));
    await store.createUploadSession(session({ id: 'a3', startedAt: at(40_000), touchedAt: at(60_000) }));
    await store.createUploadSession(session({ id: 'b1', repo: 'other', startedAt: at(60_000), touchedAt: at(60_000) }));
    await store.createUploadSession(session({ id: 'b2', repo: 'other', startedAt: at(0), touchedAt: at(0) }));
    assert.equal(await store.countUploadSessions('images'), 3);
    assert.equal(await store.countUploadSessions('other'), 2);
    assert.equal(await store.countUploadSessions('none'), 0);
    // Idle since before 10 s, or started before 30 s; the repository's own only.
    assert.deepEqual((await store.staleUploadSessions('images', at(10_000), at(30_000), 100)).map((s) => s.id), ['a1', 'a2']);
    assert.deepEqual((await store.staleUploadSessions('images', at(10_000), at(30_000), 1)).map((s) => s.id), ['a1']);
    assert.deepEqual((await store.staleUploadSessions('other', at(10_000), at(30_000), 100)).map((s) => s.id), ['b2']);
    assert.deepEqual(await store.staleUploadSessions('images', at(0), at(0), 100), []);
    assert.equal(await store.deleteUploadSession('a1'), true);
    assert.equal(await store.deleteUploadSession('a1'), false);
    assert.equal(await store.getUploadSession('a1'), null);
    assert.equal(await store.countUploadSessions('images'), 2);
    await rejectsWithCode(store.staleUploadSessions('images', at(0), at(0), 0), 'BAD_REQUEST');
  }));

  test('upload sessions: every part blob is listed once for the sweep, in order, across sessions', using(make, async (store) => {
    assert.deepEqual(await blobs(store), []);
    const shared = part('the same chunk');
    await store.createUploadSession(session({ id: 's1' }));
    await store.createUploadSession(session({ id: 's2' }));
    assert.equal(await store.updateUploadSession(session({ id: 's1', rev: 2, parts: [shared, part('one'), part('two')] })), true);
    assert.equal(await store.updateUploadSession(session({ id: 's2', rev: 2, parts: [shared] })), true);
    const expected = [shared.blob, part('one').blob, part('two').blob].sort();
    assert.deepEqual(await blobs(store), expected);
    await store.deleteUploadSession('s1');
    assert.deepEqual(await blobs(store), [shared.blob]);
  }));

  test('upload sessions: bad input is refused and nothing is written', using(make, async (store) => {
    await rejectsWithCode(store.createUploadSession(session({ id: '' })), 'BAD_REQUEST');
    await rejectsWithCode(store.createUploadSession(session({ id: 'x'.repeat(65) })), 'LIMIT_EXCEEDED');
    await rejectsWithCode(store.createUploadSession(session({ name: '' })), 'BAD_REQUEST');
    await rejectsWithCode(store.createUploadSession(session({ startedAt: new Date(Number.NaN) })), 'BAD_REQUEST');
    await rejectsWithCode(store.createUploadSession(session({ parts: [{ blob: 'sha256:nothex' as Sha256Digest, size: 1 }] })), 'INVALID_DIGEST');
    await rejectsWithCode(store.createUploadSession(session({ parts: [{ ...part('x'), size: -1 }] })), 'BAD_REQUEST');
    await store.createUploadSession(session());
    const many = Array.from({ length: MAX_UPLOAD_PARTS + 1 }, () => part('x'));
    await rejectsWithCode(store.updateUploadSession(session({ rev: 2, parts: many })), 'LIMIT_EXCEEDED');
    assert.deepEqual(await store.getUploadSession(ID), session());
  }));
}
