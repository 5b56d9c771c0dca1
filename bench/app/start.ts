/**
 * `npm run bench:start`: what Node's compile cache saves a gateway, measured against starts
 * without it in the same run.
 *
 * Gateway starts (`airlock serve` as deployed, each with a fresh data directory, then one package
 * request so the modules requests load are loaded too), in turn each round:
 *  - cold cache: an empty compile cache where Node puts it by default (`node-compile-cache` in a
 *    temporary folder of its own, TMPDIR, with no NODE_COMPILE_CACHE: the launcher enables the
 *    cache, as it does for most servers), which the launcher fills first in a process of its own
 *    (`src/cli/prime-compile-cache.ts`);
 *  - warm cache: the same directory at the next start;
 *  - baseline, no cache: a compile cache directory that cannot be made, so the server strips
 *    every module it loads itself, as a start with a cold cache did before the launcher filled it.
 * Each: the time until it listens, its RSS a second after the request, its own CPU and the CPU of
 * the processes it waited for (the fill).
 *
 * The model scanner's worker, in a process with the compile cache on, as the gateway runs it:
 * started as the pool starts it (the cache turned on in the worker) against from its TypeScript
 * entry (the worker strips the scanner with a stripper of its own, as every worker did before):
 * the process's RSS before and once the worker has loaded the scanner.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { airlock, cpuSeconds, exitedChildrenCpuSeconds, memoryOf } from '../npm/processes.ts';
import { removeDeferred } from '../npm/scratch.ts';
import { wholeNumber } from '../options.ts';
import { median } from '../stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const ROUNDS = wholeNumber(values.rounds, 'rounds');
const MiB = 1024 * 1024;
/** Nothing listens here: the package request fails upstream, after loading what requests load. */
const UPSTREAM = 'http://127.0.0.1:9/';

interface Start {
  readonly readyMs: number;
  readonly rssMiB: number;
  readonly cpuS: number;
  readonly fillCpuS: number;
}

/** A gateway start with these variables (where its compile cache is). */
async function start(env: NodeJS.ProcessEnv): Promise<Start> {
  const t0 = performance.now();
  const a = await airlock(UPSTREAM, [], env);
  const readyMs = performance.now() - t0;
  try {
    await (await fetch(`${a.url}/npm/left-pad`)).text();
    await new Promise((r) => setTimeout(r, 1000));
    const pid = a.child.pid;
    return { readyMs, rssMiB: memoryOf(pid).rss / MiB, cpuS: cpuSeconds(pid), fillCpuS: exitedChildrenCpuSeconds(pid) };
  } finally {
    await a.stop();
  }
}

const WORKER_SCRIPT = `
import { enableCompileCache, flushCompileCache } from 'node:module';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
const [cache, how] = process.argv.slice(2);
enableCompileCache(cache);
const { workerBoot, WORKER_ENTRY } = await import(${JSON.stringify(new URL('../../src/scan/worker/pool.ts', import.meta.url).href)});
flushCompileCache();
const rss = () => Number(/^VmRSS:\\s+(\\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
await new Promise((r) => setTimeout(r, 300));
const before = rss();
const worker = how === 'boot' ? new Worker(workerBoot(WORKER_ENTRY), { eval: true }) : new Worker(WORKER_ENTRY);
const [ready] = await once(worker, 'message');
if (ready.kind !== 'ready') throw new Error('the worker did not say it was ready');
await new Promise((r) => setTimeout(r, 500));
const after = rss();
await worker.terminate();
console.log(JSON.stringify({ before, after }));
`;

/**
 * A process with the compile cache in `cache` on that starts one scan worker, from the line of
 * code the pool starts its workers with (`boot`) or from its TypeScript entry (`entry`, as the
 * pool did before), and waits until it has loaded the scanner: MiB of RSS the process gained.
 */
function workerGain(script: string, cache: string, how: 'boot' | 'entry'): number {
  const r = spawnSync(process.execPath, [script, cache, how], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the scan worker process failed:\n${r.stderr}`);
  const { before, after } = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { before: number; after: number };
  return after - before;
}

const dir = await mkdtemp(join(tmpdir(), 'airlock-bench-start-'));
try {
  const starts = { cold: [] as Start[], warm: [] as Start[], none: [] as Start[] };
  // Under a regular file the cache directory cannot be made, and Node runs without a cache.
  await writeFile(join(dir, 'file'), '');
  for (let i = 0; i < ROUNDS; i++) {
    const temp = join(dir, `tmp-${i}`);
    await mkdir(temp);
    const byDefault = { TMPDIR: temp, NODE_COMPILE_CACHE: undefined };
    starts.cold.push(await start(byDefault));
    starts.warm.push(await start(byDefault));
    starts.none.push(await start({ NODE_COMPILE_CACHE: join(dir, 'file', 'cache') }));
    process.stderr.write(`round ${i + 1}/${ROUNDS} done\n`);
  }
  const med = (r: readonly Start[], f: (s: Start) => number, digits: number): string => median(r.map(f)).toFixed(digits);
  const line = (label: string, r: readonly Start[]): string =>
    `  ${label.padEnd(34)} listening after ${med(r, (s) => s.readyMs, 0).padStart(5)} ms   RSS ${med(r, (s) => s.rssMiB, 1)} MiB   CPU ${med(r, (s) => s.cpuS, 2)} s + fill ${med(r, (s) => s.fillCpuS, 2)} s`;
  console.log(`airlock serve, ${ROUNDS} rounds, median (RSS a second after one package request)`);
  console.log(line('cold cache, filled first', starts.cold));
  console.log(line('warm cache', starts.warm));
  console.log(line('baseline: no cache (all stripped)', starts.none));

  const script = join(dir, 'worker.mjs');
  await writeFile(script, WORKER_SCRIPT);
  const cache = join(dir, 'worker-cache');
  workerGain(script, cache, 'boot'); // fills the cache, as the gateway's fill and first worker do
  const boot: number[] = [];
  const entry: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    boot.push(workerGain(script, cache, 'boot'));
    entry.push(workerGain(script, cache, 'entry'));
  }
  console.log(`a model-scan worker in a process with the compile cache on, ${ROUNDS} processes each, median: RSS gained once it has loaded the scanner`);
  console.log(`  started as the pool starts it: ${median(boot).toFixed(1)} MiB   baseline: started from its entry (strips the scanner) ${median(entry).toFixed(1)} MiB`);
} finally {
  await removeDeferred();
  await rm(dir, { recursive: true, force: true });
}
