import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashString } from './hash-table.ts';
import { IdLookup, PairSet } from './lookups.ts';

/** Two keys whose hashes collide under salt 2 (found by a birthday search). */
const COLLIDING = ['bbpppltq', 'wkmxnprn'] as const;

function lookupOf(keys: readonly (readonly string[])[], salt: number): IdLookup {
  const builder = IdLookup.builder(salt);
  keys.forEach((list, id) => list.forEach((k, which) => builder.add(k, id, which)));
  return builder.build(keys.length, (id, which, key) => keys[id]?.[which] === key);
}

test('a hash collision costs a verification, never a wrong answer', () => {
  assert.equal(hashString(COLLIDING[0], 2), hashString(COLLIDING[1], 2), 'the test keys must collide; find a new pair if the hash changed');
  const lookup = lookupOf([[COLLIDING[0]], [COLLIDING[1]], [COLLIDING[0], 'other']], 2);
  assert.deepEqual(lookup.get(COLLIDING[0]), [0, 2]);
  assert.deepEqual(lookup.get(COLLIDING[1]), [1]);
  assert.deepEqual(lookup.unverified(COLLIDING[1]), [0, 1, 2]);
  assert.equal(lookup.count(COLLIDING[0], 5), 2);
  assert.equal(lookup.count(COLLIDING[0], 1), 1);
  assert.ok(lookup.has('other') && !lookup.has('absent'));
});

test('ids come back ascending and once each, however many keys an entry repeats', () => {
  const keys = Array.from({ length: 3000 }, (_, id) => [`w${id % 7}`, `w${id % 7}`, `n${id}`]);
  const lookup = lookupOf(keys, 9);
  const expected = keys.map((_, id) => id).filter((id) => id % 7 === 3);
  assert.deepEqual(lookup.get('w3'), expected);
  assert.equal(lookup.count('w3', Infinity), expected.length);
  assert.deepEqual(lookup.get('n2999'), [2999]);
  assert.deepEqual(lookup.get('nothing'), []);
});

test('legitimate pairs: either order, exact strings', () => {
  const pairs = PairSet.build([['react', 'preact'], ['uuid', 'uid'], ['same', 'same']]);
  assert.ok(pairs.has('react', 'preact') && pairs.has('preact', 'react') && pairs.has('uid', 'uuid') && pairs.has('same', 'same'));
  assert.ok(!pairs.has('react', 'uid') && !pairs.has('react', 'react') && !pairs.has('preac', 'react'));
});
