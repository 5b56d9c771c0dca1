/** The token bucket per client address: a burst, then the refill rate; Retry-After in whole seconds; the addresses tracked capped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limit.ts';

test('a burst at once, then one request per refill interval, each refused one told when to come back', () => {
  let now = 1_000_000;
  const limiter = new RateLimiter({ perMinute: 30, burst: 3, clients: 100 }, () => now);
  for (let i = 0; i < 3; i++) assert.deepEqual(limiter.take('10.0.0.1'), { allowed: true });
  assert.deepEqual(limiter.take('10.0.0.1'), { allowed: false, retryAfterSeconds: 2, first: true }, '30 a minute: one every 2 s');
  assert.deepEqual(limiter.take('10.0.0.2'), { allowed: true }, 'another address has its own bucket');
  now += 1_000;
  assert.deepEqual(limiter.take('10.0.0.1'), { allowed: false, retryAfterSeconds: 1, first: false }, 'half a request refilled: a second to go');
  now += 1_000;
  assert.deepEqual(limiter.take('10.0.0.1'), { allowed: true });
  assert.equal(limiter.take('10.0.0.1').allowed, false);
  // A long pause refills up to the burst, not beyond.
  now += 3_600_000;
  for (let i = 0; i < 3; i++) assert.equal(limiter.take('10.0.0.1').allowed, true);
  assert.equal(limiter.take('10.0.0.1').allowed, false);
});

test('a slow rate: Retry-After rounds up to whole seconds', () => {
  const now = 0;
  const limiter = new RateLimiter({ perMinute: 7, burst: 1, clients: 100 }, () => now);
  assert.equal(limiter.take('a').allowed, true);
  assert.deepEqual(limiter.take('a'), { allowed: false, retryAfterSeconds: 9, first: true }, '60/7 = 8.57 s');
});

test('a request may cost several (a batch): spent whole or refused whole, told when its cost is refilled', () => {
  let now = 0;
  const limiter = new RateLimiter({ perMinute: 60, burst: 10, clients: 100 }, () => now);
  assert.deepEqual(limiter.take('a', 8), { allowed: true });
  assert.deepEqual(limiter.take('a', 5), { allowed: false, retryAfterSeconds: 3, first: true }, '2 left, 3 more at one a second');
  assert.deepEqual(limiter.take('a', 2), { allowed: true }, 'the refused batch spent nothing');
  now = 3000;
  assert.deepEqual(limiter.take('a', 3), { allowed: true });
});

test('memory is bounded: past the cap the least recently seen address is dropped (and comes back with a full bucket)', () => {
  const now = 0;
  const limiter = new RateLimiter({ perMinute: 1, burst: 1, clients: 100 }, () => now);
  assert.equal(limiter.take('first').allowed, true);
  assert.equal(limiter.take('first').allowed, false);
  for (let i = 0; i < 10_000; i++) limiter.take(`198.51.${i >> 8}.${i & 255}`);
  assert.equal(limiter.tracked, 100);
  assert.equal(limiter.take('first').allowed, true, 'forgotten');
});

test('a spell of refusals is announced once: the first refusal after an allowed request says so, the rest do not', () => {
  let now = 0;
  const limiter = new RateLimiter({ perMinute: 60, burst: 1, clients: 100 }, () => now);
  const firsts = (): (boolean | null)[] => {
    const d = limiter.take('a');
    return [d.allowed ? null : d.first];
  };
  const seen = [...firsts(), ...firsts(), ...firsts(), ...firsts()];
  now += 1000;
  seen.push(...firsts(), ...firsts(), ...firsts());
  assert.deepEqual(seen, [null, true, false, false, null, true, false]);
  assert.deepEqual(limiter.take('b'), { allowed: true }, 'each address has its own spell');
});
