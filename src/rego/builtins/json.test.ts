/**
 * JSON, YAML, JSON Patch, json.filter/remove and JSON Schema builtins.
 * Expected answers come from OPA (v0.70 as a development oracle); rows marked "newer OPA"
 * follow the behaviour the conformance suite pins for current OPA.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../api.ts';
import { builtinErr, table, typeError } from './test-kit.ts';

table('json', [
  ['json.marshal({"b": [1, 2.5, "x<y"], "a": null})', '"{\\"a\\":null,\\"b\\":[1,2.5,\\"x\\\\u003cy\\"]}"'],
  ['json.marshal({1: "a", "b": {2}})', '"{\\"1\\":\\"a\\",\\"b\\":[2]}"'],
  ['json.marshal("é\\u2028")', '"\\"é\\\\u2028\\""'],
  ['json.marshal_with_options({"a": [1, {"b": 2}]}, {"pretty": true})', '"{\\n\\t\\"a\\": [\\n\\t\\t1,\\n\\t\\t{\\n\\t\\t\\t\\"b\\": 2\\n\\t\\t}\\n\\t]\\n}"'],
  ['json.marshal_with_options({"a": [1]}, {"indent": "  ", "prefix": ">"})', '"\\u003e{\\n\\u003e  \\"a\\": [\\n\\u003e    1\\n\\u003e  ]\\n\\u003e}"'],
  ['json.marshal_with_options([], {"indent": "  "})', '"[]"'],
  ['json.marshal_with_options({}, {"pretty": true})', '"{}"'],
  ['json.unmarshal("{\\"a\\": [1, 2.50, 1e3], \\"b\\": \\"\\\\u00e9\\"}")', '{"a":[1,2.50,1e3],"b":"é"}'],
  ['json.unmarshal("12345678901234567890123")', '12345678901234567890123'],
  ['json.unmarshal("[1, 2")', builtinErr('json.unmarshal: unexpected EOF')],
  ['json.unmarshal("{\\"a\\" 1}")', builtinErr('json.unmarshal: invalid character \'1\' after object key')],
  ['json.unmarshal("[1,]")', builtinErr('json.unmarshal: invalid character \']\' looking for beginning of value')],
  ['json.unmarshal("nul")', builtinErr('json.unmarshal: unexpected EOF')],
  ['json.unmarshal("\\"a")', builtinErr('json.unmarshal: unexpected EOF')],
  ['json.unmarshal("{\\"a\\":1,}")', builtinErr('json.unmarshal: invalid character \'}\' looking for beginning of object key string')],
  ['json.unmarshal("[1] x")', builtinErr('json.unmarshal: invalid character \'x\' looking for beginning of value')],
  ['json.unmarshal("1 2")', builtinErr('json.unmarshal: error: invalid character \'2\' after top-level value')],
  ['json.unmarshal("{\\"a\\": 1, \\"a\\": 2}")', '{"a":2}'],
  ['json.is_valid("{}")', 'true'],
  ['json.is_valid("{")', 'false'],
  ['json.is_valid(" [1, 2] ")', 'true'],
  ['json.filter({"a": {"b": 1, "c": 2}, "d": 3}, ["a/b", "d"])', '{"a":{"b":1},"d":3}'],
  ['json.filter({"a": [{"b": 1, "c": 2}, {"b": 3}]}, ["a/0/b"])', '{"a":[{"b":1}]}'],
  ['json.filter({"a": {"b": 1}}, [["a", "b"]])', '{"a":{"b":1}}'],
  ['json.filter({"a": {"b": 1}, "c": 2}, {"a"})', '{"a":{"b":1}}'],
  ['json.filter({"a": 1}, [])', '{}'],
  ['json.remove({"a": {"b": 1, "c": 2}, "d": 3}, ["a/b"])', '{"a":{"c":2},"d":3}'],
  ['json.remove({"a": [1, 2, 3]}, ["a/1"])', '{"a":[1,3]}'],
  ['json.remove({"a": 1}, [["a"]])', '{}'],
  ['json.remove({"a": {"b": {"c": 1}}}, {"a/b"})', '{"a":{}}'],
  ['json.remove({"a": 1}, json.unmarshal("\\"a\\""))', typeError('json.remove: operand 2 must be one of {set, array} but got string')],
  ['json.remove({"a": 1}, json.unmarshal("[1]"))', typeError('json.remove: operand 2 must be one of {set, array} containing string paths or array of path segments but got number')],
  ['json.patch({"a": 1}, [{"op": "add", "path": "/b", "value": 2}])', '{"a":1,"b":2}'],
  ['json.patch({"a": [1, 3]}, [{"op": "add", "path": "/a/1", "value": 2}])', '{"a":[1,2,3]}'],
  ['json.patch({"a": [1, 3]}, [{"op": "add", "path": "/a/-", "value": 4}])', '{"a":[1,3,4]}'],
  ['json.patch({"a": 1}, [{"op": "remove", "path": "/a"}])', '{}'],
  ['json.patch({"a": 1}, [{"op": "replace", "path": "/a", "value": 5}])', '{"a":5}'],
  ['json.patch({"a": {"b": 1}}, [{"op": "move", "from": "/a/b", "path": "/c"}])', '{"a":{},"c":1}'],
  ['json.patch({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}])', '{"a":{"b":1},"c":{"b":1}}'],
  ['json.patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])', undefined],
  ['json.patch({"a": 1}, [{"op": "remove", "path": "/x"}])', undefined],
  ['json.patch([1, 2], [{"op": "add", "path": "/01", "value": 0}])', undefined],
  ['json.patch({"a/b": 1, "c~d": 2}, [{"op": "remove", "path": "/a~1b"}, {"op": "remove", "path": "/c~0d"}])', '{}'],
  ['json.patch({}, [{"op": "add", "path": "", "value": [1]}])', '[1]'],
  ['yaml.marshal({"b": [1, "two", {"c": true}], "a": null, "s": "yes", "n": 1.5})', '"a: null\\nb:\\n- 1\\n- two\\n- c: true\\n\\"n\\": 1.5\\ns: \\"yes\\"\\n"'],
  ['yaml.marshal([])', '"[]\\n"'],
  ['yaml.unmarshal("a: 1\\nb: [x, y]\\nc: {d: null}\\n")', '{"a":1,"b":["x",true],"c":{"d":null}}'],
  ['yaml.unmarshal("a: yes\\nb: off\\nc: ~\\ne: 1.5e3")', '{"a":true,"b":false,"c":null,"e":1500}'],
  ['yaml.unmarshal("- a\\n- b")', '["a","b"]'],
  ['yaml.unmarshal("")', 'null'],
  ['yaml.unmarshal("a: &x 1\\nb: *x")', '{"a":1,"b":1}'],
  ['yaml.unmarshal("[1,2,3")', builtinErr('yaml.unmarshal: yaml: line 1: did not find expected \',\' or \']\'')],
  ['yaml.is_valid("a: [")', 'false'],
  ['yaml.is_valid("a: 1")', 'true'],
  // newer OPA, or Airlock-specific (see comments)
  ['json.marshal_with_options([], {"indent": "    ", "include_winning_lottery_numbers": true})', typeError('object contained unknown key "include_winning_lottery_numbers"')],
  ['json.patch({"foo": {"a", "b"}}, [{"op": "add", "path": "foo/c", "value": "c"}])', '{"foo":["a","b","c"]}'],
  ['json.patch({"foo": {"a", "b"}}, [{"op": "add", "path": "foo/c", "value": "d"}])', undefined],
  ['json.match_schema({"id": "x"}, {"properties": {"id": {"type": "integer"}}})', '[false,[{"desc":"Invalid type. Expected: integer, given: string","error":"id: Invalid type. Expected: integer, given: string","field":"id","type":"invalid_type"}]]'],
  ['json.match_schema(`{"id": 5}`, {"required": ["id"]})', '[true,[]]'],
  ['json.verify_schema({"type": "nope"})', '[false,"jsonschema: has a primitive type that is NOT VALID -- given: /nope/ Expected valid values are:[array boolean integer number null object string]"]'],
  ['json.match_schema({"a": 1}, {"$ref": "#/definitions/%E0"})', builtinErr('json.match_schema: reference #/definitions/%E0 is not valid percent-encoding')],
]);

test('a $ref with broken percent-encoding is the builtin\'s error: undefined where builtin errors are not strict', () => {
  const rows = compile([]).query('r := json.match_schema({"a": 1}, {"$ref": "#/%"})', { strictBuiltinErrors: false });
  assert.deepEqual(rows, []);
});
