import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { createServer, get } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { HeldBuffers, releaseBytes, releaseChunk, releaseLastView, wasReleased } from './release-bytes.ts';

test('an owned allocation is freed at once; pooled, shared and small ones are left alone', () => {
  const owned = Buffer.allocUnsafeSlow(Buffer.poolSize * 2).fill(1);
  assert.equal(releaseBytes(owned.subarray(0, 10)), true);
  assert.equal(owned.buffer.detached, true);
  assert.equal(owned.length, 0, 'a freed buffer reads as empty');
  assert.equal(releaseBytes(owned), false, 'already freed');

  const neighbour = Buffer.from('still here');
  const pooled = Buffer.allocUnsafe(100);
  assert.equal(pooled.buffer, neighbour.buffer, 'both come from the small-buffer pool');
  assert.equal(releaseBytes(pooled), false);
  assert.equal(neighbour.toString(), 'still here');

  const big = Buffer.allocUnsafeSlow(Buffer.poolSize * 2);
  assert.equal(releaseBytes(big.subarray(1)), false, 'a view that does not start its allocation');
  assert.equal(releaseBytes(Buffer.allocUnsafeSlow(1024)), false, 'not worth it');
  assert.equal(big.buffer.detached, false);
});

test('the last view of an allocation frees it; earlier views and other sizes do not', () => {
  const size = Buffer.poolSize * 2;
  const alloc = Buffer.allocUnsafeSlow(size);
  assert.equal(releaseLastView(alloc.subarray(0, 100), size), false);
  assert.equal(releaseLastView(alloc.subarray(100), size * 2), false, 'not the allocation size the caller expects');
  assert.equal(alloc.buffer.detached, false);
  assert.equal(releaseLastView(alloc.subarray(100), size), true);
  assert.equal(alloc.buffer.detached, true);
});

test("zlib streams fill each output buffer slice by slice and never touch a full one again (the invariant releaseLastView relies on)", async () => {
  const chunk = 128 * 1024;
  // Compressible and incompressible stretches, so output slices come in many sizes.
  const plain = Buffer.concat(Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? randomBytes(50_000 + i * 997) : Buffer.alloc(90_000 + i * 1_231, i))));
  const gz = gzipSync(plain);
  const pieces: Buffer[] = [];
  for (let i = 0; i < gz.length; i += 5_000) pieces.push(gz.subarray(i, i + 5_000));
  const hash = createHash('sha256');
  let released = 0;
  for await (const out of Readable.from(pieces).pipe(createGunzip({ chunkSize: chunk })) as AsyncIterable<Buffer>) {
    hash.update(out);
    if (releaseLastView(out, chunk)) released++;
  }
  assert.equal(hash.digest('hex'), createHash('sha256').update(plain).digest('hex'), 'every byte arrived intact after earlier buffers were freed');
  assert.ok(released >= Math.floor(plain.length / chunk) - 1, `released ${released} of about ${Math.floor(plain.length / chunk)} output buffers`);
});

test('a chunk spanning its whole allocation is freed; pool slices, shared reads and tiny chunks are not', () => {
  const own = Buffer.allocUnsafeSlow(16 * 1024);
  assert.equal(releaseChunk(own), true);
  assert.equal(own.buffer.detached, true);
  assert.equal(releaseChunk(own), false, 'already freed');

  // An 8 KiB slice of the small-buffer pool and a neighbour in the same pool.
  let pooled: Buffer;
  let neighbour: Buffer;
  do {
    pooled = Buffer.allocUnsafe(8192);
    neighbour = Buffer.from('still here');
  } while (pooled.buffer !== neighbour.buffer);
  assert.equal(releaseChunk(pooled), false);
  assert.equal(neighbour.toString(), 'still here');

  const read = Buffer.allocUnsafeSlow(64 * 1024);
  assert.equal(releaseChunk(read.subarray(0, 32 * 1024)), false, 'the first half of a bigger read');
  assert.equal(releaseChunk(read.subarray(32 * 1024)), false, 'the second half');
  assert.equal(read.buffer.detached, false);
  assert.equal(releaseChunk(Buffer.allocUnsafeSlow(1024)), false, 'not worth it');
});

test("an HTTP client body chunk is the consumer's own: freeing each as it is read leaves every later byte intact", async () => {
  const body = randomBytes(3 * 1024 * 1024);
  const server = createServer((_req, res) => {
    res.setHeader('content-length', body.length);
    let at = 0;
    const next = (): void => {
      while (at < body.length) {
        const piece = body.subarray(at, at + 100_000);
        at += piece.length;
        if (!res.write(piece)) return void res.once('drain', next);
      }
      res.end();
    };
    next();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, resolve).on('error', reject);
    });
    const hash = createHash('sha256');
    let freed = 0;
    let seen = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      hash.update(chunk);
      seen += chunk.length;
      if (releaseChunk(chunk)) freed++;
    }
    assert.equal(seen, body.length);
    assert.equal(hash.digest('hex'), createHash('sha256').update(body).digest('hex'));
    assert.ok(freed > 0, 'Node copies body pieces into allocations of their own');
  } finally {
    server.close();
  }
});

test('a held buffer is freed when its last holder lets go, not before; one never held is never freed', () => {
  const held = new HeldBuffers();
  const doc = Buffer.allocUnsafeSlow(Buffer.poolSize * 4).fill(7);
  assert.equal(held.hold(doc), true, 'first holder');
  assert.equal(held.hold(doc), false, 'second holder');
  held.letGo(doc);
  assert.equal(wasReleased(doc), false, 'one holder left');
  assert.equal(doc[0], 7);
  held.letGo(doc);
  assert.equal(wasReleased(doc), true, 'the last holder freed it');
  held.letGo(doc); // no longer tracked: nothing happens
  assert.equal(held.hold(doc), true, 'a freed buffer held again is tracked afresh');

  const stranger = Buffer.allocUnsafeSlow(Buffer.poolSize * 4);
  held.letGo(stranger);
  assert.equal(wasReleased(stranger), false, 'never held, never freed');
});
