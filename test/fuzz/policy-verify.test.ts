/**
 * Seeded mutation fuzzing of the policy and verification parsers (targets in
 * `targets/policy-verify.ts`): Rego modules, policy data files, Sigstore bundles, in-toto
 * statements, RFC 3161 timestamps and model signatures. Each target runs in a worker with a
 * deadline and a heap cap; a failure names the seed, iteration and input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../support/fuzz/run.ts';

const MODULE = new URL('./targets/policy-verify.ts', import.meta.url).href;

const PLAN: ReadonlyArray<readonly [string, number]> = [
  ['rego', 60],
  ['policy-data-json', 1000],
  ['policy-data-yaml', 1000],
  ['sigstore-bundle', 100],
  ['in-toto-statement', 300],
  ['rfc3161-timestamp', 500],
  ['model-signature', 1000],
];

for (const [target, iterations] of PLAN) {
  test(`fuzz: ${target}`, async () => {
    const r = await runFuzz({ module: MODULE, target, seed: 0x9017c4, iterations, timeoutMs: 40_000 });
    assert.deepEqual(r.failures, [], r.failures.join('\n'));
    assert.ok(r.calls >= iterations, `only ${r.calls} calls`);
  });
}
