import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'airlock.js');

function airlock(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'policy', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('airlock policy', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-policy-cli-'));
    mkdirSync(join(dir, 'bundle', 'config'), { recursive: true });
    writeFileSync(
      join(dir, 'bundle', 'policy.rego'),
      `package airlock

deny contains msg if {
  some v in input.vulns
  v.severity == "critical"
  msg := sprintf("critical vulnerability %s", [v.id])
}

limit := data.config.limit

too_many if count(input.vulns) > data.config.max_vulns
`,
    );
    writeFileSync(join(dir, 'bundle', 'config', 'data.json'), '{"limit": 12345678901234567890123, "max_vulns": 1}');
    writeFileSync(join(dir, 'bundle', 'config', 'more.yaml'), 'owners:\n  - security\n');
    writeFileSync(join(dir, 'input.json'), '{"vulns": [{"id": "CVE-1", "severity": "critical"}, {"id": "CVE-2", "severity": "low"}]}');
    mkdirSync(join(dir, 'tests'));
    writeFileSync(
      join(dir, 'tests', 'policy_test.rego'),
      `package airlock

test_critical_denied if {
  count(deny) == 1 with input as {"vulns": [{"id": "X", "severity": "critical"}]}
}

test_low_allowed if {
  count(deny) == 0 with input as {"vulns": [{"id": "Y", "severity": "low"}]}
}
`,
    );
    writeFileSync(join(dir, 'failing_test.rego'), 'package airlock\n\ntest_wrong if {\n  count(deny) == 5 with input as {"vulns": []}\n}\n');
    writeFileSync(join(dir, 'broken.rego'), 'package broken\n\np if {\n  x == 1\n}\n');
    writeFileSync(join(dir, 'strict.rego'), 'package strict\n\np := to_number("not a number")\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('eval prints opa eval --format json results with expressions and bindings', () => {
    const r = airlock('eval', '-d', join(dir, 'bundle'), '-i', join(dir, 'input.json'), 'x := data.airlock.deny[_]');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { result: { expressions: { value: unknown; text: string; location: unknown }[]; bindings: Record<string, unknown> }[] };
    assert.equal(out.result.length, 1);
    assert.deepEqual(out.result[0]?.bindings, { x: 'critical vulnerability CVE-1' });
    assert.equal(out.result[0]?.expressions[0]?.text, 'x := data.airlock.deny[_]');
    assert.deepEqual(out.result[0]?.expressions[0]?.location, { row: 1, col: 1 });
  });

  test('eval merges data files at their directory path and keeps big numbers exact', () => {
    const r = airlock('eval', '-d', join(dir, 'bundle'), 'data.config');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"limit": 12345678901234567890123/);
    assert.match(r.stdout, /"owners": \[\s*"security"\s*\]/);
  });

  test('eval prints {} when the query is undefined', () => {
    const r = airlock('eval', '-d', join(dir, 'bundle'), 'data.airlock.too_many');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '{}');
  });

  test('eval --format pretty prints a value or a bindings table', () => {
    const v = airlock('eval', '-f', 'pretty', '-d', join(dir, 'bundle'), '-i', join(dir, 'input.json'), 'data.airlock.too_many');
    assert.equal(v.stdout.trim(), 'true');
    const t = airlock('eval', '--format', 'pretty', '-d', join(dir, 'bundle'), '-i', join(dir, 'input.json'), 'x := data.airlock.deny[_]');
    assert.match(t.stdout, /\| x\s+\|/);
    assert.match(t.stdout, /"critical vulnerability CVE-1"/);
  });

  test('eval --format values, bindings and raw', () => {
    const args = ['-d', join(dir, 'bundle'), '-i', join(dir, 'input.json')];
    assert.deepEqual(JSON.parse(airlock('eval', '-f', 'values', ...args, 'data.airlock.deny').stdout), [['critical vulnerability CVE-1']]);
    assert.deepEqual(JSON.parse(airlock('eval', '-f', 'bindings', ...args, 'x := data.airlock.deny[_]').stdout), [{ x: 'critical vulnerability CVE-1' }]);
    assert.equal(airlock('eval', '-f', 'raw', ...args, 'data.airlock.deny[_]').stdout, 'critical vulnerability CVE-1\n');
  });

  test('eval --strict-builtin-errors turns a failing builtin into an error', () => {
    const lax = airlock('eval', '-d', join(dir, 'strict.rego'), 'data.strict.p');
    assert.equal(lax.code, 0);
    assert.equal(lax.stdout.trim(), '{}');
    const strict = airlock('eval', '--strict-builtin-errors', '-d', join(dir, 'strict.rego'), 'data.strict.p');
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /strict\.rego:3:\d+: eval_builtin_error: to_number/);
  });

  test('test reports passes, and exits 1 with the failing test listed', () => {
    const ok = airlock('test', '-v', join(dir, 'bundle'), join(dir, 'tests'));
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /data\.airlock\.test_critical_denied: PASS/);
    assert.match(ok.stdout, /PASS: 2\/2/);
    const bad = airlock('test', join(dir, 'bundle'), join(dir, 'tests'), join(dir, 'failing_test.rego'));
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /data\.airlock\.test_wrong: FAIL/);
    assert.match(bad.stdout, /FAIL: 1\/3/);
    const only = airlock('test', '-r', 'low', join(dir, 'bundle'), join(dir, 'tests'));
    assert.match(only.stdout, /PASS: 1\/1/);
  });

  test('test exits 1 saying why when no test ran: no test_ rule, or -r matching none (opa test --fail-on-empty)', () => {
    const none = airlock('test', join(dir, 'bundle'));
    assert.equal(none.code, 1);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^error: no tests were run: no test_ rule under .*bundle\n$/);
    const typo = airlock('test', '--fail-on-empty', '-r', 'tset_', join(dir, 'bundle'), join(dir, 'tests'));
    assert.equal(typo.code, 1);
    assert.equal(typo.stdout, '');
    assert.match(typo.stderr, /no tests were run: -r "tset_" matches none of the 2 test_ rules/);
  });

  test('check prints errors with file:row:col and a caret, exit 1', () => {
    const r = airlock('check', join(dir, 'broken.rego'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.rego:4:3: rego_unsafe_var_error: var x is unsafe/);
    assert.match(r.stderr, /\n {4}x == 1\n {4}\^/);
    assert.equal(airlock('check', join(dir, 'bundle')).code, 0);
  });

  test('usage errors exit 2', () => {
    assert.equal(airlock('eval', '--format', 'xml', 'data').code, 2);
    assert.equal(airlock('frobnicate').code, 2);
  });
});
