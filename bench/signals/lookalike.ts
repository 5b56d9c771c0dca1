/**
 * `npm run bench:signals`: what a look-alike index costs to build and hold, and what scoring one
 * name against 20,000 popular names costs, in one run.
 *
 * Index cost: the npm and PyPI indexes the gateway builds (bundled lists and legitimate pairs) and
 * the 20,000-name list below, each built in a fresh process (`index-memory.ts`, node --expose-gc):
 * build time (wall and CPU, JIT warm-up included — what the gateway pays once), then the growth of
 * the resident set, the V8 heap and the ArrayBuffers from the list loaded to the index built, all
 * after full collections, and the same once the query mix below has been asked. `--compare DIR`
 * measures another copy of src/signals/lookalike (e.g. a previous commit's) the same way, side by
 * side.
 *
 * Scoring: the index (`createLookalikeIndex`) per name (p50/p99 over a mixed query set), side by
 * side with a brute-force baseline measured in the same run: the same question answered by
 * scanning all 20,000 names with a bounded edit distance plus the separator/homoglyph comparisons
 * (no index). Target: under 1 ms per name for the index. Queries: typo/affix/scope/homoglyph
 * variants of popular names, popular names themselves (the short-circuit path), and random names
 * that look like nothing (the common case at a gateway).
 *
 * Each name is scored REPEATS times in a row. "first call" is each name's first call (cold caches
 * for that name: what a gateway sees); "best of N" takes each name's fastest call, which removes
 * preemption by other processes and GC pauses on a shared machine (the bench prints the load
 * average) and is the intrinsic cost of the lookup. The baseline is treated the same way.
 * `--engine DIR` measures another copy of src/signals/lookalike instead of this one.
 */
import { spawnSync } from 'node:child_process';
import { loadavg, availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as currentEngine from '../../src/signals/lookalike/index.ts';
import type { Sample } from './index-memory.ts';
import { mixedPopularList, queries } from './queries.ts';

const option = (flag: string): string | undefined => {
  const at = process.argv.indexOf(flag);
  return at === -1 ? undefined : process.argv[at + 1];
};
// `--engine DIR`: measure another copy of src/signals/lookalike (e.g. a previous commit's).
const engineDir = option('--engine');
// `--compare DIR`: also measure the build and memory of another copy, side by side.
const compareDir = option('--compare');
const engine: typeof currentEngine =
  engineDir === undefined ? currentEngine : ((await import(pathToFileURL(resolve(engineDir, 'index.ts')).href)) as typeof currentEngine);
const { createLookalikeIndex, boundedOsaDistance, skeletonOf } = engine;

const BASELINE_QUERIES = 100;
const REPEATS = 5;

/** The baseline: scan every popular name (bounded OSA distance ≤ 2, separator-free and skeleton equality). */
function bruteForce(list: readonly { key: string; flat: string; skeleton: string }[], name: string): string | null {
  const key = name.toLowerCase();
  const flat = key.replace(/[-_.@/]/g, '');
  const skel = skeletonOf(flat);
  let best: string | null = null;
  let bestD = 3;
  for (const p of list) {
    if (p.key === key) return null;
    if (p.flat === flat || p.skeleton === skel) return p.key;
    const d = boundedOsaDistance(key, p.key, 2);
    if (d < bestD) {
      bestD = d;
      best = p.key;
    }
  }
  return best;
}

function stats(samples: number[]): { p50: number; p99: number; mean: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return { p50: at(0.5), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length, max: s[s.length - 1] as number };
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`).padStart(10);

interface MemoryReport {
  readonly list: string;
  readonly names: number;
  readonly buildMs: number;
  readonly buildCpuMs: number;
  readonly loaded: Sample;
  readonly listed: Sample;
  readonly built: Sample;
  readonly used: Sample;
}

/** Builds one index in a fresh process (`index-memory.ts`) and reads its report. */
function measureIndex(list: string, dir: string | undefined): MemoryReport {
  const args = ['--expose-gc', join(import.meta.dirname, 'index-memory.ts'), '--list', list, ...(dir === undefined ? [] : ['--engine', dir])];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`index-memory ${list} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as MemoryReport;
}

const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);
const plus = (bytes: number): string => `${bytes >= 0 ? '+' : ''}${mib(bytes)}`;

console.log(`look-alike index: build and memory, then scoring against 20,000 popular names${engineDir === undefined ? '' : `; engine ${resolve(engineDir)}`}`);
console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (times and tails grow with load)\n`);
console.log('index cost, each index built in a fresh process (node --expose-gc; every figure after full collections; MiB)');
console.log(
  `${'engine'.padEnd(9)}${'list'.padEnd(7)}${'names'.padStart(7)}  ${'build wall / CPU'.padStart(17)}  ${'RSS'.padStart(7)}  ${'heap'.padStart(6)}  ${'ArrayBuf'.padStart(8)}  ${'young gen'.padStart(9)}  | after the query mix: ${'RSS'.padStart(6)}  ${'heap'.padStart(6)}`,
);
const engines: [string, string | undefined][] = [[engineDir === undefined ? 'this' : 'given', engineDir]];
if (compareDir !== undefined) engines.push(['compare', compareDir]);
for (const listName of ['npm', 'pypi', 'mixed']) {
  for (const [label, dir] of engines) {
    const r = measureIndex(listName, dir);
    const d = (k: keyof Sample, to: Sample): string => plus(to[k] - r.listed[k]);
    console.log(
      `${label.padEnd(9)}${listName.padEnd(7)}${String(r.names).padStart(7)}  ${`${r.buildMs.toFixed(0)} / ${r.buildCpuMs.toFixed(0)} ms`.padStart(17)}  ${d('rss', r.built).padStart(7)}  ${d('heapUsed', r.built).padStart(6)}  ${d('arrayBuffers', r.built).padStart(8)}  ${`${mib(r.listed.newSpace)}→${mib(r.built.newSpace)}`.padStart(9)}  |                      ${d('rss', r.used).padStart(6)}  ${d('heapUsed', r.used).padStart(6)}`,
    );
  }
}
console.log(
  '(RSS, heap, ArrayBuffers: growth from the list loaded to the index built; young gen: V8\'s committed new space, which it grows under\n allocation pressure and keeps as pooled pages — part of the RSS figure; after the query mix: the same growth once the benchmark\'s\n 2,800 queries were asked)\n',
);

const list = await mixedPopularList();
const t0 = performance.now();
const index = createLookalikeIndex(list, { rules: 'npm' });
const buildMs = performance.now() - t0;
const prepared = list.map((p) => {
  const key = p.name.toLowerCase();
  const flat = key.replace(/[-_.@/]/g, '');
  return { key, flat, skeleton: skeletonOf(flat) };
});

console.log(`scoring one name against the ${list.length} names (npm rules; npm-high-impact + top PyPI names; index built in ${buildMs.toFixed(0)} ms in this process)`);
console.log(`${''.padEnd(34)}${'index, first call'.padEnd(22)}${'index, best of ' + REPEATS}     | ${'scan, first call'.padEnd(21)}${'scan, best of ' + REPEATS}`);
console.log(`${'query set'.padEnd(28)}${'n'.padStart(6)} ${'p50'.padStart(10)} ${'p99'.padStart(10)} ${'p50'.padStart(10)} ${'p99'.padStart(10)} | ${'p50'.padStart(10)} ${'p99'.padStart(10)} ${'p50'.padStart(10)} ${'p99'.padStart(10)}  speed-up (best p50)`);
const acc = { raw: [] as number[], best: [] as number[], baseRaw: [] as number[], baseBest: [] as number[] };
function measure(names: readonly string[], fn: (n: string) => unknown): { raw: number[]; best: number[] } {
  const raw: number[] = [];
  const best: number[] = [];
  for (const n of names) {
    let min = Infinity;
    for (let r = 0; r < REPEATS; r++) {
      const t = performance.now();
      fn(n);
      const dt = performance.now() - t;
      if (r === 0) raw.push(dt);
      if (dt < min) min = dt;
    }
    best.push(min);
  }
  return { raw, best };
}
const row = (label: string, n: number, i: { raw: number[]; best: number[] }, b: { raw: number[]; best: number[] }): void => {
  const [ir, ib, br, bb] = [stats(i.raw), stats(i.best), stats(b.raw), stats(b.best)];
  console.log(
    `${label.padEnd(28)}${String(n).padStart(6)} ${fmt(ir.p50)} ${fmt(ir.p99)} ${fmt(ib.p50)} ${fmt(ib.p99)} | ${fmt(br.p50)} ${fmt(br.p99)} ${fmt(bb.p50)} ${fmt(bb.p99)}  ${(bb.p50 / ib.p50).toFixed(0)}x`,
  );
};
for (const { kind, names } of queries(list)) {
  for (const n of names.slice(0, 50)) index.match(n); // warm-up
  const i = measure(names, (n) => index.match(n));
  const b = measure(names.slice(0, BASELINE_QUERIES), (n) => bruteForce(prepared, n));
  acc.raw.push(...i.raw);
  acc.best.push(...i.best);
  acc.baseRaw.push(...b.raw);
  acc.baseBest.push(...b.best);
  row(kind, names.length, i, b);
}
row('all', acc.best.length, { raw: acc.raw, best: acc.best }, { raw: acc.baseRaw, best: acc.baseBest });
const every = stats(acc.raw);
const best = stats(acc.best);
console.log(
  `\ntarget: < 1 ms per name against ${list.length} names — p99 first call ${fmt(every.p99).trim()} (${every.p99 < 1 ? 'meets' : 'misses'}), ` +
    `p99 best of ${REPEATS} ${fmt(best.p99).trim()} (${best.p99 < 1 ? 'meets' : 'misses'}); slowest call ${fmt(every.max).trim()}`,
);
