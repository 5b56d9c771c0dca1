import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MISSING_NAME_MAX_ASKERS } from '../../ports/index.ts';
import type { MissingNameRequest } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { at, using } from './fixture.ts';
import type { MakeSignalFixture } from './fixture.ts';

function ask(over: Partial<MissingNameRequest> = {}): MissingNameRequest {
  return { ecosystem: 'npm', name: 'react-codeshift', at: at(0), tokenId: null, userAgent: 'npm/11.1.0', agent: null, ...over };
}

export function missingNameCases(make: MakeSignalFixture): void {
  test('missing names: requests aggregate per name and per asker', using(make, async (store) => {
    assert.equal(await store.getMissing('npm', 'react-codeshift'), null);
    await store.recordMissing(ask({ at: at(5000) }));
    await store.recordMissing(ask({ at: at(1000), agent: 'claude-code', tokenId: 'tok_1' }));
    await store.recordMissing(ask({ at: at(9000) }));
    const rec = await store.getMissing('npm', 'react-codeshift');
    assert.ok(rec !== null);
    assert.equal(rec.count, 3);
    assert.deepEqual(rec.firstAskedAt, at(1000), 'out-of-order requests still give the earliest');
    assert.deepEqual(rec.lastAskedAt, at(9000));
    assert.equal(rec.appearedAt, null);
    assert.deepEqual(rec.askers, [
      { tokenId: null, userAgent: 'npm/11.1.0', agent: null, count: 2, firstAt: at(5000), lastAt: at(9000) },
      { tokenId: 'tok_1', userAgent: 'npm/11.1.0', agent: 'claude-code', count: 1, firstAt: at(1000), lastAt: at(1000) },
    ]);
  }));

  test('missing names: askers are capped and hints truncated, the count is not', using(make, async (store) => {
    const total = MISSING_NAME_MAX_ASKERS + 10;
    for (let i = 0; i < total; i++) await store.recordMissing(ask({ userAgent: `agent-${i}-${'x'.repeat(2000)}`, at: at(i) }));
    const rec = await store.getMissing('npm', 'react-codeshift');
    assert.equal(rec?.count, total);
    assert.equal(rec?.askers.length, MISSING_NAME_MAX_ASKERS);
    assert.ok(rec.askers.every((a) => (a.userAgent ?? '').length <= 512));
    await rejectsWithCode(store.recordMissing(ask({ ecosystem: 'cargo' as never })), 'BAD_REQUEST');
    await rejectsWithCode(store.recordMissing(ask({ name: '' })), 'BAD_REQUEST');
  }));

  test('missing names: concurrent requests from two instances are all counted', using(make, async (store, fixture) => {
    const peer = await fixture.openPeer();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : peer).recordMissing(ask({ at: at(i) }))));
    assert.equal((await peer.getMissing('npm', 'react-codeshift'))?.count, 20);
  }));

  test('missing names: appearing upstream is stamped once; top list by demand', using(make, async (store) => {
    for (let i = 0; i < 3; i++) await store.recordMissing(ask({ name: 'popular-ghost', at: at(i) }));
    await store.recordMissing(ask({ name: 'rare-ghost' }));
    await store.recordMissing(ask({ ecosystem: 'pypi', name: 'huggingface-cli', at: at(7) }));
    await store.recordMissing(ask({ ecosystem: 'pypi', name: 'huggingface-cli', at: at(8) }));
    assert.deepEqual((await store.topMissing({ limit: 10 })).map((r) => r.name), ['popular-ghost', 'huggingface-cli', 'rare-ghost']);
    assert.deepEqual((await store.topMissing({ ecosystem: 'npm', limit: 1 })).map((r) => r.name), ['popular-ghost']);

    assert.equal(await store.markAppeared('npm', 'popular-ghost', at(60_000)), true);
    assert.equal(await store.markAppeared('npm', 'popular-ghost', at(90_000)), false);
    assert.equal(await store.markAppeared('npm', 'never-asked', at(1)), false);
    assert.deepEqual((await store.getMissing('npm', 'popular-ghost'))?.appearedAt, at(60_000));
    assert.deepEqual((await store.topMissing({ limit: 10 })).map((r) => r.name), ['huggingface-cli', 'rare-ghost']);
    assert.equal((await store.topMissing({ limit: 10, includeAppeared: true })).length, 3);
  }));
}

export function firstSeenCases(make: MakeSignalFixture): void {
  test('first seen: dates stick to the first sighting; new versions get theirs', using(make, async (store) => {
    assert.deepEqual(await store.firstSeen('npm', 'chalk'), { package: null, versions: new Map() });
    const first = await store.markSeen('npm', 'chalk', ['5.6.0', '5.5.0'], at(1000));
    assert.deepEqual(first, new Map([['5.6.0', at(1000)], ['5.5.0', at(1000)]]));
    const second = await store.markSeen('npm', 'chalk', ['5.6.0', '5.6.1'], at(5000));
    assert.deepEqual(second, new Map([['5.6.0', at(1000)], ['5.6.1', at(5000)]]));
    const seen = await store.firstSeen('npm', 'chalk');
    assert.deepEqual(seen.package, at(1000));
    assert.deepEqual(seen.versions, new Map([['5.5.0', at(1000)], ['5.6.0', at(1000)], ['5.6.1', at(5000)]]));
    await store.markSeen('npm', 'chalk', ['5.6.1'], at(200));
    assert.deepEqual((await store.firstSeen('npm', 'chalk')).versions.get('5.6.1'), at(200), 'an earlier sighting wins');
    assert.deepEqual((await store.firstSeen('npm', 'chalk')).package, at(200));
    assert.deepEqual((await store.firstSeen('pypi', 'chalk')).package, null, 'ecosystems are separate');
    const some = await store.firstSeen('npm', 'chalk', ['5.6.1', '9.9.9', '5.6.1']);
    assert.deepEqual(some, { package: at(200), versions: new Map([['5.6.1', at(200)]]) }, 'only the versions asked for, unknown ones left out');
    assert.deepEqual(await store.firstSeen('npm', 'chalk', []), { package: at(200), versions: new Map() });
    await rejectsWithCode(store.firstSeen('npm', 'chalk', ['']), 'BAD_REQUEST');
  }));

  test('first seen: thousands of versions in one call; invalid input refused', using(make, async (store) => {
    const versions = Array.from({ length: 5000 }, (_, i) => `1.0.${i}`);
    const dates = await store.markSeen('npm', 'big', versions, at(0));
    assert.equal(dates.size, 5000);
    assert.equal((await store.markSeen('npm', 'big', versions, at(10))).get('1.0.4999')?.getTime(), at(0).getTime());
    const most = versions.slice(100).concat(['2.0.0']);
    const seen = await store.firstSeen('npm', 'big', most);
    assert.equal(seen.versions.size, 4900, 'many versions asked for: each known one, and only those');
    assert.equal(seen.versions.has('1.0.99') || seen.versions.has('2.0.0'), false);
    await rejectsWithCode(store.markSeen('npm', 'big', [''], at(0)), 'BAD_REQUEST');
    await rejectsWithCode(store.markSeen('npm', 'big', ['1.0.0'], new Date(Number.NaN)), 'BAD_REQUEST');
  }));
}
