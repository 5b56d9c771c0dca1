/**
 * Batch evaluation: what is reused, and the reads that must stop a reuse. Every check compares
 * the batch with a plain evaluation of the same input; the broad comparison over OPA's
 * conformance cases is test/rego-conformance/batch.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile, type CompiledPolicy, type EvalBatch, toJSONText } from '../index.ts';

const NOW = 1_750_000_000_000_000_000n;

function policyOf(body: string): CompiledPolicy {
  return compile([{ path: 'p.rego', source: `package t\nimport rego.v1\n${body}\n` }]);
}

/** Evaluates `ref` for each input in one batch, checking each answer against a plain evaluation. */
function run(p: CompiledPolicy, ref: string, inputs: readonly unknown[], batch: EvalBatch = p.batch()): string[] {
  return inputs.map((input, i) => {
    const plain = p.evaluate(ref, { input, nowNs: NOW });
    const batched = p.evaluate(ref, { input, nowNs: NOW, batch });
    const a = plain === undefined ? 'undefined' : toJSONText(plain);
    const b = batched === undefined ? 'undefined' : toJSONText(batched);
    assert.equal(b, a, `input ${i}: ${JSON.stringify(input)}`);
    return b;
  });
}

test('values that read only what the inputs share are reused; what reads a change is evaluated again', () => {
  const p = policyOf(`
shared := upper(input.pkg.name)
per_version := concat("@", [shared, input.version])
findings contains "old" if input.pkg.age > 100
findings contains "script" if input.script
`);
  const batch = p.batch();
  const inputs = [1, 2, 3].map((v) => ({ pkg: { name: 'left-pad', age: 200 }, version: `1.0.${v}`, script: v === 2 }));
  assert.deepEqual(run(p, 'data.t.per_version', inputs, batch), ['"LEFT-PAD@1.0.1"', '"LEFT-PAD@1.0.2"', '"LEFT-PAD@1.0.3"']);
  const before = batch.reused;
  assert.deepEqual(run(p, 'data.t.findings', inputs, batch), ['["old"]', '["old","script"]', '["old"]']);
  // `shared` twice (two later inputs), the "old" branch twice; the "script" branch changed.
  assert.ok(before >= 2 && batch.reused >= before + 2, `reused ${before} then ${batch.reused}`);
});

test('a rule that reads a changed input but comes out the same is not followed by its users (early cut-off)', () => {
  // `young` reads the per-input age; `held` and `label_of_held` only use `young`'s value.
  const p = policyOf(`
young if input.age < 10
held contains "young" if young
held contains "scripted" if input.pkg.scripts
summary := {"held": held, "pkg": input.pkg.name}
`);
  const batch = p.batch();
  const inputs = [50, 40, 30, 20, 15, 9, 8, 30, 31, 32].map((age, i) => ({ age, pkg: { name: 'a', scripts: i === 8 } }));
  const out = run(p, 'data.t.summary', inputs, batch);
  assert.equal(out[0], '{"held":[],"pkg":"a"}');
  assert.equal(out[5], '{"held":["young"],"pkg":"a"}');
  assert.equal(out[8], '{"held":["scripted"],"pkg":"a"}');
  // Rules computed per input: `young` always; `held` when `young` or the scripts flag changes;
  // `summary` only when `held` comes out different.
  const again = p.batch();
  const computed = inputs.map((input) => {
    const before = again.computed;
    p.evaluate('data.t.summary', { input, nowNs: NOW, batch: again });
    return again.computed - before;
  });
  assert.deepEqual(computed, [3, 1, 1, 1, 1, 3, 1, 3, 3, 3]);
});

test('a chain of rules stops at the first one that comes out the same', () => {
  const p = policyOf(`
bucket := floor(input.n / 10)
tier := "low" if bucket < 5
tier := "high" if bucket >= 5
badge := sprintf("%s-%s", [tier, input.team])
`);
  run(p, 'data.t.badge', [1, 2, 12, 49, 50, 51, 99, 3, 3, 60].map((n, i) => ({ n, team: i < 7 ? 'x' : 'y' })));
});

test('checking a stored value computes no rule that the rule would not have reached itself', () => {
  // `c` conflicts when kind is "x". `guarded` reaches it only when safe: an input that is not
  // safe must not raise the conflict because a stored `guarded` once depended on `c`.
  const p = policyOf(`
c := 1 if input.kind == "x"
c := 2 if input.kind == "x"
c := 3 if input.kind == "y"
guarded if {
  input.safe
  c == 3
}
`);
  const batch = p.batch();
  run(p, 'data.t.guarded', [{ safe: true, kind: 'y' }, { safe: false, kind: 'x' }, { safe: true, kind: 'y' }], batch);
  // Safe again, with the conflict: plain and batched evaluation both raise it.
  const input = { safe: true, kind: 'x' };
  assert.throws(() => p.evaluate('data.t.guarded', { input, nowNs: NOW }), /conflict|multiple outputs/);
  assert.throws(() => p.evaluate('data.t.guarded', { input, nowNs: NOW, batch }), /conflict|multiple outputs/);
  run(p, 'data.t.guarded', [{ safe: true, kind: 'y' }, { safe: false, kind: 'x' }], batch);
});

test('a dependency whose value holds an object of the input is compared by content', () => {
  const p = policyOf(`
meta := input.pkg if input.pkg.kind == "lib"
size := count(meta)
shown := [size, meta.name]
`);
  const inputs = [
    { pkg: { kind: 'lib', name: 'a' } },
    { pkg: { kind: 'lib', name: 'a' } },
    { pkg: { kind: 'lib', name: 'b' } },
    { pkg: { kind: 'lib', name: 'b', extra: 1 } },
    { pkg: { kind: 'app', name: 'b' } },
    { pkg: { kind: 'lib', name: 'b' } },
  ];
  run(p, 'data.t.shown', inputs);
  run(p, 'data.t.size', inputs);
});

test('a member that appears, disappears or changes type is seen', () => {
  const p = policyOf(`
kind := "absent" if not input.a.b
kind := "set" if input.a.b
`);
  run(p, 'data.t.kind', [{ a: {} }, { a: { b: true } }, { a: 1 }, { a: { b: false } }, {}, { a: { b: 1 } }, { a: [] }, { a: { b: true } }]);
});

test('counting or enumerating an object reads all of it', () => {
  const p = policyOf(`
n := count(input.obj)
keys := {k | some k, _ in input.obj}
same if input.obj == {"a": 1}
`);
  const inputs = [{ obj: { a: 1 } }, { obj: { a: 1, b: 2 } }, { obj: { a: 2 } }, { obj: { a: 1 } }, { obj: { b: 1 } }];
  run(p, 'data.t.n', inputs);
  run(p, 'data.t.keys', inputs);
  run(p, 'data.t.same', inputs);
});

test('ordering objects reads their keys', () => {
  const p = policyOf(`
lt if input.a < input.b
sorted := sort([input.a, input.b])
`);
  const inputs = [{ a: { x: 1 }, b: { x: 1, y: 1 } }, { a: { x: 1 }, b: { x: 1 } }, { a: { x: 1, z: 0 }, b: { x: 1 } }, { a: { x: 1 }, b: { x: 1, y: 1 } }];
  run(p, 'data.t.lt', inputs);
  run(p, 'data.t.sorted', inputs);
});

test('arrays are compared whole', () => {
  const p = policyOf(`
first := input.list[0]
has_b if "b" in input.list
`);
  const inputs = [{ list: ['a', 'b'] }, { list: ['a', 'c'] }, { list: ['b'] }, { list: ['a', 'b'] }, { list: [{ x: 1 }] }, { list: [{ x: 2 }] }];
  run(p, 'data.t.first', inputs);
  run(p, 'data.t.has_b', inputs);
});

test('a value holding an object of the input carries its content, even unread', () => {
  // `whole` reads input.facts.a first (so facts is converted), then `facts` returns the object
  // without reading it: reusing `facts` on a later input must not hand back the old content.
  const p = policyOf(`
peek := input.facts.a
facts := input.facts if peek
both := [peek, facts]
`);
  const inputs = [{ facts: { a: 1, b: 1 } }, { facts: { a: 1, b: 2 } }, { facts: { a: 1, b: 2, c: 3 } }, { facts: { a: 1, b: 2 } }];
  run(p, 'data.t.both', inputs);
  run(p, 'data.t.facts', inputs);
});

test('rules under with, functions and comprehensions read through the batch correctly', () => {
  const p = policyOf(`
f(x) := object.get(input.facts, x, "none")
g := f(["a", "b"])
h := v if v := g with input.facts as {"a": {"b": "mocked"}}
i := [k | some k in object.keys(input.facts)]
j := {x | some x in input.items; x > input.min}
`);
  const inputs = [
    { facts: { a: { b: 1 } }, items: [1, 2, 3], min: 1 },
    { facts: { a: { b: 1 } }, items: [1, 2, 3], min: 2 },
    { facts: { a: { c: 1 } }, items: [1, 2, 3], min: 2 },
    { facts: { a: { b: 1 } }, items: [1, 2, 4], min: 2 },
  ];
  for (const ref of ['data.t.g', 'data.t.h', 'data.t.i', 'data.t.j', 'data.t']) run(p, ref, inputs);
});

test('volatile builtins are never reused, nor is anything computed from them', () => {
  const p = policyOf(`
id := uuid.rfc4122(input.seed)
tagged := concat(":", [input.name, id])
`);
  const batch = p.batch();
  const a = p.evaluate('data.t.tagged', { input: { seed: 's', name: 'n' }, nowNs: NOW, batch });
  const b = p.evaluate('data.t.tagged', { input: { seed: 's', name: 'n' }, nowNs: NOW, batch });
  // Two evaluations answer two UUIDs, as two plain evaluations do.
  assert.notEqual(a, b);
  assert.equal(batch.reused, 0);
  // `tagged` uses `id` after `both` computed it: it must not be reused with an old UUID.
  const q = policyOf(`
id := uuid.rfc4122(input.seed)
tagged := concat(":", [input.name, id])
both := [id, tagged]
`);
  const qb = q.batch();
  for (let i = 0; i < 3; i++) {
    const v = q.evaluate('data.t.both', { input: { seed: 's', name: 'n' }, nowNs: NOW, batch: qb });
    const [id, tagged] = JSON.parse(toJSONText(v as never)) as [string, string];
    assert.equal(tagged, `n:${id}`);
  }
});

test('a batch starts afresh for another clock or strictness, and evaluates plainly what it cannot track', () => {
  const p = policyOf(`
t := time.now_ns()
lenient := count(input.x)
`);
  const batch = p.batch();
  assert.equal(p.evaluate('data.t.t', { input: {}, nowNs: 1n, batch }), 1);
  assert.equal(p.evaluate('data.t.t', { input: {}, nowNs: 2n, batch }), 2);
  // Non-strict: the type error makes the rule undefined; strict: it is an error, not a reuse.
  assert.equal(p.evaluate('data.t.lenient', { input: { x: 1 }, nowNs: 1n, batch }), undefined);
  assert.throws(() => p.evaluate('data.t.lenient', { input: { x: 1 }, nowNs: 1n, batch, strictBuiltinErrors: true }), /count/);
  // Inputs that are not objects, and no input at all.
  const q = policyOf('v := input');
  const qb = q.batch();
  for (const input of [1, 'a', [1], null, undefined, { a: 1 }, 2]) {
    const plain = q.evaluate('data.t.v', { input, nowNs: NOW });
    const batched = q.evaluate('data.t.v', { input, nowNs: NOW, batch: qb });
    assert.equal(batched === undefined ? 'undefined' : toJSONText(batched), plain === undefined ? 'undefined' : toJSONText(plain));
  }
});

test('past its bound on distinct reads a batch stops reusing and stays correct', () => {
  const p = policyOf(`
total := sum([object.get(input.m, sprintf("k%d", [i]), 0) | some i in numbers.range(0, 25000)])
name := input.name
`);
  const batch = p.batch();
  const m = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 1]));
  run(p, 'data.t.total', [{ m, name: 'a' }, { m, name: 'a' }, { m: { ...m, k5: 2 }, name: 'a' }], batch);
  assert.equal(batch.reused, 0);
  run(p, 'data.t.name', [{ name: 'a' }, { name: 'a' }], batch);
  assert.equal(batch.reused, 0);
});

test('a print hook turns the batch off (printing is a side effect to keep)', () => {
  const p = policyOf('v := x if { x := input.a; print(x) }');
  const batch = p.batch();
  const lines: string[] = [];
  for (let i = 0; i < 3; i++) p.evaluate('data.t.v', { input: { a: 1 }, nowNs: NOW, batch, print: (m) => lines.push(m) });
  assert.deepEqual(lines, ['1', '1', '1']);
  assert.equal(batch.reused, 0);
});

test('a batch passed between policies of different sizes starts each evaluation with no rule values', () => {
  const small = policyOf('v := input.a');
  const big = policyOf(`
a := input.a
b := concat("-", [a, "b"])
c := concat("-", [b, "c"])
v := concat("-", [c, "v"])
`);
  const batch = small.batch();
  for (const [i, a] of ['x', 'y', 'z', 'w'].entries()) {
    const p = i % 2 === 0 ? big : small;
    run(p, 'data.t.v', [{ a }, { a: `${a}2` }], batch);
  }
});
