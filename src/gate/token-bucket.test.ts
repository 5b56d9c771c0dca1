import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.ts';

test('token bucket: a burst, then the steady rate', () => {
  const b = new TokenBucket({ burst: 3, perSecond: 2 }, 0);
  assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
  assert.equal(b.take(400), false, '0.8 tokens');
  assert.equal(b.take(500), true, 'one token after half a second');
  assert.deepEqual([b.take(100_000), b.take(100_000), b.take(100_000), b.take(100_000)], [true, true, true, false], 'refills up to the burst only');
});
