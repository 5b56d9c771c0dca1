import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FeedImport } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { advisory, at, using } from './fixture.ts';
import type { MakeSignalFixture } from './fixture.ts';

const ids = (list: readonly { id: string }[]): string[] => list.map((a) => a.id);

export function feedStoreCases(make: MakeSignalFixture): void {
  test('feeds: exact name and version matching; ranges kept as data', using(make, async (store) => {
    const allVersions = advisory({
      id: 'MAL-2025-00001',
      name: 'chalk',
      versions: ['5.6.1'],
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
    });
    const result = await store.putAdvisories([advisory(), allVersions, advisory({ id: 'MAL-2024-9', name: 'Debug' })]);
    assert.deepEqual(result, { added: 3, updated: 0, unchanged: 0 });
    assert.deepEqual(ids(await store.advisoriesForVersion('npm', 'debug', '4.4.2')), ['MAL-2025-46974']);
    assert.deepEqual(await store.advisoriesForVersion('npm', 'debug', '4.4.20'), []);
    assert.deepEqual(await store.advisoriesForVersion('npm', 'debug', '4.4'), []);
    assert.deepEqual(await store.advisoriesForVersion('pypi', 'debug', '4.4.2'), [], 'ecosystem must match');
    assert.deepEqual(ids(await store.advisoriesFor('npm', 'Debug')), ['MAL-2024-9'], 'names match exactly');
    const [chalk] = await store.advisoriesFor('npm', 'chalk');
    assert.deepEqual(chalk, allVersions, 'every field round-trips, ranges verbatim');
    assert.deepEqual(await store.advisoriesForVersion('npm', 'chalk', '5.6.0'), [], 'a range is not an exact match');
  }));

  test('feeds: a summary with a NUL or half a surrogate pair is kept as both stores can keep it (U+FFFD), the record not lost', using(make, async (store) => {
    // PostgreSQL's text cannot hold a NUL: the whole import failed there, where SQLite kept it.
    const odd = advisory({ id: 'MAL-2025-00002', name: 'odd', summary: `bad\u0000byte, lone \ud800, cut ${'x'.repeat(4073)}\u{1F600}` });
    assert.deepEqual(await store.putAdvisories([odd]), { added: 1, updated: 0, unchanged: 0 });
    const [kept] = await store.advisoriesFor('npm', 'odd');
    // 4,096 code units would end in the emoji's first half: it is left out.
    assert.equal(kept?.summary, `bad\ufffdbyte, lone \ufffd, cut ${'x'.repeat(4073)}`);
  }));

  test('feeds: re-imports are idempotent; newer records replace versions; older ones are ignored', using(make, async (store, fixture) => {
    const v1 = advisory();
    await store.putAdvisories([v1]);
    const rev1 = await store.feedRevision();
    assert.deepEqual(await store.putAdvisories([v1]), { added: 0, updated: 0, unchanged: 1 });
    assert.equal(await store.feedRevision(), rev1, 'no change, no new revision');

    const v2 = advisory({ versions: ['4.4.3'], modified: new Date('2025-09-20T00:00:00Z') });
    assert.deepEqual(await store.putAdvisories([v2]), { added: 0, updated: 1, unchanged: 0 });
    assert.ok((await store.feedRevision()) > rev1);
    assert.deepEqual(await store.advisoriesForVersion('npm', 'debug', '4.4.2'), []);
    assert.deepEqual(ids(await store.advisoriesForVersion('npm', 'debug', '4.4.3')), [v2.id]);

    const stale = advisory({ versions: ['1.0.0'], modified: new Date('2025-01-01T00:00:00Z') });
    assert.deepEqual(await store.putAdvisories([stale]), { added: 0, updated: 0, unchanged: 1 });
    const peer = await fixture.openPeer();
    assert.equal(await peer.feedRevision(), await store.feedRevision(), 'the revision is shared');
  }));

  test('feeds: withdrawn records stop matching; one record may name several packages', using(make, async (store) => {
    await store.putAdvisories([
      advisory({ id: 'MAL-2025-7', name: 'nx', versions: ['21.5.0'] }),
      advisory({ id: 'MAL-2025-7', name: '@nx/key', versions: ['3.2.0'] }),
    ]);
    assert.deepEqual(ids(await store.advisoriesForVersion('npm', '@nx/key', '3.2.0')), ['MAL-2025-7']);
    await store.putAdvisories([advisory({ id: 'MAL-2025-7', name: 'nx', versions: ['21.5.0'], withdrawn: at(0), modified: at(0) })]);
    assert.deepEqual(await store.advisoriesForVersion('npm', 'nx', '21.5.0'), []);
    assert.deepEqual(await store.advisoriesFor('npm', 'nx'), []);
    assert.equal((await store.advisoriesFor('npm', '@nx/key')).length, 1);
  }));

  test('feeds: a vulnerability keeps its kind and severity; a later version of the record replaces them', using(make, async (store) => {
    const severity = { level: 'critical', score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' };
    const vuln = advisory({ source: 'osv', id: 'GHSA-xvch-5gv4-984h', kind: 'vulnerability', severity, name: 'minimist', versions: [], ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.2.4' }] }] });
    await store.putAdvisories([advisory(), vuln]);
    const [got] = await store.advisoriesFor('npm', 'minimist');
    assert.equal(got?.kind, 'vulnerability');
    assert.deepEqual(got?.severity, severity);
    assert.equal((await store.advisoriesFor('npm', 'debug'))[0]?.kind, 'malicious');
    assert.equal((await store.advisoriesFor('npm', 'debug'))[0]?.severity, null);
    const lowered = { ...severity, level: 'high', score: 7.5 };
    await store.putAdvisories([advisory({ ...vuln, severity: lowered, modified: new Date('2025-10-01T00:00:00Z'), provenance: { ...vuln.provenance, sha256: 'b'.repeat(64) } })]);
    assert.deepEqual((await store.advisoriesFor('npm', 'minimist'))[0]?.severity, lowered);
  }));

  test('feeds: the packages advisories of a kind name, each once, without withdrawn ones', using(make, async (store) => {
    assert.deepEqual(await store.advisoryPackages('vulnerability'), []);
    const vuln = (id: string, ecosystem: 'npm' | 'pypi', name: string, withdrawn: Date | null = null) =>
      advisory({ source: 'osv', id, kind: 'vulnerability', severity: { level: 'high', score: null, vector: null }, ecosystem, name, withdrawn });
    await store.putAdvisories([advisory(), vuln('GHSA-1', 'npm', 'qs'), vuln('GHSA-2', 'npm', 'qs'), vuln('PYSEC-1', 'pypi', 'jinja2'), vuln('GHSA-3', 'npm', 'gone', at(0)), vuln('GHSA-4', 'npm', 'Axios')]);
    assert.deepEqual(await store.advisoryPackages('vulnerability'), [
      { ecosystem: 'npm', name: 'Axios' },
      { ecosystem: 'npm', name: 'qs' },
      { ecosystem: 'pypi', name: 'jinja2' },
    ]);
    assert.deepEqual(await store.advisoryPackages('malicious'), [{ ecosystem: 'npm', name: 'debug' }]);
  }));

  test('feeds: one invalid advisory refuses the whole batch', using(make, async (store) => {
    await rejectsWithCode(store.putAdvisories([advisory(), advisory({ id: 'X', ecosystem: 'cargo' as never })]), 'BAD_REQUEST');
    await rejectsWithCode(store.putAdvisories([advisory({ provenance: { origin: 'x', sha256: 'nope', importId: 'i' } })]), 'BAD_REQUEST');
    await rejectsWithCode(store.putAdvisories([advisory({ versions: [''] })]), 'BAD_REQUEST');
    await rejectsWithCode(store.putAdvisories([advisory({ kind: 'exploit' as never })]), 'BAD_REQUEST');
    await rejectsWithCode(store.putAdvisories([advisory({ severity: { level: 'high' } })]), 'BAD_REQUEST');
    assert.deepEqual(await store.advisoriesFor('npm', 'debug'), []);
    assert.equal(await store.feedRevision(), 0);
  }));

  test('feeds: imports are recorded with provenance and listed newest first', using(make, async (store) => {
    const imports: FeedImport[] = Array.from({ length: 5 }, (_, i) => ({
      id: `imp-${i}`,
      source: 'ossf-malicious-packages',
      origin: `/data/osv-${i}.zip`,
      importedAt: at(i * 1000),
      importedBy: 'cli',
      added: i,
      updated: 0,
      unchanged: 1,
      rejected: 0,
    }));
    for (const imp of imports) await store.recordFeedImport(imp);
    const first = await store.listFeedImports({ limit: 3 });
    assert.ok(first.nextCursor !== null);
    const second = await store.listFeedImports({ limit: 3, cursor: first.nextCursor });
    assert.deepEqual([...first.items, ...second.items], [...imports].reverse());
    assert.equal(second.nextCursor, null);
    await rejectsWithCode(store.recordFeedImport(imports[0] as FeedImport), 'CONFLICT');
  }));
}

export function factCacheCases(make: MakeSignalFixture): void {
  test('fact cache: entries expire, replace, and clear by namespace', using(make, async (store) => {
    const entry = { namespace: 'facts', key: 'pkg:npm/debug@4.4.2', value: { malicious: true }, computedAt: at(0), expiresAt: at(60_000) };
    assert.equal(await store.getCached('facts', entry.key, at(0)), null);
    await store.putCached(entry);
    assert.deepEqual(await store.getCached('facts', entry.key, at(59_999)), entry);
    assert.equal(await store.getCached('facts', entry.key, at(60_000)), null, 'expired at its expiry instant');
    assert.equal(await store.getCached('verdicts', entry.key, at(0)), null, 'namespaces are separate');
    const replaced = { ...entry, value: { malicious: false }, expiresAt: at(120_000) };
    await store.putCached(replaced);
    assert.deepEqual(await store.getCached('facts', entry.key, at(60_000)), replaced);
    await store.putCached({ ...entry, namespace: 'verdicts' });
    await store.putCached({ ...entry, key: 'other', expiresAt: at(10) });
    assert.equal(await store.purgeExpired(at(60_000)), 2, 'the verdict and the short-lived entry');
    assert.equal(await store.clearCached('facts'), 1);
    await store.putCached(entry);
    await store.putCached({ ...entry, namespace: 'verdicts' });
    assert.equal(await store.clearCached(), 2);
    await rejectsWithCode(store.putCached({ ...entry, expiresAt: new Date(Number.NaN) }), 'BAD_REQUEST');
  }));

  test('fact cache: a key is kept as it was made, a NUL that parts its fields too (the served ledger\'s keys), each key its own entry', using(make, async (store) => {
    // PostgreSQL's text cannot hold a NUL: there, every served ledger write failed with 22021.
    const keys = ['npm\u0000npm\u0000debug', 'npm\\0npm\\0debug', 'npm\\npm\\debug', 'npm\\\u0000debug'];
    for (const [i, key] of keys.entries()) await store.putCached({ namespace: 'served', key, value: { i }, computedAt: at(0), expiresAt: at(60_000) });
    for (const [i, key] of keys.entries()) assert.deepEqual(await store.getCached('served', key, at(1)), { namespace: 'served', key, value: { i }, computedAt: at(0), expiresAt: at(60_000) }, JSON.stringify(key));
    assert.equal(await store.clearCached('served'), keys.length);
  }));
}
