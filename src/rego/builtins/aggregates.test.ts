/**
 * Aggregates: count (code points), sum, product, max, min, sort.
 * Expected answers come from OPA (v0.70 as a development oracle); rows marked "newer OPA"
 * follow the behaviour the conformance suite pins for current OPA.
 */
import { table, typeError } from './test-kit.ts';

table('aggregates', [
  ['count("héllo")', '5'],
  ['count("😀a")', '2'],
  ['count([1,2,3])', '3'],
  ['count({"a": 1})', '1'],
  ['count({1, 2})', '2'],
  ['count(json.unmarshal("1"))', typeError('count: operand 1 must be one of {array, object, set, string} but got number')],
  ['count(json.unmarshal("null"))', typeError('count: operand 1 must be one of {array, object, set, string} but got null')],
  ['sum([1, 2, 3.5])', '6.5'],
  ['sum({1, 2})', '3'],
  ['sum([0.1, 0.2, 0.3])', '0.6'],
  ['sum([])', '0'],
  ['sum(json.unmarshal("[1, \\"a\\"]"))', typeError('sum: operand 1 must be array of numbers but got array containing string')],
  ['product([2, 3, 4])', '24'],
  ['product([1.1, 1.1])', '1.21'],
  ['product([])', '1'],
  ['max([1, "a", null])', '"a"'],
  ['min({3, 1, 2})', '1'],
  ['min([[1, 2], [1]])', '[1]'],
  ['max([])', undefined],
  ['sort([3, 1, "a", null, true])', '[null,true,1,3,"a"]'],
  ['sort({3, 1})', '[1,3]'],
  ['sort([{"b": 1}, {"a": 2}, [1]])', '[[1],{"a":2},{"b":1}]'],
]);
