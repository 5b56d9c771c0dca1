import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutShort, jsonKind, nestsDeeper, ownMember, setMember, shownJson } from './plain-object.ts';

const deepList = (): unknown => JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);

test('jsonKind names the kind of a JSON value, never calling anything of it', () => {
  assert.deepEqual([undefined, null, [], {}, 'x', 1, true].map(jsonKind), ['missing', 'null', 'list', 'object', 'string', 'number', 'boolean']);
  assert.equal(jsonKind({ toString: 1 }), 'object');
  assert.equal(jsonKind(deepList()), 'list');
});

test('nestsDeeper counts objects and lists, a scalar as 0 levels, and measures any depth', () => {
  assert.equal(nestsDeeper('x', 0), false);
  assert.equal(nestsDeeper([], 0), true);
  assert.equal(nestsDeeper([], 1), false);
  assert.equal(nestsDeeper({ a: [{ b: 1 }] }, 3), false);
  assert.equal(nestsDeeper({ a: [{ b: 1 }] }, 2), true);
  assert.equal(nestsDeeper(deepList(), 64), true);
  assert.equal(nestsDeeper(deepList(), 100_000), false);
});

test('cutShort cuts to the limit with … and never splits a surrogate pair', () => {
  assert.equal(cutShort('abc', 3), 'abc');
  assert.equal(cutShort('abcd', 3), 'abc…');
  assert.equal(cutShort('ab😀', 3), 'ab…');
  assert.equal(cutShort('a😀b', 3), 'a😀…');
});

test('shownJson quotes a string cut short, and names anything else by its kind', () => {
  assert.equal(shownJson('x'.repeat(1_000_000), 4), '"xxxx…"');
  assert.equal(shownJson('a"b', 10), '"a\\"b"');
  assert.deepEqual([undefined, null, {}, { toString: 1 }, [1], 7, false].map((v) => shownJson(v, 10)), ['nothing', 'null', 'an object', 'an object', 'a list', 'a number', 'a boolean']);
  assert.equal(shownJson(deepList(), 10), 'a list');
});

test('ownMember reads own members only: what every object inherits is not one; setMember keeps __proto__ as one', () => {
  const table: Record<string, number> = { a: 1 };
  assert.deepEqual(['a', 'constructor', 'toString', '__proto__', 'b'].map((k) => ownMember(table, k)), [1, undefined, undefined, undefined, undefined]);
  setMember(table, '__proto__', 2);
  assert.equal(ownMember(table, '__proto__'), 2);
  assert.equal(Object.getPrototypeOf(table), Object.prototype);
});
