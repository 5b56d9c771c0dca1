import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { releaseBytes, releaseLastView } from './release-bytes.ts';

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
