/**
 * yaml.unmarshal on a document nested deeper than the reader can take (a string a policy may
 * take from the input): refused at once with the builtin error OPA gives for a bad YAML document,
 * `yaml: line N: …` (go-yaml's "exceeded max depth"), not after the reader recursed into a stack
 * overflow; a document at the limit still reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_YAML_DEPTH } from './yaml.ts';
import { check, evaluate } from './test-kit.ts';
import { cpuMs } from '../../../test/support/cpu-time.ts';

const flow = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const block = (depth: number): string => `${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}- `).join('\\n')}x`;
const deepError = (line: number) => ({ code: 'eval_builtin_error', message: `yaml.unmarshal: yaml: line ${line}: exceeded max depth of ${MAX_YAML_DEPTH}` }) as const;

test('yaml.unmarshal: a document at the depth limit reads; one collection more is refused with the line', () => {
  assert.deepEqual(evaluate(`count(yaml.unmarshal("${flow(MAX_YAML_DEPTH)}"))`), { value: '1' });
  check(`yaml.unmarshal("${flow(MAX_YAML_DEPTH + 1)}")`, deepError(1));
  assert.deepEqual(evaluate(`count(yaml.unmarshal("${block(MAX_YAML_DEPTH)}"))`), { value: '1' });
  check(`yaml.unmarshal("${block(MAX_YAML_DEPTH + 1)}")`, deepError(MAX_YAML_DEPTH + 1));
  check(`yaml.is_valid("${flow(MAX_YAML_DEPTH + 1)}")`, 'false');
});

test("yaml.unmarshal: 100,000 levels are refused by the depth pre-scan with OPA's error form, not by the reader overflowing its stack", () => {
  for (const [text, line] of [
    [flow(100_000), 1],
    [`a: ${'{\\"a\\": '.repeat(100_000)}1${'}'.repeat(100_000)}`, 1],
    [`${'- '.repeat(100_000)}x`, 1],
  ] as const) {
    check(`yaml.unmarshal("${text}")`, deepError(line));
  }
});

test("yaml.unmarshal: an anchor whose value contains its own alias is refused as go-yaml refuses it, not by the conversion overflowing its stack; an alias used twice side by side still reads", () => {
  for (const text of ['a: &x [*x]', '&x {a: *x}', 'a: &x\\n  b: [1, *x]']) {
    check(`yaml.unmarshal("${text}")`, { code: 'eval_builtin_error', message: "yaml.unmarshal: yaml: an anchor's value contains itself" });
    check(`yaml.is_valid("${text}")`, 'false');
  }
  assert.deepEqual(evaluate('yaml.unmarshal("a: &x [1]\\nb: [*x, *x]")'), { value: '{"a":[1],"b":[[1],[1]]}' });
});

test('yaml.unmarshal: a key named __proto__ is a key like any other, as go-yaml reads it', () => {
  check('yaml.unmarshal("__proto__: 1\\na: {__proto__: [2]}")', '{"__proto__":1,"a":{"__proto__":[2]}}');
  check('object.keys(yaml.unmarshal("__proto__: 1"))', '["__proto__"]');
});

test("yaml.unmarshal: a mapping or a sequence as a key is refused as go-yaml refuses it (an invalid map key), before the conversion would print it: keys nested 200 deep took 0.8 s of it", () => {
  const err = (line: number) => ({ code: 'eval_builtin_error', message: `yaml.unmarshal: yaml: line ${line}: invalid map key: a mapping or a sequence` }) as const;
  check('yaml.unmarshal("{a: 1}: 2")', err(1));
  check('yaml.unmarshal("x: 1\\n? [a, b]\\n: 2")', err(2));
  check('yaml.is_valid("{a: 1}: 2")', 'false');
  const nested = `${'{'.repeat(200)}${'}'.repeat(200)}: 1`;
  const ms = cpuMs(() => check(`yaml.unmarshal("${nested}")`, err(1)));
  assert.ok(ms < 300, `${ms} ms of CPU`);
  // A key that is an alias of a scalar is a scalar key.
  assert.deepEqual(evaluate('yaml.unmarshal("a: &k b\\n*k : c")'), { value: '{"a":"b","b":"c"}' });
});
