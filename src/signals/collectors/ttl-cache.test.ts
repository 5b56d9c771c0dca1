import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheFill } from '../../core/index.ts';
import { TtlCache } from './ttl-cache.ts';

test('TtlCache counts the entries it pushes out for room, and not those expired, replaced or cleared', () => {
  const cache = new TtlCache<string, number>(3, 1000, (v) => v);
  cache.set('a', 1, 0);
  cache.set('a', 2, 0); // replaced
  cache.set('b', 1, 0);
  assert.equal(cache.get('b', 5000), undefined); // expired
  assert.equal(cache.evictions, 0);
  cache.set('c', 1, 0); // 2 + 1 = 3: fits
  cache.set('d', 2, 0); // 5: a goes, then 3
  assert.deepEqual([cache.get('a', 0), cache.evictions, cache.weight, cache.size], [undefined, 1, 3, 2]);
  cache.clear();
  assert.equal(cache.evictions, 1);
  // A count bound sized from bytes reads as those bytes.
  cache.set('e', 2, 0);
  assert.deepEqual(cacheFill(cache, 80), { bytes: 160, budgetBytes: 240, entries: 1, evictions: 1 });
});
