import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BigNum } from './number.ts';
import { compareValues, fromJSON, RObject, RSet, settle, toJS, toJSONText, valuesEqual, type Value } from './value.ts';
import { regoText } from './value-text.ts';

test('lazy JSON objects read fields on demand and materialise for ordered views', () => {
  const src = { b: 2, a: { x: [1, { y: true }] }, skip: undefined };
  const o = fromJSON(src) as RObject;
  assert.equal(o.get('b'), 2);
  assert.equal(o.get('constructor'), undefined);
  assert.equal(o.get('toString'), undefined);
  assert.equal(o.get('__proto__'), undefined);
  assert.equal(o.has('skip'), false);
  assert.equal(o.size, 2);
  const a1 = o.get('a');
  assert.equal(o.get('a'), a1, 'repeated reads return the same value');
  assert.deepEqual(o.sortedKeys(), ['a', 'b']);
  assert.deepEqual(o.sortedValues()[1], 2);
  assert.equal(o.get('a'), a1, 'materialising keeps converted children');
  const fresh = fromJSON({ z: 1, y: 2 }) as RObject;
  assert.deepEqual(fresh.sortedValues(), [2, 1]);
  assert.equal(toJSONText(fromJSON({ k: [1, 'x'] })), '{"k":[1,"x"]}');
});

test('a key named __proto__ is a key like any other, as in OPA: kept by the conversions in and out', () => {
  const v = fromJSON(JSON.parse('{"__proto__": {"x": 1}, "a": 2}'));
  assert.equal(toJSONText(v), '{"__proto__":{"x":1},"a":2}');
  assert.equal(JSON.stringify(toJS(v)), '{"__proto__":{"x":1},"a":2}');
  assert.equal(Object.getPrototypeOf(toJS(v)), Object.prototype);
});

test('settle detaches results from their JSON source', () => {
  const src = { a: { b: 1 } };
  const v = settle(fromJSON(src));
  src.a.b = 2;
  assert.deepEqual(toJS(v), { a: { b: 1 } });
});

test('OPA ordering: null < boolean < number < string < array < object < set', () => {
  const vals: Value[] = [RSet.of([1]), fromJSON({ a: 1 }), [1], 'a', 1, true, null];
  const sorted = [...vals].sort(compareValues);
  assert.deepEqual(sorted.map(regoText), ['null', 'true', '1', '"a"', '[1]', '{"a": 1}', '{1}']);
  assert.ok(compareValues(new BigNum(1n, 30), 1e20) > 0);
  assert.ok(valuesEqual(fromJSON({ a: [1, 2] }), RObject.fromEntries([['a', [1, 2]]])));
  assert.ok(valuesEqual(RSet.of([2, 1]), RSet.of([1, 2])));
});

test('rego text of values', () => {
  assert.equal(regoText(fromJSON({ b: [1, 'x'], a: null })), '{"a": null, "b": [1, "x"]}');
  assert.equal(regoText(new RSet()), 'set()');
  assert.equal(regoText(RSet.of(['b', 'a'])), '{"a", "b"}');
});
