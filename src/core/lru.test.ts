import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lru } from './lru.ts';

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
