/**
 * `npm run bench:signals`: look-alike scoring of one name against 20,000 popular names.
 *
 * The index (`createLookalikeIndex`) is measured per name (p50/p99/mean over a mixed query set),
 * side by side with a brute-force baseline measured in the same run: the same question answered
 * by scanning all 20,000 names with a bounded edit distance plus the separator/homoglyph
 * comparisons (no index). Target: under 1 ms per name for the index.
 *
 * Queries: typo/affix/scope/homoglyph variants of popular names, popular names themselves (the
 * short-circuit path), and random names that look like nothing (the common case at a gateway).
 *
 * Each name is scored REPEATS times in a row. "first call" is each name's first call (cold caches
 * for that name: what a gateway sees); "best of N" takes each name's fastest call, which removes
 * preemption by other processes and GC pauses on a shared machine (the bench prints the load
 * average) and is the intrinsic cost of the lookup. The baseline is treated the same way.
 * `--engine DIR` measures another copy of src/signals/lookalike on the same queries.
 */
import { loadavg, availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as currentEngine from '../../src/signals/lookalike/index.ts';
import type { PopularName } from '../../src/signals/lookalike/index.ts';
import { loadNpmPopular, loadPypiPopular } from '../../src/signals/popular/index.ts';

// `--engine DIR`: measure another copy of src/signals/lookalike (e.g. a previous commit's).
const engineAt = process.argv.indexOf('--engine');
const engineDir = engineAt === -1 ? undefined : process.argv[engineAt + 1];
const engine: typeof currentEngine =
  engineDir === undefined ? currentEngine : ((await import(pathToFileURL(resolve(engineDir, 'index.ts')).href)) as typeof currentEngine);
const { createLookalikeIndex, boundedOsaDistance, skeletonOf } = engine;

const LIST_SIZE = 20_000;
const QUERIES_PER_KIND = 700;
const BASELINE_QUERIES = 100;
const REPEATS = 5;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function popularList(): Promise<PopularName[]> {
  const [npm, pypi] = await Promise.all([loadNpmPopular(), loadPypiPopular()]);
  const seen = new Set<string>();
  const out: PopularName[] = [];
  for (const p of [...npm.names, ...pypi.names]) {
    const key = p.name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: p.name, rank: out.length + 1 });
    if (out.length === LIST_SIZE) break;
  }
  return out;
}

function queries(list: readonly PopularName[]): { kind: string; names: string[] }[] {
  const rand = rng(20251121);
  const pick = (): string => (list[Math.floor(rand() * list.length)] as PopularName).name;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const mutate = (s: string): string => {
    const i = Math.floor(rand() * s.length);
    switch (Math.floor(rand() * 4)) {
      case 0:
        return s.slice(0, i) + s.slice(i + 1);
      case 1:
        return s.slice(0, i) + letters[Math.floor(rand() * 26)] + s.slice(i);
      case 2:
        return s.slice(0, i) + letters[Math.floor(rand() * 26)] + s.slice(i + 1);
      default:
        return i + 1 < s.length ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : `${s}s`;
    }
  };
  const affixes = ['-js', 'node-', '-utils', 'py-', '-cli', '2', '-dev'];
  const random = (): string => {
    let s = '';
    const len = 5 + Math.floor(rand() * 12);
    for (let i = 0; i < len; i++) s += rand() < 0.1 && i > 0 ? '-' : letters[Math.floor(rand() * 26)];
    return s;
  };
  const n = QUERIES_PER_KIND;
  return [
    { kind: 'typo variants', names: Array.from({ length: n }, () => mutate(pick())) },
    { kind: 'affix / scope / homoglyph', names: Array.from({ length: n }, (_, i) => {
      const p = pick();
      if (i % 3 === 0) { const a = affixes[i % affixes.length] as string; return a.endsWith('-') ? a + p : p + a; }
      if (i % 3 === 1) return p.startsWith('@') ? p.replace('@', '@x') : `@evil/${p}`;
      return p.replace(/o/, '0').replace(/l/, '1');
    }) },
    { kind: 'popular names', names: Array.from({ length: n }, pick) },
    { kind: 'random names', names: Array.from({ length: n }, random) },
  ];
}

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

const list = await popularList();
const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const index = createLookalikeIndex(list, { rules: 'npm' });
const buildMs = performance.now() - t0;
const heapAfter = process.memoryUsage().heapUsed;
const prepared = list.map((p) => {
  const key = p.name.toLowerCase();
  const flat = key.replace(/[-_.@/]/g, '');
  return { key, flat, skeleton: skeletonOf(flat) };
});

console.log(`look-alike scoring against ${list.length} popular names (npm rules; npm-high-impact + top PyPI names)${engineDir === undefined ? '' : `; engine ${resolve(engineDir)}`}`);
console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (tails grow with load)`);
console.log(`index build: ${buildMs.toFixed(0)} ms, heap +${((heapAfter - heapBefore) / 1048576).toFixed(1)} MiB (approx.)\n`);
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
