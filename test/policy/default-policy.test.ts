/**
 * The built-in policy's own Rego tests (`policies/**\/*_test.rego`), run with the real engine
 * exactly as `airlock policy test policies/` does: every `test_*` rule must evaluate to true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/rego/index.ts';
import { builtinPolicyPath } from '../../src/policy/builtin.ts';
import { loadBundle } from '../../src/policy/bundle-loader.ts';

const bundle = await loadBundle([builtinPolicyPath()], process.cwd(), { includeTests: true });
const policy = compile(bundle.modules, { data: bundle.data });
const rules = policy.tests();

test('the built-in policy has tests for every concern', () => {
  const files = new Set(rules.map((r) => r.location.file.replace(/^.*\//, '')));
  for (const concern of ['common', 'cooldown', 'install_scripts', 'size', 'deprecated', 'integrity', 'blocklist', 'tarball', 'python', 'models']) {
    assert.ok(files.has(`${concern}_test.rego`), `${concern}_test.rego has test rules`);
  }
});

for (const rule of rules) {
  test(`${rule.ref} (${rule.location.file.replace(/^.*policies\//, 'policies/')}:${rule.location.row})`, () => {
    const v = policy.evaluate(rule.ref, { strictBuiltinErrors: true });
    assert.equal(v, true, `${rule.ref} evaluated to ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  });
}
