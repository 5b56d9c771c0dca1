/**
 * Runs one fuzz target in a worker thread under a wall-clock deadline and a heap cap, so a
 * parser that hangs or allocates without bound fails the test (naming the input it was on)
 * instead of hanging the suite. `FUZZ_SEED` replaces the seed and `FUZZ_SCALE` multiplies the
 * iteration count for a longer local run; both are printed with every failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { snippet } from './mutate.ts';

export interface FuzzRun {
  /** The target module's URL (`new URL('./targets/x.ts', import.meta.url).href`). */
  readonly module: string;
  readonly target: string;
  readonly seed: number;
  /** Mutations per seed input. */
  readonly iterations: number;
  /** Whole-run deadline (default 30 s). */
  readonly timeoutMs?: number;
  /** Budget of one call (default 2 s). */
  readonly slowMs?: number;
  /** Heap cap of the worker (default 512 MiB). */
  readonly maxHeapMb?: number;
}

export interface FuzzResult {
  readonly failures: readonly string[];
  readonly calls: number;
  readonly seeds: number;
}

const HEAD_BYTES = 512;

export function runFuzz(run: FuzzRun): Promise<FuzzResult> {
  const seed = process.env['FUZZ_SEED'] === undefined ? run.seed : Number(process.env['FUZZ_SEED']);
  const iterations = Math.ceil(run.iterations * Number(process.env['FUZZ_SCALE'] ?? 1));
  const progress = new SharedArrayBuffer(12 + HEAD_BYTES);
  const worker = new Worker(new URL('./worker.ts', import.meta.url), {
    workerData: { module: run.module, target: run.target, seed, iterations, slowMs: run.slowMs ?? 2000, progress },
    resourceLimits: { maxOldGenerationSizeMb: run.maxHeapMb ?? 512, stackSizeMb: 4 },
  });
  const where = (): string => {
    const [k, i, len] = new Int32Array(progress, 0, 3);
    const input = new Uint8Array(progress, 12, Math.min(HEAD_BYTES, len ?? 0));
    return `${run.target} seed ${seed} ${k === -1 ? 'extra input' : `seed input ${k} iteration`} ${i}\n  input (first bytes of ${len}): ${snippet(input)}`;
  };
  return new Promise<FuzzResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`fuzz run did not finish in ${run.timeoutMs ?? 30_000} ms; it was on ${where()}`));
    }, run.timeoutMs ?? 30_000);
    worker.once('message', (m: FuzzResult) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`fuzz worker died (${err.message}); it was on ${where()}`, { cause: err }));
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fuzz worker exited with ${code} before reporting; it was on ${where()}`));
    });
  });
}

/** Registers one node:test test per target of `module`: `plan` maps a target to its mutations per seed input. */
export function fuzzTests(module: string, seed: number, plan: Readonly<Record<string, number>>): void {
  for (const [target, iterations] of Object.entries(plan)) {
    test(`fuzz: ${target}`, async () => {
      const r = await runFuzz({ module, target, seed, iterations, timeoutMs: 40_000 });
      assert.deepEqual(r.failures, [], r.failures.join('\n'));
      assert.ok(r.calls >= iterations, `only ${r.calls} calls`);
    });
  }
}
