/**
 * Seeded mutation fuzzing of the content scanner and the Python distribution inspector (targets
 * in `targets/scan.ts`): each target runs in a worker with a deadline and a heap cap; a failure
 * names the seed, iteration and input. `FUZZ_SCALE=20` runs a longer local campaign.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../support/fuzz/run.ts';

const MODULE = new URL('./targets/scan.ts', import.meta.url).href;

/** Target → mutations per seed input (fixture counts differ: keep each under a few seconds). */
const PLAN: ReadonlyArray<readonly [string, number]> = [
  ['pickle', 6],
  ['zip', 20],
  ['archives', 12],
  ['pytorch', 10],
  ['joblib', 20],
  ['safetensors', 60],
  ['gguf', 12],
  ['keras', 20],
  ['onnx', 30],
  ['numpy', 30],
  ['hdf5', 8],
  ['tensorflow', 20],
  ['wheel', 300],
  ['sdist', 150],
];

for (const [target, iterations] of PLAN) {
  test(`fuzz: ${target}`, async () => {
    const r = await runFuzz({ module: MODULE, target, seed: 0x5ca11ab1, iterations, timeoutMs: 40_000 });
    assert.deepEqual(r.failures, [], r.failures.join('\n'));
    assert.ok(r.calls >= iterations, `only ${r.calls} calls`);
  });
}
