import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePurl, type Sha256Digest } from '../core/index.ts';
import { storeStream, sweepBlobs, type Storage } from './index.ts';
import { withTempStorage } from './testing/with-storage.ts';

const DAY = 86_400_000;

async function put(s: Storage, text: string): Promise<Sha256Digest> {
  const bytes = Buffer.from(text);
  return (await storeStream(s.blobs, [bytes], { maxBytes: bytes.length })).digest;
}

async function listed(s: Storage): Promise<Sha256Digest[]> {
  const out: Sha256Digest[] = [];
  for await (const b of s.blobs.list()) out.push(b.digest);
  return out.sort();
}

function document(key: string, blob: Sha256Digest) {
  return { repo: 'npm', key, blob, size: 1, contentType: 'application/json', etag: null, lastModified: null, fetchedAt: new Date() };
}

test('sweepBlobs: keeps what documents and artifacts refer to and what is young; removes the rest, a document’s replaced copy included', () =>
  withTempStorage(async (s) => {
    const oldDoc = await put(s, '{"name":"left-pad","v":1}');
    const newDoc = await put(s, '{"name":"left-pad","v":2}');
    const tarball = await put(s, 'tarball bytes');
    const stray = await put(s, 'nothing refers to me');
    await s.metadata.putDocument(document('packument:left-pad', oldDoc));
    // The upstream's packument changed: the row now names the new copy, the old one is left behind.
    await s.metadata.putDocument(document('packument:left-pad', newDoc));
    const purl = makePurl('npm', 'left-pad', '1.3.0');
    await s.metadata.putArtifact({ repo: 'npm', purl, ecosystem: 'npm', name: 'left-pad', version: '1.3.0', filename: 'left-pad-1.3.0.tgz', blob: tarball, size: 13, sha512: 'ab'.repeat(64), sha1: 'cd'.repeat(20), storedAt: new Date() });

    // Everything was committed just now: within a day's grace nothing goes.
    const fresh = await sweepBlobs(s.metadata, s.blobs, { graceMs: DAY, now: new Date(), dryRun: false });
    assert.deepEqual([fresh.referenced.count, fresh.young.count, fresh.removed.count], [2, 2, 0]);

    // Two days on: the unreferenced ones are old; a dry run only counts them.
    const later = new Date(Date.now() + 2 * DAY);
    const dry = await sweepBlobs(s.metadata, s.blobs, { graceMs: DAY, now: later, dryRun: true });
    assert.deepEqual([dry.referenced.count, dry.young.count, dry.removed.count], [2, 0, 2]);
    assert.equal(dry.removed.bytes, Buffer.byteLength('{"name":"left-pad","v":1}') + Buffer.byteLength('nothing refers to me'));
    assert.equal((await listed(s)).length, 4, 'a dry run removes nothing');

    const swept = await sweepBlobs(s.metadata, s.blobs, { graceMs: DAY, now: later, dryRun: false });
    assert.deepEqual([swept.referenced.count, swept.young.count, swept.removed.count], [2, 0, 2]);
    assert.deepEqual(await listed(s), [newDoc, tarball].sort());
    assert.ok(!(await listed(s)).includes(oldDoc) && !(await listed(s)).includes(stray));
    assert.equal((await sweepBlobs(s.metadata, s.blobs, { graceMs: DAY, now: later, dryRun: false })).removed.count, 0, 'nothing left to remove');
  }));

test('sweepBlobs keeps the chunks of an upload in progress however old, and lets them go once the session ends', () =>
  withTempStorage(async (s) => {
    const first = await put(s, 'first chunk of a layer');
    const second = await put(s, 'second chunk of a layer');
    const t0 = new Date();
    await s.metadata.createUploadSession({ id: 'u1', repo: 'images', name: 'team/app', rev: 1, parts: [], startedAt: t0, touchedAt: t0 });
    await s.metadata.updateUploadSession({ id: 'u1', repo: 'images', name: 'team/app', rev: 2, parts: [{ blob: first, size: 22 }, { blob: second, size: 23 }], startedAt: t0, touchedAt: t0 });
    const later = new Date(Date.now() + 2 * DAY);
    const kept = await sweepBlobs(s.metadata, s.blobs, { graceMs: DAY, now: later, dryRun: false });
    assert.deepEqual([kept.referenced.count, kept.removed.count], [2, 0]);
    assert.deepEqual(await listed(s), [first, second].sort());
    await s.metadata.deleteUploadSession('u1');
    const swept = await sweepBlobs(s.metadata, s.blobs, { graceMs: DAY, now: later, dryRun: false });
    assert.deepEqual([swept.referenced.count, swept.removed.count], [0, 2]);
    assert.deepEqual(await listed(s), []);
  }));

test('sweepBlobs with an artifact retention: evicts artifact bytes unused for longer, keeps recent downloads, documents and quarantined versions; records stay', () =>
  withTempStorage(async (s) => {
    const t0 = Date.now();
    const artifact = async (name: string, text: string, storedAt: number): Promise<Sha256Digest> => {
      const blob = await put(s, text);
      const purl = makePurl('npm', name, '1.0.0');
      await s.metadata.putArtifact({ repo: 'npm', purl, ecosystem: 'npm', name, version: '1.0.0', filename: `${name}-1.0.0.tgz`, blob, size: Buffer.byteLength(text), sha512: 'ab'.repeat(64), sha1: 'cd'.repeat(20), storedAt: new Date(storedAt) });
      return blob;
    };
    const unused = await artifact('unused', 'stored long ago, never downloaded since', t0 - 40 * DAY);
    const downloaded = await artifact('downloaded', 'stored long ago, downloaded yesterday', t0 - 40 * DAY);
    const recent = await artifact('recent', 'stored last week', t0 - 7 * DAY);
    const held = await artifact('held', 'stored long ago, under quarantine', t0 - 40 * DAY);
    const doc = await put(s, '{"name":"unused"}');
    await s.metadata.putDocument(document('packument:unused', doc));
    const stray = await put(s, 'nothing refers to me');
    await s.metadata.markBlobsUsed([downloaded], new Date(t0 - DAY));
    await s.metadata.openQuarantine({
      id: '01JQ0000000000000000000000', repo: 'npm', purl: makePurl('npm', 'held', '1.0.0'), ecosystem: 'npm', name: 'held', version: '1.0.0', state: 'quarantined',
      reasons: [{ message: 'new package', rule: 'test' }], facts: {}, createdAt: new Date(t0), updatedAt: new Date(t0), decidedBy: null, decidedAt: null, decisionReason: null, expiresAt: null, contentDigest: held,
    });

    // Without a retention every artifact stays, however old (the behaviour so far).
    const later = new Date(t0 + 2 * DAY);
    const plain = await sweepBlobs(s.metadata, s.blobs, { graceMs: DAY, now: later, dryRun: true });
    assert.deepEqual([plain.referenced.count, plain.removed.count, plain.evicted.count], [5, 1, 0]);

    const options = { graceMs: DAY, now: later, artifactRetentionMs: 30 * DAY };
    const dry = await sweepBlobs(s.metadata, s.blobs, { ...options, dryRun: true });
    assert.deepEqual([dry.referenced.count, dry.young.count, dry.removed.count, dry.evicted.count], [4, 0, 1, 1]);
    assert.equal(dry.evicted.bytes, Buffer.byteLength('stored long ago, never downloaded since'));
    assert.equal((await listed(s)).length, 6, 'a dry run removes nothing');

    const swept = await sweepBlobs(s.metadata, s.blobs, { ...options, dryRun: false });
    assert.deepEqual([swept.referenced.count, swept.removed.count, swept.evicted.count], [4, 1, 1]);
    assert.deepEqual(await listed(s), [downloaded, recent, held, doc].sort());
    assert.ok(!(await listed(s)).includes(stray) && !(await listed(s)).includes(unused));
    // The record stays: the next download fetches the bytes again and checks them against it.
    assert.equal((await s.metadata.getArtifact('npm', makePurl('npm', 'unused', '1.0.0'), 'unused-1.0.0.tgz'))?.blob, unused);

    // A grace period still protects bytes committed within it (a fetch whose record is not in yet).
    const again = await artifact('again', 'fetched again just now', t0 - 40 * DAY);
    const graced = await sweepBlobs(s.metadata, s.blobs, { graceMs: DAY, now: new Date(t0), artifactRetentionMs: 30 * DAY, dryRun: true });
    assert.equal(graced.evicted.count, 0);
    assert.ok(graced.young.count >= 1 && (await listed(s)).includes(again));
  }));

test('sweepBlobs keeps every file a hosted package lists, whatever the artifact retention, even bytes an evicted artifact record shares; orphans still go', () =>
  withTempStorage(async (s) => {
    const t0 = Date.now();
    const file = async (text: string) => ({ blob: await put(s, text), size: Buffer.byteLength(text) });
    const shared = await file('published tarball, also recorded as an artifact');
    const alone = await file('published tarball, nothing else refers to it');
    const dropped = await file('a file a later revision no longer lists');
    const stray = await put(s, 'nothing refers to me');
    // An artifact record of the same bytes, unused for longer than the retention: evicted, were it alone.
    const purl = makePurl('npm', '@acme/internal', '1.0.0');
    await s.metadata.putArtifact({ repo: 'npm', purl, ecosystem: 'npm', name: '@acme/internal', version: '1.0.0', filename: 'internal-1.0.0.tgz', blob: shared.blob, size: shared.size, sha512: 'ab'.repeat(64), sha1: 'cd'.repeat(20), storedAt: new Date(t0 - 40 * DAY) });
    const first = { repo: 'npm-hosted', ecosystem: 'npm' as const, name: '@acme/internal', rev: 1, document: '{"name":"@acme/internal"}', files: { 'internal-0.9.0.tgz': dropped, 'internal-1.0.0.tgz': shared }, updatedAt: new Date(t0 - 40 * DAY) };
    assert.equal(await s.metadata.putHostedPackage(first), true);
    assert.equal(await s.metadata.putHostedPackage({ ...first, rev: 2, files: { 'internal-1.0.0.tgz': shared, 'internal-1.1.0.tgz': alone } }), true);

    const options = { graceMs: DAY, now: new Date(t0 + 2 * DAY), artifactRetentionMs: 30 * DAY };
    const swept = await sweepBlobs(s.metadata, s.blobs, { ...options, dryRun: false });
    assert.deepEqual([swept.referenced.count, swept.young.count, swept.removed.count, swept.evicted.count], [2, 0, 2, 0]);
    assert.equal(swept.referenced.bytes, shared.size + alone.size);
    assert.deepEqual(await listed(s), [shared.blob, alone.blob].sort());
    assert.ok(!(await listed(s)).includes(stray) && !(await listed(s)).includes(dropped.blob), 'the orphan and the file no revision lists any more are gone');
  }));
