/**
 * The fuzz worker: loads one target module, runs every mutation of every seed through the
 * target, and posts back the contract violations. Before each call it writes the seed index,
 * iteration and the input's first bytes to shared memory, so the parent can name the input of a
 * call that never returns after it terminates this thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { iterationRng, mutateBytes, mutateText, snippet } from './mutate.ts';
import { asText, isGenericJsFailure, text, type FuzzTarget } from './target.ts';
import { PROGRESS, progressViews } from './progress.ts';

interface Job {
  readonly module: string;
  readonly target: string;
  readonly seed: number;
  readonly iterations: number;
  readonly slowMs: number;
  readonly progress: SharedArrayBuffer;
}

const job = workerData as Job;
const mod = (await import(job.module)) as { targets: Record<string, FuzzTarget> };
const target = mod.targets[job.target];
if (target === undefined) throw new Error(`no fuzz target ${job.target} in ${job.module}`);

const { header, head } = progressViews(job.progress);
const failures: string[] = [];
let calls = 0;

async function one(input: Uint8Array, where: string): Promise<void> {
  header[PROGRESS.inputLength] = input.length;
  head.set(input.subarray(0, head.length));
  calls++;
  Atomics.store(header, PROGRESS.callsBegun, calls);
  // The thread's CPU time, not the wall clock's: a loaded machine keeps the thread waiting for a core.
  const started = process.threadCpuUsage();
  let problem: string | undefined;
  try {
    problem = await target!.run(input);
  } catch (err) {
    if (!target!.accepts(err) || (err instanceof Error && isGenericJsFailure(err))) {
      problem = `threw ${err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 6).join('\n') : String(err)}`;
    }
  }
  const used = process.threadCpuUsage(started);
  const took = (used.user + used.system) / 1000;
  if (problem === undefined && took > job.slowMs) problem = `took ${Math.round(took)} ms of CPU (budget ${job.slowMs} ms)`;
  if (problem !== undefined && failures.length < 20) failures.push(`${job.target} seed ${job.seed} ${where}: ${problem}\n  input: ${snippet(input)}`);
}

const seeds = await target.seeds();
for (const [k, original] of seeds.entries()) {
  for (let i = 0; i < job.iterations; i++) {
    header[PROGRESS.seedIndex] = k;
    header[PROGRESS.iteration] = i;
    const rnd = iterationRng(job.seed, k, i);
    const input = target.text === true && rnd() < 0.6 ? text(mutateText(asText(original), rnd)) : mutateBytes(original, rnd);
    await one(input, `seed input ${k} iteration ${i}`);
  }
}
for (const [k, input] of (target.extra?.() ?? []).entries()) {
  header[PROGRESS.seedIndex] = -1;
  header[PROGRESS.iteration] = k;
  await one(input, `extra input ${k}`);
}
await target.done?.();
parentPort!.postMessage({ failures, calls, seeds: seeds.length });
