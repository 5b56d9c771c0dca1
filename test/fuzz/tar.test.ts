/**
 * Seeded mutation fuzzing of npm's streaming tar reader and of policy bundle archives (targets
 * in `targets/tar.ts`), each in a worker with a deadline and a heap cap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../support/fuzz/run.ts';

const MODULE = new URL('./targets/tar.ts', import.meta.url).href;

for (const [target, iterations] of [['npm-tar', 2000], ['policy-bundle-archive', 1000]] as const) {
  test(`fuzz: ${target}`, async () => {
    const r = await runFuzz({ module: MODULE, target, seed: 0x7a7, iterations, timeoutMs: 40_000 });
    assert.deepEqual(r.failures, [], r.failures.join('\n'));
    assert.ok(r.calls >= iterations, `only ${r.calls} calls`);
  });
}
