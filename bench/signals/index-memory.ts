/**
 * One look-alike index built in this (fresh) process, measured: `node --expose-gc
 * bench/signals/index-memory.ts --list npm|pypi|mixed [--engine DIR]` prints one JSON line.
 * Resident set, V8 heap and ArrayBuffers are read after full collections: with the engine and
 * list modules loaded, with the list loaded, after the build, and after the benchmark's query
 * mix has been asked of the index once. `bench/signals/lookalike.ts` runs it.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as currentEngine from '../../src/signals/lookalike/index.ts';
import type { PopularName } from '../../src/signals/lookalike/index.ts';
import { loadLegitPairs, loadPopularList } from '../../src/signals/popular/index.ts';
import { mixedPopularList, queries } from './queries.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const argv = process.argv.slice(2);
const option = (flag: string): string | undefined => {
  const at = argv.indexOf(flag);
  return at === -1 ? undefined : argv[at + 1];
};
const listName = option('--list') ?? 'npm';
if (listName !== 'npm' && listName !== 'pypi' && listName !== 'mixed') throw new Error(`--list npm|pypi|mixed, not ${listName}`);
const engineDir = option('--engine');
const engine: typeof currentEngine =
  engineDir === undefined ? currentEngine : ((await import(pathToFileURL(resolve(engineDir, 'index.ts')).href)) as typeof currentEngine);

export interface Sample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
  /** Committed young generation (V8 grows it under allocation pressure and keeps the pages). */
  readonly newSpace: number;
}

function sample(): Sample {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, newSpace };
}

const loaded = sample();
let names: readonly PopularName[];
let pairs: readonly (readonly [string, string])[] = [];
if (listName === 'mixed') {
  names = await mixedPopularList();
} else {
  [names, pairs] = await Promise.all([loadPopularList(listName).then((l) => l.names), loadLegitPairs(listName)]);
}
const listed = sample();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const index = engine.createLookalikeIndex(names, { rules: listName === 'pypi' ? 'pypi' : 'npm', legitPairs: pairs });
const buildMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const built = sample();
for (const { names: asked } of queries(names)) for (const name of asked) index.match(name);
const used = sample();
// Keep the list and the index alive up to the last sample.
if (names.length === 0 || index.size === 0) throw new Error('empty index');
console.log(JSON.stringify({ list: listName, names: index.size, buildMs, buildCpuMs: (cpu.user + cpu.system) / 1000, loaded, listed, built, used }));
