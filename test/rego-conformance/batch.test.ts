/**
 * Batch evaluation against plain evaluation, over OPA's conformance cases: each recorded
 * passing case's query is evaluated, in one batch, against its input and seeded variations of
 * it (members changed, removed, added, retyped; earlier inputs repeated), and every answer —
 * rows or error — must be the one a plain evaluation of the same input gives. Error cases run
 * too (the batch must fail the same way); cases without an object input get a small generated
 * one. Cases calling `uuid.rfc4122` or `rand.intn` answer anew in every evaluation, so their
 * answers are not compared.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile, RegoError, type CompiledPolicy, type EvalOptions } from '../../src/rego/index.ts';
import { canonicalKey, RObject, RSet, type Value } from '../../src/rego/value.ts';
import { seededRandom } from '../support/seeded-random.ts';
import { EXCLUDED_CASES } from './folders.ts';
import { type Case, loadFolder, suiteAvailable } from './run-case.ts';
import { readPassing, runnableFolders } from './suite.ts';

const NOW_NS = 1_750_000_000_000_000_000n;
const VARIANTS = 5;

type Json = null | boolean | number | bigint | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is { [k: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone(v: Json): Json {
  if (Array.isArray(v)) return v.map(clone);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
  return v;
}

/** Every object and array inside `v`, with `v` itself first. */
function containers(v: Json, out: (Json[] | { [k: string]: Json })[] = []): (Json[] | { [k: string]: Json })[] {
  if (Array.isArray(v)) {
    out.push(v);
    for (const x of v) containers(x, out);
  } else if (isObject(v)) {
    out.push(v);
    for (const x of Object.values(v)) containers(x, out);
  }
  return out;
}

function changed(v: Json, r: () => number): Json {
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'bigint') return v + 1n;
  if (typeof v === 'string') return r() < 0.5 ? `${v}x` : '';
  if (typeof v === 'boolean') return !v;
  if (v === null) return 0;
  const pick = r();
  if (pick < 0.3) return [];
  if (pick < 0.6) return {};
  return 'changed';
}

/** A seeded variation of an object input: one to three edits somewhere inside it. */
function vary(input: { [k: string]: Json }, r: () => number): { [k: string]: Json } {
  const out = clone(input) as { [k: string]: Json };
  const edits = 1 + Math.floor(r() * 3);
  for (let e = 0; e < edits; e++) {
    const all = containers(out);
    const c = all[Math.floor(r() * all.length)] as Json[] | { [k: string]: Json };
    const op = r();
    if (Array.isArray(c)) {
      if (c.length > 0 && op < 0.5) {
        const i = Math.floor(r() * c.length);
        c[i] = changed(c[i] as Json, r);
      } else if (c.length > 0 && op < 0.75) c.pop();
      else c.push(Math.floor(r() * 4));
      continue;
    }
    const keys = Object.keys(c);
    if (keys.length > 0 && op < 0.55) {
      const k = keys[Math.floor(r() * keys.length)] as string;
      c[k] = changed(c[k] as Json, r);
    } else if (keys.length > 0 && op < 0.8) {
      delete c[keys[Math.floor(r() * keys.length)] as string];
    } else {
      c[['x', 'y', 'z', 'a', 'b'][Math.floor(r() * 5)] as string] = r() < 0.5 ? Math.floor(r() * 4) : { x: 1 };
    }
  }
  return out;
}

function answer(policy: CompiledPolicy, query: string, options: EvalOptions): string {
  try {
    const rows = policy.query(query, options).map((row) => {
      const o = new RObject();
      for (const [k, v] of Object.entries(row.bindings)) o.set(k, v);
      o.set('$expressions', row.expressions.map((e) => e.value as Value));
      return o;
    });
    return canonicalKey(RSet.of(rows));
  } catch (e) {
    if (e instanceof RegoError) return `error ${e.code}: ${e.message}`;
    throw e;
  }
}

interface Checked {
  cases: number;
  evaluations: number;
  /** Cases where the batch reused something (constant rules are shared without a batch). */
  reusing: number;
}

function checkCase(c: Case, r: () => number, seen: Checked): string | null {
  const modules = (c.modules ?? []).map((source, i) => ({ path: `test-${i}.rego`, source }));
  let policy: CompiledPolicy;
  try {
    policy = compile(modules, { data: c.data ?? {}, experimentalKeywords: c.experimental_keywords === true });
  } catch {
    return null;
  }
  const base: { [k: string]: Json } = isObject(c.input) ? (c.input as { [k: string]: Json }) : { x: 1, y: { z: 'a' } };
  const inputs: { [k: string]: Json }[] = [base];
  for (let i = 0; i < VARIANTS; i++) inputs.push(vary(inputs[Math.floor(r() * inputs.length)] as { [k: string]: Json }, r));
  // Repeat some: a repeated input must reuse everything and still answer the same.
  inputs.push(base, inputs[1] as { [k: string]: Json }, inputs[inputs.length - 1] as { [k: string]: Json });
  const strict = c.strict_error === true;
  const batch = policy.batch();
  seen.cases++;
  for (const input of inputs) {
    const plain = answer(policy, c.query, { input, strictBuiltinErrors: strict, nowNs: NOW_NS });
    const batched = answer(policy, c.query, { input, strictBuiltinErrors: strict, nowNs: NOW_NS, batch });
    seen.evaluations++;
    // uuid.rfc4122 and rand.intn answer anew in every evaluation, batched or not.
    if (plain !== batched && !/uuid|rand\./.test(modules.map((m) => m.source).join('\n') + c.query)) {
      return `${c.key} [${c.note}] input ${JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}\n  plain   ${plain}\n  batched ${batched}`;
    }
  }
  if (batch.reused > 0) seen.reusing++;
  return null;
}

test('batch evaluation answers as plain evaluation on every passing conformance case and variations of its input', { skip: suiteAvailable() ? false : 'the OPA conformance suite (../shared/opa-conformance) is not available' }, () => {
  const r = seededRandom(0x5eed_ba7c);
  const seen: Checked = { cases: 0, evaluations: 0, reusing: 0 };
  const failures: string[] = [];
  for (const folder of runnableFolders()) {
    const passing = readPassing(folder);
    for (const c of loadFolder(folder)) {
      if (EXCLUDED_CASES[c.note] !== undefined || !passing.has(c.key)) continue;
      const failure = checkCase(c, r, seen);
      if (failure !== null) failures.push(failure);
    }
  }
  assert.ok(seen.cases > 1000, `only ${seen.cases} cases checked`);
  // Reuse must really happen, or the comparison proves nothing.
  assert.ok(seen.reusing > 250, `reuse in only ${seen.reusing} of ${seen.cases} cases`);
  assert.deepEqual(failures, []);
});
