import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import { applyEnvOverrides } from './env.ts';
import { parseConfigText } from './load.ts';
import { MAX_CONFIG_DEPTH, readConfigYaml } from './yaml.ts';

const FILE = '/etc/airlock/airlock.yaml';

function refused(f: () => unknown, message: RegExp): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(isAirlockError(err, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(err)}`);
    assert.match(err.message, message);
    assert.doesNotMatch(err.message, /Maximum call stack|ReferenceError/);
    return true;
  });
}

test('nesting past the limit is refused before the reader starts, naming the file or variable and the line (found by fuzzing)', () => {
  refused(() => parseConfigText(`policy:\n  data:\n    a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, FILE), /^\/etc\/airlock\/airlock\.yaml: nested deeper than 64 levels at line 3$/);
  const block = Array.from({ length: 5000 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
  refused(() => parseConfigText(`${block} 1\n`, FILE), /^\/etc\/airlock\/airlock\.yaml: nested deeper than 64 levels at line 65$/);
  refused(() => applyEnvOverrides({}, { AIRLOCK_POLICY_DATA: `{a: ${'['.repeat(100_000)}}` }), /^AIRLOCK_POLICY_DATA: nested deeper than 64 levels at line 1$/);
  const deepest = `${'['.repeat(MAX_CONFIG_DEPTH)}${']'.repeat(MAX_CONFIG_DEPTH)}`;
  assert.equal(readConfigYaml(deepest, FILE, 0).kind, 'value');
  refused(() => readConfigYaml(`[${deepest}]`, FILE, 0), /nested deeper than 64 levels/);
});

test('a mapping or list as a key is refused: the reader printed it into a string, in time exponential in its nesting (found by fuzzing)', () => {
  refused(() => parseConfigText('policy:\n  data:\n    {a: 1}: x\n', FILE), /^\/etc\/airlock\/airlock\.yaml: the key at line 3 is a mapping or a list; keys are plain names$/);
  refused(() => parseConfigText('server:\n  ? [host]\n  : x\n', FILE), /^\/etc\/airlock\/airlock\.yaml: the key at line 2 is a mapping/);
  refused(() => parseConfigText(`a: ${'{'.repeat(60)}${'}'.repeat(60)}\n`, FILE), /the key at line 1 is a mapping/);
  refused(() => applyEnvOverrides({}, { AIRLOCK_SERVER_HOST: '{[a]: b}' }), /^AIRLOCK_SERVER_HOST: the key at line 1 is a mapping/);
  // A scalar key, and an alias of one, are keys as ever.
  assert.deepEqual(parseConfigText('policy:\n  data:\n    &k name: 1\n    other: {*k : 2}\n', FILE), { policy: { data: { name: 1, other: { name: 2 } } } });
});

test('more aliases than the budget: CONFIG_INVALID naming the file, not the reader\'s ReferenceError (found by fuzzing)', () => {
  const laughs = 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n';
  refused(() => parseConfigText(laughs, FILE), /^\/etc\/airlock\/airlock\.yaml: Excessive alias count/);
  assert.deepEqual(parseConfigText('a: &a [1]\nb: *a\n', FILE), { a: [1], b: [1] });
});
