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
