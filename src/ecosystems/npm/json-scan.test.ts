import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonScanError, expectEnd, objectMembers, scanValue, skipWs } from './json-scan.ts';

function accepts(text: string): boolean {
  const b = Buffer.from(text, 'utf8');
  try {
    const end = scanValue(b, skipWs(b, 0));
    expectEnd(b, end);
    return true;
  } catch (err) {
    if (err instanceof JsonScanError) return false;
    throw err;
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const CASES = [
  '{}', '[]', '""', '0', '-0', '1.5e10', '1E-2', '-12.25', 'true', 'false', 'null', ' {"a" : [1, 2, {"b": null}] } ',
  '"\\u00e9\\n\\t\\"\\\\\\/"', '"é ü 中"', '{"a":1,}', '[1,]', '01', '1.', '.5', '+1', '-', '1e', '"\\x"', '"\\u12"',
  '"a\u0001b"', '"tab\there"', '{"a" 1}', '{a:1}', "{'a':1}", 'tru', 'nul', '[1 2]', '{"a":1}x', '', '   ', '{"a":1}{}',
  '\uFEFF{}', 'NaN', 'Infinity', '[[[[]]]]', '{"__proto__":1}', '{"a":"\\ud800"}', '"\u2028"',
];

test('the scanner accepts exactly what JSON.parse accepts', () => {
  for (const c of CASES) assert.equal(accepts(c), parses(c), JSON.stringify(c));
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const alphabet = ['{', '}', '[', ']', '"', ':', ',', '1', '-', 'e', '.', '\\', 'u', 'a', ' ', 'true', 'null', '0', '"k"'];
  for (let i = 0; i < 20_000; i++) {
    let s = '';
    const len = 1 + rand(12);
    for (let j = 0; j < len; j++) s += alphabet[rand(alphabet.length)];
    assert.equal(accepts(s), parses(s), JSON.stringify(s));
  }
});

test('members carry key and value spans; duplicate keys are refused on request', () => {
  const b = Buffer.from('{"a": 1, "b\\u0041" : {"x": [1,2]}, "c":"s"}');
  const o = objectMembers(b, 0);
  assert.deepEqual(o.members.map((m) => m.key), ['a', 'bA', 'c']);
  const m = o.members[1];
  assert.ok(m !== undefined);
  assert.equal(b.toString('utf8', m.valueStart, m.valueEnd), '{"x": [1,2]}');
  assert.equal(o.end, b.length);
  assert.throws(() => objectMembers(Buffer.from('{"a":1,"a":2}'), 0, { unique: true }), /duplicate key "a"/);
  assert.throws(() => objectMembers(Buffer.from('{"a":1,"\\u0061":2}'), 0, { unique: true }), /duplicate key/);
});

test('nesting depth is bounded', () => {
  const deep = `${'['.repeat(300)}${']'.repeat(300)}`;
  assert.throws(() => scanValue(Buffer.from(deep), 0), /nesting too deep/);
});
