/**
 * A policy's reasons as typed data: strings, or objects with a message whose other fields travel
 * along as details, each field whatever its name (OPA's objects have no reserved keys).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reasonsFromValue } from './reasons.ts';
import { RSet, fromJSON } from '../rego/value.ts';

test('reasons: an object entry keeps every other field as a detail, one named __proto__ too', () => {
  const entry = fromJSON(JSON.parse('{"msg": "held", "id": "r1", "__proto__": {"from": "input"}, "score": 3}'));
  const [reason] = reasonsFromValue(RSet.of([entry]), 'deny');
  assert.equal(reason?.message, 'held');
  assert.equal(reason?.rule, 'r1');
  assert.equal(JSON.stringify(reason?.details), '{"__proto__":{"from":"input"},"score":3}');
  assert.equal(Object.getPrototypeOf(reason?.details), Object.prototype);
  const [onlyThat] = reasonsFromValue([fromJSON(JSON.parse('{"message": "m", "__proto__": 1}'))], 'warn');
  assert.deepEqual(Object.entries(onlyThat?.details ?? {}), [['__proto__', 1]]);
});
