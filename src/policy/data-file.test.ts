/**
 * Policy data files nested too deep for the YAML reader (which recurses per level, so
 * 100k-deep flow collections overflow its stack): a POLICY_ERROR that says so, not "Maximum
 * call stack size exceeded" passed through as a YAML syntax error (found by test/fuzz). The depth
 * pre-scan refuses them before the reader starts, naming the line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundleFromSources, mergeDataFile, parseDataFile } from './bundle-loader.ts';
import { canonicalForm } from './bundle-hash.ts';
import { AirlockError } from '../core/index.ts';
import { processWarnings } from '../../test/support/process-warnings.ts';

test('data: YAML nested beyond what can be read is refused as too deep before the YAML reader runs', () => {
  const deep: readonly [string, number][] = [
    ['['.repeat(100_000), 1],
    [`a: ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, 1],
    [`a: 1\nb:\n${'  - '.repeat(100_000)}x\n`, 3],
  ];
  for (const [text, line] of deep) {
    assert.throws(
      () => parseDataFile('airlock/data.yaml', text),
      // No cause: the reader never started (it would have overflowed its stack after ~0.5 s).
      (err) => err instanceof AirlockError && err.code === 'POLICY_ERROR' && err.message === `airlock/data.yaml: data nested deeper than 32 levels at line ${line}` && err.cause === undefined,
    );
  }
});

test('data: YAML at the depth limit loads; one level more is refused', () => {
  const at = (n: number): string => `a: ${'['.repeat(n - 1)}1${']'.repeat(n - 1)}\n`;
  assert.doesNotThrow(() => parseDataFile('airlock/data.yaml', at(32)));
  assert.throws(() => parseDataFile('airlock/data.yaml', at(33)), /nested deeper than 32 levels/);
  assert.doesNotThrow(() => parseDataFile('airlock/data.yaml', "a: ['[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[', \"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\"]\nb: |\n  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"));
});

test('data: JSON nested beyond the limit is refused as too deep', () => {
  assert.throws(() => parseDataFile('airlock/data.json', `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), /nested deeper than \d+ levels/);
});

test('data: the deep data file of a signed bundle is refused as too deep when its hash is checked, not by a stack overflow', () => {
  for (const [path, text] of [
    ['airlock/data.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['airlock/data.yaml', `a:\n  b: ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`],
  ] as const) {
    assert.throws(
      () => canonicalForm(path, Buffer.from(text)),
      (err) => err instanceof AirlockError && err.message === `policy bundle: ${path}: data nested deeper than 32 levels at line ${path.endsWith('.json') ? 1 : 2}` && err.cause === undefined,
    );
  }
  assert.equal(canonicalForm('airlock/data.json', Buffer.from('{"b": ["[[[[", {"c": 1}], "a": 2}')), '{"a":2,"b":["[[[[",{"c":1}]}');
});

test("data: a bundle's odd YAML (an unknown tag) prints no YAMLWarning on the gateway's stderr, loaded or hashed", async () => {
  const text = 'allowed: !custom [a, b]\n';
  const warnings = await processWarnings(() => {
    assert.deepEqual(parseDataFile('airlock/data.yaml', text), { allowed: ['a', 'b'] });
    canonicalForm('airlock/data.yaml', Buffer.from(text));
  });
  assert.deepEqual(warnings, []);
});

test('data: a key named __proto__ is data like any other, as in OPA: merged as a member, never into Object.prototype', () => {
  const inherited = (): unknown => (Object.prototype as Record<string, unknown>)['polluted'];
  try {
    const data = {};
    mergeDataFile(data, parseDataFile('a/data.json', '{"__proto__": {"polluted": "yes"}, "b": 1}'), ['a'], 'a/data.json');
    mergeDataFile(data, parseDataFile('a/more/data.json', '{"c": 2}'), ['a', '__proto__'], 'a/__proto__/data.json');
    // A directory named __proto__ is a path like any other.
    mergeDataFile(data, parseDataFile('__proto__/data.yaml', 'polluted: yes'), ['__proto__'], '__proto__/data.yaml');
    assert.equal(inherited(), undefined);
    assert.equal(JSON.stringify(data), '{"a":{"__proto__":{"polluted":"yes","c":2},"b":1},"__proto__":{"polluted":"yes"}}');
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    // Two values at one path are still a conflict, whatever the key.
    assert.throws(() => mergeDataFile(data, parseDataFile('b/data.json', '{"__proto__": 1}'), [], 'b/data.json'), /b\/data\.json: data\.__proto__ conflicts/);
    // The configuration's overlay: a key it adds, or one whose value it replaces.
    const overlaid = bundleFromSources([{ path: 'p.rego', source: 'package p' }], JSON.parse('{"__proto__": 1}'), { maxModules: 1, maxSourceBytes: 100 }, { dataOverlay: JSON.parse('{"__proto__": {"polluted": 2}, "x": {"__proto__": 3}}') });
    assert.equal(inherited(), undefined);
    assert.equal(JSON.stringify(overlaid.data), '{"__proto__":{"polluted":2},"x":{"__proto__":3}}');
  } finally {
    delete (Object.prototype as Record<string, unknown>)['polluted'];
  }
});
