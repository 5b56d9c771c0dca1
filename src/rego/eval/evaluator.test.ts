import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../api.ts';
import { RegoError, type RegoErrorCode } from '../errors.ts';
import { BigNum } from '../number.ts';
import { RObject, toJS, toJSONText, type Value } from '../value.ts';

function policy(source: string, data?: unknown) {
  return compile([{ path: 'p.rego', source }], data === undefined ? {} : { data });
}

function evalError(f: () => unknown, code: RegoErrorCode, re: RegExp): RegoError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof RegoError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return e;
  }
  assert.fail('expected an evaluation error');
}

test('complete, multi-value, object and ref-head rules build one document', () => {
  const p = policy(`package x
default allow := false
allow if input.user == "admin"
deny contains sprintf("bad %s", [f]) if {
  some f in input.files
  endswith(f, ".exe")
}
sizes[f] := count(f) if some f in input.files
a.b[c].d := 1 if some c in ["p", "q"]
`);
  const input = { user: 'admin', files: ['a.exe', 'b.txt'] };
  assert.deepEqual(toJS(p.evaluate('data.x', { input }) as Value), {
    a: { b: { p: { d: 1 }, q: { d: 1 } } },
    allow: true,
    deny: ['bad a.exe'],
    sizes: { 'a.exe': 5, 'b.txt': 5 },
  });
  assert.equal(p.evaluate('data.x.allow', { input: { user: 'bob' } }), false);
  assert.equal(p.evaluate('data.x.a.b.q.d', { input }), 1);
});

test('queries return bindings per solution and expression values', () => {
  const p = policy('package x\nxs := [3, 1, 2]');
  const rows = p.query('some i; v := data.x.xs[i]; v > 1');
  assert.equal(rows.length, 2);
  assert.deepEqual(
    rows.map((r) => Object.fromEntries(Object.entries(r.bindings).map(([k, v]) => [k, toJS(v)]))),
    [{ i: 0, v: 3 }, { i: 2, v: 2 }],
  );
  const [row] = p.query('data.x.xs');
  assert.deepEqual(toJS(row?.expressions[0]?.value as Value), [3, 1, 2]);
  assert.equal(row?.expressions[0]?.text, 'data.x.xs');
  assert.deepEqual(p.query('data.x.missing'), []);
});

test('conflicts: complete rules, functions, object keys', () => {
  evalError(() => policy('package x\np := input.a\np := input.b').evaluate('data.x.p', { input: { a: 1, b: 2 } }), 'eval_conflict_error', /p\.rego:\d+: eval_conflict_error: complete rules must not produce multiple outputs/);
  evalError(() => policy('package x\nf(_) := 1\nf(_) := 2\np := f(0)').evaluate('data.x.p'), 'eval_conflict_error', /functions must not produce multiple outputs for same inputs/);
  evalError(() => policy('package x\np[k] := v if {\n  some x, v in {"a": 1, "b": 2}\n  k := "a"\n}').evaluate('data.x.p'), 'eval_conflict_error', /object keys must be unique/);
});

test('strict builtin errors halt with file:row; non-strict makes the call undefined', () => {
  const p = policy('package x\n\np := to_number(input.s)');
  assert.equal(p.evaluate('data.x.p', { input: { s: 'abc' } }), undefined);
  const e = evalError(() => p.evaluate('data.x.p', { input: { s: 'abc' }, strictBuiltinErrors: true }), 'eval_builtin_error', /^p\.rego:3: eval_builtin_error: to_number/);
  assert.match(e.render(), /p\.rego:3:6: eval_builtin_error/);
});

test('with replaces input, data, functions and builtins for one expression', () => {
  const p = policy(`package x
limit := data.cfg.limit
over if count(input.xs) > limit
double(n) := n * 2
twice_count(xs) := 2 * count(xs)
t1 if over with input.xs as [1, 2, 3] with data.cfg.limit as 2
t2 if not over with input.xs as [1]
t3 := y if y := double(2) with double as 7
t4 := y if y := count([1, 2]) with count as twice_count
t5 := y if { y := double(3) with double as 0; over with data.cfg.limit as 0 }
`, { cfg: { limit: 10 } });
  for (const [t, want] of [['t1', true], ['t2', true], ['t3', 7], ['t4', 4], ['t5', 0]] as const) {
    assert.equal(toJS(p.evaluate(`data.x.${t}`, { input: { xs: [1] } }) as Value), want, t);
  }
});

test('evaluation limits: steps and time produce clear errors, never hangs', () => {
  const p = policy('package x\np := count([1 | some a in numbers.range(1, 1000); some b in numbers.range(1, 1000)])');
  evalError(() => p.evaluate('data.x.p', { maxSteps: 10_000 }), 'eval_limit_error', /step limit \(10000 steps\)/);
  evalError(() => p.evaluate('data.x.p', { timeoutMs: 5 }), 'eval_limit_error', /timed out after 5 ms/);
});

test('deeply nested data does not crash the process', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const p = policy('package x\np if input == input\nq := json.marshal(input)');
  let err: unknown;
  try {
    p.evaluate('data.x.q', { input: deep, strictBuiltinErrors: true });
  } catch (e) {
    err = e;
  }
  assert.ok(err === undefined || (err instanceof RegoError && err.code === 'eval_limit_error'), String(err));
});

test('numbers stay exact', () => {
  const p = policy('package x\nbig := 12345678901234567890 * 10\nsum := 0.1 + 0.2\nin_big := input.n + 1');
  assert.equal(toJSONText(p.evaluate('data.x.big') as Value), '123456789012345678900');
  assert.equal(toJSONText(p.evaluate('data.x.sum') as Value), '0.3');
  const v = p.evaluate('data.x.in_big', { input: { n: 2n ** 70n } });
  assert.ok(v instanceof BigNum);
  assert.equal(toJSONText(v), (2n ** 70n + 1n).toString());
});

test('input is read lazily but results do not change when the caller mutates it later', () => {
  const p = policy('package x\nartifact := input.artifact');
  const input = { artifact: { name: 'left-pad', tags: ['a'] } };
  const v = p.evaluate('data.x.artifact', { input }) as RObject;
  input.artifact.name = 'changed';
  input.artifact.tags.push('b');
  assert.deepEqual(toJS(v), { name: 'left-pad', tags: ['a'] });
});

test('invalid input documents are rejected with an error', () => {
  const p = policy('package x\np := input.n');
  evalError(() => p.evaluate('data.x.p', { input: { n: Number.NaN } }), 'eval_type_error', /invalid input document/);
});

test('print writes through the hook; undefined operands print as <undefined>', () => {
  const p = policy('package x\np if {\n  print("n =", input.n, input.missing)\n}');
  const lines: string[] = [];
  assert.equal(p.evaluate('data.x.p', { input: { n: 3 }, print: (m, loc) => void lines.push(`${loc.row}: ${m}`) }), true);
  assert.deepEqual(lines, ['3: n = 3 <undefined>']);
});

test('evaluate() wants a ground ref; tests() lists test_ rules', () => {
  const p = policy('package x\np := 1\ntest_p if p == 1\ntest_q if p == 2');
  evalError(() => p.evaluate('data.x[k]'), 'rego_compile_error', /not a ground reference/);
  assert.deepEqual(p.tests().map((t) => t.ref), ['data.x.test_p', 'data.x.test_q']);
  assert.equal(p.evaluate('data.x.test_q'), undefined);
});

test('unavailable OPA builtins compile, can be mocked, and halt when called', () => {
  const p = policy('package x\np := io.jwt.decode(input.t)\nq := y if y := io.jwt.decode("x") with io.jwt.decode as [1]');
  evalError(() => p.evaluate('data.x.p', { input: { t: 'a.b.c' } }), 'eval_builtin_error', /io\.jwt\.decode: not available in Airlock/);
  assert.deepEqual(toJS(p.evaluate('data.x.q') as Value), [1]);
});

test('prepared refs and queries are reused across evaluations', () => {
  const p = policy('package x\np := input.n + 1');
  for (let i = 0; i < 50; i++) assert.equal(p.evaluate('data.x.p', { input: { n: i } }), i + 1);
  assert.equal(p.query('x := data.x.p', { input: { n: 1 } })[0]?.bindings.x, 2);
});

test('empty packages are empty objects; base data wins over rules at the same path', () => {
  const p = compile(
    [
      { path: 'a.rego', source: 'package a.b' },
      { path: 'c.rego', source: 'package c\nk := "rule"' },
    ],
    { data: { c: { k: 'base' } } },
  );
  assert.deepEqual(toJS(p.evaluate('data') as Value), { a: { b: {} }, c: { k: 'base' } });
  assert.ok(p.evaluate('data.a.b') instanceof RObject);
});

test('rule indexing: only rules whose guard matches are evaluated, results unchanged', () => {
  const rules = ['npm', 'pypi', 'oci', 'huggingface', 'maven']
    .map((eco, i) => `deny contains "${eco}-${i}" if {\n  input.ecosystem == "${eco}"\n  to_number(input.bad_${eco})\n}`)
    .join('\n');
  const p = policy(`package x\n${rules}\ndeny contains "any" if input.block\n`);
  const input = { ecosystem: 'pypi', bad_pypi: '1', bad_npm: 'x', bad_oci: 'x', block: true };
  // Strict mode: evaluating an unmatched rule would raise on to_number("x").
  assert.deepEqual(toJS(p.evaluate('data.x.deny', { input, strictBuiltinErrors: true }) as Value), ['any', 'pypi-1']);
  assert.deepEqual(toJS(p.evaluate('data.x.deny', { input: { ecosystem: 'cargo', block: true } }) as Value), ['any']);
  assert.deepEqual(toJS(p.evaluate('data.x.deny', { input: {} }) as Value), []);
});

test('evaluateAll shares one evaluation across refs', () => {
  const p = policy('package x\nbase := count(input.xs)\ndeny contains "many" if base > 2\nwarn contains "some" if base > 0\nnone := 1 if false');
  const [deny, warn, none] = p.evaluateAll(['data.x.deny', 'data.x.warn', 'data.x.none'], { input: { xs: [1, 2, 3] } });
  assert.deepEqual(toJS(deny as Value), ['many']);
  assert.deepEqual(toJS(warn as Value), ['some']);
  assert.equal(none, undefined);
});

test('field access works on objects, sets (membership) and arrays', () => {
  const p = policy('package x\ns := {"a", "b"}\np := s.a\nq := s.c\nr := input\nt := input.xs[1]\nu := input.o.k');
  assert.equal(p.evaluate('data.x.p'), 'a');
  assert.equal(p.evaluate('data.x.q'), undefined);
  assert.deepEqual(toJS(p.evaluate('data.x.r', { input: { xs: [1, 2] } }) as Value), { xs: [1, 2] });
  assert.equal(p.evaluate('data.x.t', { input: { xs: [1, 2] } }), 2);
  assert.equal(p.evaluate('data.x.u', { input: { o: 'not an object' } }), undefined);
});

test('evaluation-independent rules are shared across evaluations; input-dependent ones are not', () => {
  const p = policy(
    `package x
blocked := {name | some name in data.blocklist}
decision := {"blocked": blocked_now}
blocked_now := input.name in blocked
stamp := time.now_ns()
strictish := to_number(data.s)
`,
    { blocklist: ['evil', 'worse'], s: 'nan?' },
  );
  assert.deepEqual(toJS(p.evaluate('data.x.decision', { input: { name: 'evil' } }) as Value), { blocked: true });
  assert.deepEqual(toJS(p.evaluate('data.x.decision', { input: { name: 'good' } }) as Value), { blocked: false });
  assert.notEqual(toJSONText(p.evaluate('data.x.stamp', { nowNs: 1n }) as Value), toJSONText(p.evaluate('data.x.stamp', { nowNs: 2n }) as Value));
  // A shared value computed in non-strict mode does not hide the error in strict mode.
  assert.equal(p.evaluate('data.x.strictish'), undefined);
  evalError(() => p.evaluate('data.x.strictish', { strictBuiltinErrors: true }), 'eval_builtin_error', /to_number/);
  // with data overrides bypass shared values.
  assert.deepEqual(toJS(p.query('x := data.x.blocked with data.blocklist as ["other"]')[0]?.bindings.x as Value), ['other']);
  assert.deepEqual(toJS(p.evaluate('data.x.blocked') as Value), ['evil', 'worse']);
});
