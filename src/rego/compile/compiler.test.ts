import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../api.ts';
import { RegoError, type RegoErrorCode } from '../errors.ts';
import { toJS } from '../value.ts';
import { cpuMs } from '../../../test/support/cpu-time.ts';

function compileError(source: string, code: RegoErrorCode, re: RegExp): RegoError {
  try {
    compile([{ path: 'p.rego', source }]);
  } catch (e) {
    assert.ok(e instanceof RegoError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return e;
  }
  assert.fail('expected a compile error');
}

function value(source: string, ref: string, input?: unknown): unknown {
  const v = compile([{ path: 'p.rego', source }]).evaluate(ref, input === undefined ? {} : { input });
  return v === undefined ? undefined : toJS(v);
}

test('unsafe variables are reported with their location', () => {
  const e = compileError('package x\n\np if {\n  y := x + 1\n}\n', 'rego_unsafe_var_error', /var x is unsafe/);
  assert.deepEqual(e.errors[0]?.location, { file: 'p.rego', row: 4, col: 8 });
  compileError('package x\np contains y if { some z in input }', 'rego_unsafe_var_error', /var y is unsafe/);
  compileError('package x\np := [x | y := 1]', 'rego_unsafe_var_error', /var x is unsafe/);
});

test('bodies are reordered for safety, as OPA does', () => {
  const src = 'package x\np := y if {\n  y = z * 2\n  z = input.n\n}\nq if {\n  x = y\n  y = [1, w]\n  w = 2\n}';
  assert.equal(value(src, 'data.x.p', { n: 21 }), 42);
  assert.equal(value(src, 'data.x.q'), true);
});

test('recursion is a compile error naming the cycle', () => {
  compileError('package x\np if q\nq if p', 'rego_recursion_error', /rule data\.x\.p is recursive: data\.x\.p -> data\.x\.q -> data\.x\.p/);
  compileError('package x\nf(n) := f(n - 1)', 'rego_recursion_error', /data\.x\.f is recursive/);
  compileError('package x\np := data.x', 'rego_recursion_error', /is recursive/);
  // Dynamic refs match only rules their constant parts can reach.
  assert.equal(value('package x\np := data[k].q if k := "y"', 'data.x.p'), undefined);
});

test('conflicting rule kinds and arities', () => {
  compileError('package x\np := 1\np contains 2', 'rego_type_error', /conflicting rules data\.x\.p found/);
  compileError('package x\nf(a) := a\nf(a, b) := a', 'rego_type_error', /conflicting rules data\.x\.f found/);
  compileError('package x\np := {"a": 1}\np.b := 2', 'rego_type_error', /rule data\.x\.p conflicts with \[data\.x\.p\.b\]/);
  compileError('package x\ndefault p := 1\ndefault p := 2', 'rego_type_error', /multiple default rules/);
});

test('calls: undefined functions and arity mismatches', () => {
  compileError('package x\np := nope(1)', 'rego_type_error', /undefined function nope/);
  compileError('package x\np := count(1, 2, 3)', 'rego_type_error', /count: arity mismatch/);
  compileError('package x\nf(a) := a\np := f(1, 2, 3)', 'rego_type_error', /arity mismatch/);
  compileError('package x\np := count(1)', 'rego_type_error', /count: invalid argument\(s\)\n\thave: \(number\)\n\twant: \(any<string, array\[any\]/);
  compileError('package x\np if startswith(input.s, 5)', 'rego_type_error', /startswith: invalid argument/);
});

test('declarations: := twice, use before :=, shadowing in nested scopes', () => {
  compileError('package x\np if {\n  y := z\n  z := 1\n}', 'rego_compile_error', /var z referenced above/);
  compileError('package x\np if {\n  a := 1\n  a := 2\n}', 'rego_compile_error', /var a assigned above/);
  assert.deepEqual(value('package x\np := [a | a := 1] if { a := 2 }', 'data.x.p'), [1]);
  assert.equal(value('package x\ncount_a := 5\np := x if { x := count_a }', 'data.x.p'), 5);
});

test('imports resolve to data and input', () => {
  const modules = [
    { path: 'lib.rego', source: 'package lib.util\nis_admin(u) if u in {"root"}' },
    { path: 'main.rego', source: 'package main\nimport data.lib.util\nimport input.user as who\nallow if util.is_admin(who)' },
  ];
  const p = compile(modules);
  assert.equal(p.evaluate('data.main.allow', { input: { user: 'root' } }), true);
  assert.equal(p.evaluate('data.main.allow', { input: { user: 'bob' } }), undefined);
});

test('several errors are reported together, with rendering', () => {
  try {
    compile([{ path: 'p.rego', source: 'package x\np if a\nq if b' }]);
    assert.fail('expected errors');
  } catch (e) {
    assert.ok(e instanceof RegoError);
    assert.equal(e.errors.length, 2);
    assert.match(e.message, /2 errors occurred/);
    assert.match(e.render(), /p\.rego:2:6: rego_unsafe_var_error: var a is unsafe\n {2}p if a\n {7}\^/);
  }
});

test('head values that iterate are evaluated in the body', () => {
  assert.deepEqual(value('package x\nxs := [1, 2]\np contains xs[_]', 'data.x.p'), [1, 2]);
});

test('hostile sizes: long and reverse-ordered bodies compile quickly; oversized ones are refused', () => {
  const forward = ['package x', 'p := x899 if {', '  x0 := 1'];
  for (let i = 1; i < 900; i++) forward.push(`  x${i} := x${i - 1} + 1`);
  forward.push('}');
  assert.equal(value(forward.join('\n'), 'data.x.p'), 900);
  const reverse = ['package x', 'p := x0 if {'];
  for (let i = 0; i < 900; i++) reverse.push(`  x${i} = x${i + 1} - 1`);
  reverse.push('  x900 = 900', '}');
  const ms = cpuMs(() => assert.equal(value(reverse.join('\n'), 'data.x.p'), 0));
  assert.ok(ms < 10_000, `${ms} ms of CPU`);
  const huge = ['package x', 'p if {'];
  for (let i = 0; i < 1001; i++) huge.push('  true');
  huge.push('}');
  compileError(huge.join('\n'), 'rego_compile_error', /body too long: 1001 expressions \(limit 1000\)/);
});

test('type inference: equality between terms that can never match is a compile error (as OPA)', () => {
  compileError('package x\nr := {k: 1 | some k in input.ks}\np if r == 42', 'rego_type_error', /match error\n\tleft  : object\n\tright : number/);
  compileError('package x\ns contains 1 if true\np if { x := s; x = "a" }', 'rego_type_error', /match error/);
  // Unions and unknowns are fine.
  assert.equal(value('package x\nr := 1 if input.a\nr := "x" if input.b\np if r == "x"', 'data.x.p', { b: true }), true);
  assert.equal(value('package x\np if input.v == 42', 'data.x.p', { v: 42 }), true);
  // Builtin arguments are checked with inferred types too.
  compileError('package x\nn := 5\np := count(n)', 'rego_type_error', /count: invalid argument\(s\)\n\thave: \(number\)/);
  compileError('package x\np if { y := count(input.x) + 1; lower(y) }', 'rego_type_error', /lower: invalid argument/);
});
