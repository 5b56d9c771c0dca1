/**
 * Runs one fuzz target in a worker thread under a heap cap, with a CPU budget per call and a
 * wall-clock limit on a call that does not return, so a parser that is slow, hangs or allocates
 * without bound fails the test (naming the input it was on) instead of hanging the suite.
 * `FUZZ_SEED` replaces the seed and `FUZZ_SCALE` multiplies the iteration count for a longer
 * local run; both are printed with every failure.
 *
 * Neither limit is on the run's wall-clock time: on a loaded machine (two cores shared by several
 * test files and real clients) a thread waits for a core for much of it, so a run of 5 s or a call
 * of 300 ms took several times as long as its CPU time, and a bound on it failed for the load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { snippet } from './mutate.ts';
import { PROGRESS, progressBuffer, progressViews } from './progress.ts';

export interface FuzzRun {
  /** The target module's URL (`new URL('./targets/x.ts', import.meta.url).href`). */
  readonly module: string;
  readonly target: string;
  readonly seed: number;
  /** Mutations per seed input. */
  readonly iterations: number;
  /** Wall-clock time one call may go without returning before the run is ended as hung (default 30 s). */
  readonly stallMs?: number;
  /** CPU time of the worker thread one call may take (default 2 s). */
  readonly slowMs?: number;
  /** Heap cap of the worker (default 512 MiB). */
  readonly maxHeapMb?: number;
}

export interface FuzzResult {
  readonly failures: readonly string[];
  readonly calls: number;
  readonly seeds: number;
}

export function runFuzz(run: FuzzRun): Promise<FuzzResult> {
  const seed = process.env['FUZZ_SEED'] === undefined ? run.seed : Number(process.env['FUZZ_SEED']);
  const iterations = Math.ceil(run.iterations * Number(process.env['FUZZ_SCALE'] ?? 1));
  const progress = progressBuffer();
  const { header, head } = progressViews(progress);
  const worker = new Worker(new URL('./worker.ts', import.meta.url), {
    workerData: { module: run.module, target: run.target, seed, iterations, slowMs: run.slowMs ?? 2000, progress },
    resourceLimits: { maxOldGenerationSizeMb: run.maxHeapMb ?? 512, stackSizeMb: 4 },
  });
  const where = (): string => {
    const [k, i, len] = [header[PROGRESS.seedIndex], header[PROGRESS.iteration], header[PROGRESS.inputLength] ?? 0];
    const input = head.subarray(0, Math.min(head.length, len));
    return `${run.target} seed ${seed} ${k === -1 ? 'extra input' : `seed input ${k} iteration`} ${i}\n  input (first bytes of ${len}): ${snippet(input)}`;
  };
  const stallMs = run.stallMs ?? 30_000;
  return new Promise<FuzzResult>((resolve, reject) => {
    // The worker exits by itself once it has posted its result; it is terminated only when it
    // hangs. Terminating a thread that is finishing on its own is a path a Node crash was seen
    // on (CI ended a fuzz file's process this way once, with no failure of its own to report).
    let result: FuzzResult | undefined;
    // Each look finds the calls begun moved on, or the same call still running: ended once one
    // has run at least `stallMs` (between one and two looks). After the result, one more look
    // that finds the worker still there ends it: a target left something running.
    let seen = -1;
    const timer = setInterval(() => {
      const begun = Atomics.load(header, PROGRESS.callsBegun);
      if (result === undefined && begun !== seen) {
        seen = begun;
        return;
      }
      clearInterval(timer);
      void worker.terminate();
      reject(
        new Error(
          result !== undefined
            ? `fuzz worker did not exit within ${stallMs} ms of reporting: ${run.target} left something running (a server, a timer)`
            : begun === 0
              ? `fuzz target did not load and build its seed inputs in ${stallMs} ms: ${run.target}`
              : `fuzz call did not return in ${stallMs} ms; it was on ${where()}`,
        ),
      );
    }, stallMs);
    worker.once('message', (m: FuzzResult) => {
      result = m;
    });
    worker.once('error', (err) => {
      clearInterval(timer);
      reject(new Error(`fuzz worker died (${err.message}); it was on ${where()}`, { cause: err }));
    });
    worker.once('exit', (code) => {
      clearInterval(timer);
      if (result !== undefined && code === 0) resolve(result);
      else reject(new Error(`fuzz worker exited with ${code} ${result === undefined ? 'before reporting' : 'after reporting'}; it was on ${where()}`));
    });
  });
}

/** Registers one node:test test per target of `module`: `plan` maps a target to its mutations per seed input. */
export function fuzzTests(module: string, seed: number, plan: Readonly<Record<string, number>>): void {
  for (const [target, iterations] of Object.entries(plan)) {
    test(`fuzz: ${target}`, async () => {
      const r = await runFuzz({ module, target, seed, iterations });
      assert.deepEqual(r.failures, [], r.failures.join('\n'));
      assert.ok(r.calls >= iterations, `only ${r.calls} calls`);
    });
  }
}
