import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../test/support/seeded-random.ts';
import { cacheFill, Lru } from './lru.ts';

test('Lru tells of every value that leaves, and of none it did not keep', () => {
  const dropped: string[] = [];
  const lru = new Lru<string, string>(10, (v) => v.length, (v) => dropped.push(v));
  assert.equal(lru.set('a', 'aaaa'), true);
  assert.equal(lru.set('b', 'bbbb'), true);
  assert.equal(lru.set('c', 'cccc'), true); // 12 bytes: the least recently used goes
  assert.deepEqual(dropped, ['aaaa']);
  assert.equal(lru.set('big', 'x'.repeat(11)), false); // larger than the whole budget: not kept
  assert.deepEqual(dropped, ['aaaa']);
  lru.set('b', 'BB'); // replaced
  assert.deepEqual(dropped, ['aaaa', 'bbbb']);
  assert.equal(lru.delete('c'), true);
  assert.equal(lru.delete('c'), false);
  assert.deepEqual(dropped, ['aaaa', 'bbbb', 'cccc']);
  lru.set('d', 'dd');
  lru.clear();
  assert.deepEqual(dropped.slice(3).sort(), ['BB', 'dd']);
  assert.equal(lru.weight, 0);
});

test('Lru without weights is bounded by its number of entries, the least recently used going first', () => {
  const lru = new Lru<string, number>(2);
  lru.set('a', 1);
  lru.set('b', 2);
  assert.equal(lru.get('a'), 1); // a is now the most recently used
  lru.set('c', 3);
  assert.deepEqual([lru.peek('a'), lru.peek('b'), lru.peek('c')], [1, undefined, 3]);
  assert.equal(lru.size, 2);
  assert.equal(lru.weight, 2);
});

test('Lru counts the entries it pushes out for room, and not those deleted, replaced, cleared or never kept', () => {
  const sizes = new Map<string, number>();
  const lru = new Lru<string, string>(10, (v) => sizes.get(v) ?? v.length);
  lru.set('a', 'aaaa');
  lru.set('b', 'bbbb');
  lru.set('b', 'BBBB'); // replaced
  lru.delete('a');
  lru.set('huge', 'x'.repeat(11)); // not kept
  assert.equal(lru.evictions, 0);
  lru.set('c', 'cccc');
  lru.set('d', 'dddd'); // 12: b goes
  assert.equal(lru.evictions, 1);
  sizes.set('dddd', 9);
  lru.resize('d'); // 13: c goes
  assert.deepEqual([lru.peek('c'), lru.evictions, lru.weight], [undefined, 2, 9]);
  lru.set('e', 'eeeeeeeeee'); // 10 alone: d goes to make room
  assert.equal(lru.evictions, 3);
  lru.clear();
  assert.equal(lru.evictions, 3);
  assert.equal(lru.max, 10);
});

test('cacheFill reads a byte-weighed cache as it is, and one bounded by a count in the bytes each entry was budgeted', () => {
  const bytes = new Lru<string, string>(10, (v) => v.length);
  bytes.set('a', 'aaaa');
  bytes.set('b', 'bbbbbbb');
  assert.deepEqual(cacheFill(bytes), { bytes: 7, budgetBytes: 10, entries: 1, evictions: 1 });
  const counted = new Lru<string, number>(3);
  counted.set('a', 1);
  counted.set('b', 2);
  assert.deepEqual(cacheFill(counted, 100), { bytes: 200, budgetBytes: 300, entries: 2, evictions: 0 });
});

test('Lru evicts as a plain least-recently-used list does, over random gets, sets, deletes and clears of a few keys', () => {
  const random = seededRandom(20261126);
  const lru = new Lru<string, number>(40, (v) => v);
  // The reference: keys from least to most recently used, with their weights.
  let order: [string, number][] = [];
  const weight = (): number => order.reduce((n, [, w]) => n + w, 0);
  for (let step = 0; step < 5000; step++) {
    const key = `k${Math.floor(random() * 6)}`;
    const op = random();
    if (op < 0.5) {
      const at = order.findIndex(([k]) => k === key);
      const want = at === -1 ? undefined : (order[at] as [string, number])[1];
      if (at !== -1) order.push(...order.splice(at, 1));
      assert.equal(lru.get(key), want, `step ${step}: get ${key}`);
    } else if (op < 0.9) {
      const w = 1 + Math.floor(random() * 45);
      order = order.filter(([k]) => k !== key);
      if (w <= 40) {
        order.push([key, w]);
        while (weight() > 40) order.shift();
      }
      assert.equal(lru.set(key, w), w <= 40, `step ${step}: set ${key}`);
    } else if (op < 0.98) {
      const had = order.some(([k]) => k === key);
      order = order.filter(([k]) => k !== key);
      assert.equal(lru.delete(key), had, `step ${step}: delete ${key}`);
    } else {
      order = [];
      lru.clear();
    }
    assert.equal(lru.weight, weight(), `step ${step}: weight`);
    assert.deepEqual(order.map(([k]) => lru.peek(k)), order.map(([, w]) => w), `step ${step}: entries`);
    assert.equal(lru.size, order.length, `step ${step}: size`);
  }
});
