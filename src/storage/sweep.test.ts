import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makePurl, type Sha256Digest } from '../core/index.ts';
import { openStorage, storeStream, sweepBlobs, type Storage } from './index.ts';

const DAY = 86_400_000;

async function withStorage(body: (s: Storage) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-sweep-'));
  const storage = await openStorage({ dataDir });
  try {
    await body(storage);
  } finally {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

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
  withStorage(async (s) => {
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
