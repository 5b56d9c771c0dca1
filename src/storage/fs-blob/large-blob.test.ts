import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { storeStream } from '../ports/index.ts';
import { openFsBlobStore } from './fs-blob-store.ts';

const MB = 1024 * 1024;
const TOTAL = 200 * MB;

/** 200 MB of distinct content without holding it: a random block with the chunk index stamped in. */
function* content(block: Buffer): Generator<Buffer> {
  for (let i = 0; i < TOTAL / MB; i++) {
    const chunk = Buffer.from(block);
    chunk.writeUInt32BE(i, 0);
    yield chunk;
  }
}

test('a 200 MB blob streams in, verifies against every digest and streams back identical (ranges too)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-large-'));
  try {
    const block = randomBytes(MB);
    const expected = { sha256: createHash('sha256'), sha512: createHash('sha512'), sha1: createHash('sha1') };
    for (const chunk of content(block)) for (const h of Object.values(expected)) h.update(chunk);
    const want = { sha256: expected.sha256.digest('hex'), sha512: expected.sha512.digest('hex'), sha1: expected.sha1.digest('hex') };

    const store = await openFsBlobStore({ dataDir });
    const blob = await storeStream(store, Readable.from(content(block)), {
      maxBytes: TOTAL,
      expect: { size: TOTAL, ...want },
    });
    assert.equal(blob.size, TOTAL);
    assert.deepEqual(blob.digests, want);

    const back = createHash('sha256');
    let read = 0;
    const stream = await store.open(blob.digest);
    assert.ok(stream !== null);
    for await (const chunk of stream) {
      back.update(chunk as Buffer);
      read += (chunk as Buffer).byteLength;
    }
    assert.equal(read, TOTAL);
    assert.equal(back.digest('hex'), want.sha256);

    // A range that spans two stamped chunks, near the end of the blob.
    const start = 150 * MB - 2;
    const ranged = await store.open(blob.digest, { start, end: start + 5 });
    assert.ok(ranged !== null);
    const parts: Buffer[] = [];
    for await (const chunk of ranged) parts.push(chunk as Buffer);
    const expectedRange = Buffer.concat([block.subarray(MB - 2), Buffer.alloc(4)]);
    expectedRange.writeUInt32BE(150, 2);
    assert.deepEqual(Buffer.concat(parts), expectedRange);
    await store.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
