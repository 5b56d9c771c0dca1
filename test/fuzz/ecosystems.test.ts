/**
 * Seeded mutation fuzzing of the parsers of upstream ecosystem documents (targets in
 * `targets/ecosystems.ts`): npm packuments, PyPI project pages, OCI manifests. Each target runs
 * in a worker with a deadline and a heap cap; a failure names the seed, iteration and input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../support/fuzz/run.ts';

const MODULE = new URL('./targets/ecosystems.ts', import.meta.url).href;

const PLAN: ReadonlyArray<readonly [string, number]> = [
  ['npm-json-scan', 1500],
  ['npm-packument', 2000],
  ['npm-manifest', 2000],
  ['pypi-json', 2000],
  ['pypi-html', 2000],
  ['oci', 1500],
];

for (const [target, iterations] of PLAN) {
  test(`fuzz: ${target}`, async () => {
    const r = await runFuzz({ module: MODULE, target, seed: 0xec05, iterations, timeoutMs: 40_000 });
    assert.deepEqual(r.failures, [], r.failures.join('\n'));
    assert.ok(r.calls >= iterations, `only ${r.calls} calls`);
  });
}
