/**
 * `npm run bench:npm:replay`: the requests of a cold `npm ci` of the workload (every locked
 * package's abbreviated packument, then every tarball, 16 at a time: the order npm ci asks in,
 * read from Airlock's access log) replayed
 * straight at a fresh Airlock, then again at the same Airlock (warm), and at the floor registry
 * (the baseline) — without npm's own CPU, so Airlock's cost per install shows on its own: wall
 * time and the gateway's CPU seconds (user + system, from /proc), split by thread (main, V8
 * helpers, libuv pool) — each server's peak RSS after the replay, and what it handed to write-type
 * system calls (bytes and calls, files and sockets alike: /proc/PID/io). Medians over `--runs`.
 * BENCH_AIRLOCK_NODE_FLAGS gives the gateway extra runtime flags (heap settings), named in the
 * output, so a trade-off between CPU and peak memory is measured in one command.
 * `--compare=FLAGS` (repeatable; quote several flags, `--compare=` for none) adds gateways
 * started with other flags (a word NAME=VALUE among them sets an environment variable instead,
 * such as MALLOC_ARENA_MAX=8 or AIRLOCK_RUNTIME_TUNING=off; BENCH_AIRLOCK_ROOT=DIR runs the gateway
 * of another checkout, so a change of the code is measured against its baseline, a `git worktree`
 * of the commit before it): each run replays against every one
 * of them in turn, so a slow spell of a shared machine falls on all of them alike instead of on
 * whichever was measured then; one line per flag set. The turn moves on by one each run (run 2
 * starts with the second flag set): whichever set went second was measured cheaper often enough
 * to pass for a gain (a flag set that looked 0.3-0.7 s of CPU cheaper second was 0.3 s dearer
 * first). Each compared set also gets the median of its per-run differences in cold CPU from the
 * first set, and how many runs it was cheaper in.
 * Each server's CPU is also split by phase: the packuments (all of them come first) and the
 * tarballs.
 * `--bare` also replays cold at the bare proxy (bare-proxy.ts: proxying as such, with no gate,
 * records or inspection) each run, taking its turn in the same rotation, and prints Airlock's
 * cold CPU less the bare proxy's, by thread and by phase: what the gate, the records and the
 * inspection cost without npm's share of the cores, and on which requests.
 * `--warm-process` also replays the second half of the workload's packages (by name) cold twice
 * per run and flag set: at a fresh Airlock, and at one that has just served the first half. Both
 * see those packages for the first time, so the difference is what a fresh process pays once
 * (such as compiling its hot code), which a long-running gateway does not pay again, less what
 * the first half's data costs the second (fuller caches and tables).
 * `--hot=SECONDS` also loads the hot packument (`HOT_PACKUMENT`, as `bench:npm` does: full
 * document, gzip, `HOT_CONNECTIONS`) at each gateway right after its cold and warm replays,
 * twice in a row for SECONDS each, and prints the requests/s, the main thread's CPU per request
 * and the peak RSS after each (hot traffic can keep more memory than an install). Runtime flags
 * that change when V8 compiles, to make cold installs cheaper, show here what they cost the hot
 * path of a gateway that has just served an install.
 */
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { parseNpmPackageName } from '../../src/core/index.ts';
import { escapedName, tarballPath } from '../../src/ecosystems/npm/urls.ts';
import { airlock, startBareProxy, cpuSeconds, envWord, gatewayFlagsFromEnv, memoryOf, splitFlags, startFloor, threadCpuSeconds, writesOf } from './processes.ts';
import { median } from '../stats.ts';
import { removeDeferred } from './scratch.ts';
import { load, toolCaveat } from './load.ts';
import { wholeNumber } from '../options.ts';
import { ensureWorkloadCache, HOT_CONNECTIONS, HOT_PACKUMENT, HOT_PACKUMENT_HEADERS, lockedPackages, type LockedPackage } from './workload.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    compare: { type: 'string', multiple: true, default: [] },
    bare: { type: 'boolean', default: false },
    'warm-process': { type: 'boolean', default: false },
    hot: { type: 'string' },
  },
});
const RUNS = wholeNumber(values.runs, 'runs');
/** The gateway's flag sets: BENCH_AIRLOCK_NODE_FLAGS's, then each `--compare`. */
const VARIANTS: readonly (readonly string[])[] = [gatewayFlagsFromEnv(), ...values.compare.map(splitFlags)];
/** What each run replays at, in turn: every flag set (by index), and the bare proxy with `--bare`. */
const TURNS: readonly (number | 'bare')[] = [...VARIANTS.keys(), ...(values.bare ? (['bare'] as const) : [])];
const CONCURRENCY = 16;
/** `--hot`: seconds per hot load, 0 for none. */
const HOT_SECONDS = values.hot === undefined ? 0 : wholeNumber(values.hot, 'hot');
const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

function get(agent: Agent, url: string, accept: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { accept, 'accept-encoding': 'gzip' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Run {
  readonly seconds: number;
  /** The server's CPU seconds. */
  readonly cpu: number;
  /** The same, while it served the packuments (the rest went to the tarballs, which follow them). */
  readonly packumentCpu: number;
  /** The same, by thread name. */
  readonly threads: ReadonlyMap<string, number>;
  /** The server's peak RSS so far (VmHWM), bytes. */
  readonly peakRss: number;
  /** Bytes and calls the server handed to write-type system calls (files and sockets). */
  readonly written: { readonly bytes: number; readonly calls: number };
}

async function replay(base: string, pkgs: readonly LockedPackage[], pid: number): Promise<Run> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const cpu0 = cpuSeconds(pid);
  const threads0 = threadCpuSeconds(pid);
  const written0 = writesOf(pid);
  const started = performance.now();
  const failures: string[] = [];
  const phase = async (what: string, url: (p: LockedPackage) => string, accept: string): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < pkgs.length) {
          const p = pkgs[next++] as LockedPackage;
          const status = await get(agent, url(p), accept);
          if (status !== 200) failures.push(`${p.name}@${p.version} ${what}: ${status}`);
        }
      }),
    );
  };
  await phase('packument', (p) => base + escapedName(parseNpmPackageName(p.name)), ABBREVIATED);
  const packumentCpu = cpuSeconds(pid) - cpu0;
  await phase('tarball', (p) => base + tarballPath(parseNpmPackageName(p.name), p.version), '*/*');
  agent.destroy();
  if (failures.length > 0) throw new Error(`replay failed for ${failures.length} packages, e.g. ${failures[0]}`);
  const threads = new Map([...threadCpuSeconds(pid)].map(([name, s]) => [name, s - (threads0.get(name) ?? 0)]));
  const written = writesOf(pid);
  return {
    seconds: (performance.now() - started) / 1000,
    cpu: cpuSeconds(pid) - cpu0,
    packumentCpu,
    threads,
    peakRss: memoryOf(pid).peak,
    written: { bytes: written.bytes - written0.bytes, calls: written.calls - written0.calls },
  };
}

/** The workload split in two by package name (a name's versions stay together), in lock order. */
function halves(pkgs: readonly LockedPackage[]): [LockedPackage[], LockedPackage[]] {
  const names = [...new Set(pkgs.map((p) => p.name))];
  const first = new Set(names.slice(0, Math.floor(names.length / 2)));
  return [pkgs.filter((p) => first.has(p.name)), pkgs.filter((p) => !first.has(p.name))];
}

/** One hot load: requests/s, the gateway's main-thread CPU per request (µs), its peak RSS so far (bytes), and the load tool. */
interface HotLoad {
  readonly rps: number;
  readonly mainUs: number;
  readonly peakRss: number;
  readonly tool: string;
}

/** `--hot`: the hot packument loaded twice in a row at a gateway that has just served the replays. */
async function hotLoads(base: string, pid: number): Promise<[HotLoad, HotLoad]> {
  const once = async (): Promise<HotLoad> => {
    const before = threadCpuSeconds(pid).get('MainThread') ?? 0;
    const r = await load(`${base}${HOT_PACKUMENT}`, HOT_PACKUMENT_HEADERS, HOT_SECONDS, HOT_CONNECTIONS);
    if (r.non2xx > 0) throw new Error(`hot load of ${HOT_PACKUMENT}: ${r.non2xx} responses were not 2xx`);
    const main = (threadCpuSeconds(pid).get('MainThread') ?? 0) - before;
    return { rps: r.requestsPerSecond, mainUs: (main * 1e6) / (r.requestsPerSecond * HOT_SECONDS), peakRss: memoryOf(pid).peak, tool: r.tool };
  };
  const first = await once();
  return [first, await once()];
}

interface Row {
  readonly cold: Run[];
  readonly warm: Run[];
  /** `--hot`: the first and the next hot load of each run. */
  readonly hot: [HotLoad, HotLoad][];
  /** `--warm-process`: the second half, cold, at a fresh gateway and at one that served the first half. */
  readonly freshHalf: Run[];
  readonly warmedHalf: Run[];
}

async function main(): Promise<void> {
  await ensureWorkloadCache((line) => process.stdout.write(`${line}\n`));
  const pkgs = lockedPackages();
  const [firstHalf, secondHalf] = halves(pkgs);
  const floor = await startFloor();
  const floorRuns: Run[] = [];
  const bareRuns: Run[] = [];
  const rows: Row[] = VARIANTS.map(() => ({ cold: [], warm: [], hot: [], freshHalf: [], warmedHalf: [] }));
  try {
    await replay(floor.url, pkgs, floor.child.pid); // warm-up
    for (let i = 0; i < RUNS; i++) {
      floorRuns.push(await replay(floor.url, pkgs, floor.child.pid));
      const progress = [`run ${i + 1}/${RUNS}: floor ${floorRuns[i]?.seconds.toFixed(2)} s`];
      // Rotated each run, so no flag set (nor the bare proxy) is always measured first or last.
      for (const turn of TURNS.map((_, k) => TURNS[(k + i) % TURNS.length] as number | 'bare')) {
        if (turn === 'bare') {
          const bare = await startBareProxy(floor.url);
          try {
            bareRuns.push(await replay(bare.url, pkgs, bare.child.pid));
          } finally {
            await bare.stop();
          }
          progress.push(`bare proxy: cold ${bareRuns[i]?.seconds.toFixed(2)} s`);
          continue;
        }
        const flags = VARIANTS[turn] as readonly string[];
        const row = rows[turn] as Row;
        await withAirlock(floor.url, flags, async (base, pid) => {
          row.cold.push(await replay(base, pkgs, pid));
          row.warm.push(await replay(base, pkgs, pid));
          if (HOT_SECONDS > 0) row.hot.push(await hotLoads(base, pid));
        });
        progress.push(`${label(flags)}: cold ${row.cold[i]?.seconds.toFixed(2)} s, warm ${row.warm[i]?.seconds.toFixed(2)} s`);
        if (values['warm-process']) {
          await withAirlock(floor.url, flags, async (base, pid) => {
            row.freshHalf.push(await replay(base, secondHalf, pid));
          });
          await withAirlock(floor.url, flags, async (base, pid) => {
            await replay(base, firstHalf, pid);
            row.warmedHalf.push(await replay(base, secondHalf, pid));
          });
          progress.push(`second half cold: fresh ${row.freshHalf[i]?.cpu.toFixed(2)} s CPU, warmed ${row.warmedHalf[i]?.cpu.toFixed(2)} s CPU`);
        }
      }
      process.stdout.write(`${progress.join('; ')}\n`);
    }
  } finally {
    await floor.child.stop();
    await removeDeferred();
  }
  // Where the server's CPU went: its main thread, V8's compiler and collector helpers, the pool.
  const split = (r: readonly Run[]): string => byThread(r.map((x) => x.threads));
  // The floor keeps the whole workload in memory: its RSS says nothing about Airlock's.
  const line = (name: string, r: readonly Run[], withPeak = true): string =>
    `  ${name.padEnd(22)} ${median(r.map((x) => x.seconds)).toFixed(2)} s wall   ${median(r.map((x) => x.cpu)).toFixed(2)} s CPU of the server (${split(r)}; ${byPhase(r)})` +
    (withPeak
      ? `   peak RSS ${(median(r.map((x) => x.peakRss)) / 1048576).toFixed(1)} MiB   written ${(median(r.map((x) => x.written.bytes)) / 1e6).toFixed(1)} MB` +
        ` in ${median(r.map((x) => x.written.calls)).toFixed(0)} calls   CPU by run: ${r.map((x) => x.cpu.toFixed(2)).join(', ')}` +
        `   peak by run: ${r.map((x) => (x.peakRss / 1048576).toFixed(1)).join(', ')} MiB`
      : '');
  process.stdout.write(
    [
      '',
      `replay of a cold npm ci's ${pkgs.length} packument + tarball requests, ${CONCURRENCY} at a time, ${RUNS} runs, median` +
        (VARIANTS.length === 1 && (VARIANTS[0]?.length ?? 0) > 0 ? `; gateway flags: ${label(VARIANTS[0] ?? [])}` : ''),
      line('floor (local registry)', floorRuns, false),
      ...(bareRuns.length === 0 ? [] : [line('bare proxy cold', bareRuns)]),
      ...VARIANTS.flatMap((flags, v) => {
        const row = rows[v] as Row;
        const named = VARIANTS.length > 1 ? [`gateway flags: ${label(flags)}`] : [];
        return [
          ...named,
          line('airlock cold', row.cold),
          line('airlock warm', row.warm),
          ...pairedLines(rows[0] as Row, row, v),
          ...bareLines(row.cold, bareRuns),
          ...hotLines(row.hot),
          ...warmProcessLines(row, line, secondHalf),
        ];
      }),
      '',
    ].join('\n'),
  );
}

/** A flag set's words: runtime flags, and NAME=VALUE words, which go to the environment instead. */
function flagsAndEnv(words: readonly string[]): { flags: string[]; env: Record<string, string> } {
  const flags: string[] = [];
  const env: Record<string, string> = {};
  for (const w of words) {
    const kv = envWord(w);
    if (kv === null) flags.push(w);
    else env[kv[0]] = kv[1];
  }
  return { flags, env };
}

async function withAirlock(upstream: string, words: readonly string[], use: (base: string, pid: number) => Promise<void>): Promise<void> {
  const { flags, env } = flagsAndEnv(words);
  const a = await airlock(upstream, flags, env);
  try {
    await use(`${a.url}/npm/`, a.child.pid);
  } finally {
    await a.stop();
  }
}

/** Server CPU of each run of `a` less that of the same run of `b`. */
function cpuDifferences(a: readonly Run[], b: readonly Run[]): number[] {
  return a.map((r, i) => r.cpu - (b[i]?.cpu ?? Number.NaN));
}

/** A compared flag set against the first, run by run (both measured in the same run). */
function pairedLines(first: Row, row: Row, v: number): string[] {
  if (v === 0) return [];
  const diffs = cpuDifferences(row.cold, first.cold);
  const cheaper = diffs.filter((d) => d < 0).length;
  const sign = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
  return [
    `  cold CPU against ${label(VARIANTS[0] ?? [])}, run by run: ${sign(median(diffs))} s median (${diffs.map(sign).join(', ')}); cheaper in ${cheaper} of ${diffs.length} runs`,
  ];
}

/**
 * Airlock's cold CPU less the bare proxy's, run by run, in all and by thread: what the gate, the
 * records and the inspection cost beyond proxying as such.
 */
function bareLines(cold: readonly Run[], bare: readonly Run[]): string[] {
  if (bare.length === 0) return [];
  const threads = byThread(
    cold.map((r, i) => {
      const b = bare[i]?.threads ?? new Map<string, number>();
      return new Map([...new Set([...r.threads.keys(), ...b.keys()])].map((name) => [name, (r.threads.get(name) ?? 0) - (b.get(name) ?? 0)]));
    }),
  );
  const all = cpuDifferences(cold, bare);
  const phase = (pick: (r: Run) => number): number[] => cold.map((r, i) => pick(r) - (bare[i] === undefined ? Number.NaN : pick(bare[i])));
  const packuments = phase(packumentCpu);
  const tarballs = phase(tarballCpu);
  const ratio = (pick: (r: Run) => number): string => (median(cold.map(pick)) / median(bare.map(pick))).toFixed(1);
  return [
    `  cold CPU beyond the bare proxy, run by run: ${median(all).toFixed(2)} s median (${all.map((d) => d.toFixed(2)).join(', ')}; by thread: ${threads})`,
    `    by phase, median: packuments ${median(packuments).toFixed(2)} s (${ratio(packumentCpu)}x the bare proxy's), tarballs ${median(tarballs).toFixed(2)} s (${ratio(tarballCpu)}x)`,
  ];
}

function packumentCpu(r: Run): number {
  return r.packumentCpu;
}

function tarballCpu(r: Run): number {
  return r.cpu - r.packumentCpu;
}

/** The median CPU seconds of each phase: "packuments 5.10 s, tarballs 2.60 s". */
function byPhase(runs: readonly Run[]): string {
  return `packuments ${median(runs.map(packumentCpu)).toFixed(2)} s, tarballs ${median(runs.map(tarballCpu)).toFixed(2)} s`;
}

/**
 * Per thread name, the median over runs of its CPU seconds (a run without it counts 0), largest
 * first, leaving out those under 10 ms either way: "MainThread 5.54, V8Worker 1.98, …".
 */
function byThread(runs: readonly ReadonlyMap<string, number>[]): string {
  const names = [...new Set(runs.flatMap((r) => [...r.keys()]))];
  return names
    .map((name) => [name, median(runs.map((r) => r.get(name) ?? 0))] as const)
    .filter(([, s]) => Math.abs(s) >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([name, s]) => `${name} ${s.toFixed(2)}`)
    .join(', ');
}

/** `--hot`: the medians of the first and the next hot load, and each run's requests/s. */
function hotLines(hot: readonly [HotLoad, HotLoad][]): string[] {
  if (hot.length === 0) return [];
  const fmt = (i: 0 | 1): string => {
    const loads = hot.map((h) => h[i]);
    const rps = median(loads.map((l) => l.rps));
    const peak = median(loads.map((l) => l.peakRss)) / 1048576;
    return `${Math.round(rps).toLocaleString('en')} req/s, main thread ${median(loads.map((l) => l.mainUs)).toFixed(1)} µs/request, peak RSS ${peak.toFixed(1)} MiB (by run: ${loads.map((l) => Math.round(l.rps)).join(', ')})`;
  };
  return [
    `  hot packument ${HOT_PACKUMENT} (gzip, ${HOT_CONNECTIONS} connections, ${hot[0]?.[0].tool}) right after the replays, median:`,
    `    first ${HOT_SECONDS} s: ${fmt(0)}`,
    `    next ${HOT_SECONDS} s:  ${fmt(1)}`,
    ...toolCaveat(hot[0]?.[0].tool ?? ''),
  ];
}

function warmProcessLines(row: Row, line: (name: string, r: readonly Run[]) => string, half: readonly LockedPackage[]): string[] {
  if (row.freshHalf.length === 0) return [];
  const saved = cpuDifferences(row.freshHalf, row.warmedHalf);
  const share = median(saved) / median(row.freshHalf.map((f) => f.cpu));
  return [
    `  the second half (${new Set(half.map((p) => p.name)).size} packages, ${half.length} tarballs), cold cache:`,
    line('  fresh process', row.freshHalf),
    line('  after first half', row.warmedHalf),
    `    fresh minus warmed (what a fresh process pays once): ${median(saved).toFixed(2)} s of server CPU, ${(share * 100).toFixed(0)} % of the fresh run (median of per-run differences: ${saved.map((x) => x.toFixed(2)).join(', ')})`,
  ];
}

function label(flags: readonly string[]): string {
  return flags.length === 0 ? '(none)' : flags.join(' ');
}

if (import.meta.main) await main();
