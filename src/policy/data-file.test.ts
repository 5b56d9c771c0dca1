/**
 * Policy data files nested too deep for the YAML reader (which recurses per level, so
 * 100k-deep flow collections overflow its stack): a POLICY_ERROR that says so, not "Maximum
 * call stack size exceeded" passed through as a YAML syntax error (found by test/fuzz).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDataFile } from './bundle-loader.ts';
import { AirlockError } from '../core/index.ts';

test('data: YAML nested beyond what can be read is refused as too deep', () => {
  for (const text of ['['.repeat(100_000), `a: ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`]) {
    assert.throws(
      () => parseDataFile('airlock/data.yaml', text),
      (err) => err instanceof AirlockError && err.code === 'POLICY_ERROR' && /nested deeper than \d+ levels/.test(err.message) && !/call stack/.test(err.message),
    );
  }
});

test('data: JSON nested beyond the limit is refused as too deep', () => {
  assert.throws(() => parseDataFile('airlock/data.json', `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), /nested deeper than \d+ levels/);
});
