/**
 * `npm run bench:npm:hot`: the hot packument (`HOT_PACKUMENT`, as `bench:npm` loads it: full
 * document, gzip, `HOT_CONNECTIONS`) at this checkout's gateway beside the same load at the gateway
 * of another checkout (BENCH_AIRLOCK_ROOT, a `git worktree` of the commit before a change; without
 * it, this checkout against itself, which shows how far two identical gateways drift apart here),
 * in alternating rounds, so a slow spell of a shared machine falls on both: the median requests/s
 * and main-thread CPU (user + system) per request of each, and the median of the per-round
 * differences. CPU per request is the figure to compare: on a machine whose load tool shares the
 * cores, the rate follows the scheduler as much as the code. Both gateways serve the same floor
 * registry and have served the package once before the first round. `--rounds` (default 10) and
 * `--seconds` per round (default 5).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { airlock, startFloor, threadCpuSeconds, type AirlockInstance } from './processes.ts';
import { load, toolCaveat } from './load.ts';
import { median } from '../stats.ts';
import { wholeNumber } from '../options.ts';
import { ensureWorkloadCache, HOT_CONNECTIONS, HOT_PACKUMENT, HOT_PACKUMENT_HEADERS } from './workload.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' }, seconds: { type: 'string', default: '5' } } });
const ROUNDS = wholeNumber(values.rounds, 'rounds');
const SECONDS = wholeNumber(values.seconds, 'seconds');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Side {
  readonly label: string;
  readonly gateway: AirlockInstance;
  readonly rps: number[];
  /** Main-thread CPU per request, µs. */
  readonly cpu: number[];
}

await ensureWorkloadCache(log);
const floor = await startFloor();
const other = process.env['BENCH_AIRLOCK_ROOT'];
const sides: Side[] = [];
try {
  for (const [label, root] of [['this checkout', undefined], [other === undefined ? 'this checkout again (baseline)' : `baseline ${other}`, other]] as const) {
    // The root is given either way: this checkout's gateway must not take the baseline's from the
    // environment.
    const gateway = await airlock(floor.url, undefined, { BENCH_AIRLOCK_ROOT: root ?? join(import.meta.dirname, '..', '..') });
    sides.push({ label, gateway, rps: [], cpu: [] });
  }
  const url = (s: Side): string => `${s.gateway.url}/npm/${HOT_PACKUMENT}`;
  for (const s of sides) await load(url(s), HOT_PACKUMENT_HEADERS, 2, HOT_CONNECTIONS);
  let tool = '';
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of r % 2 === 0 ? sides : [...sides].reverse()) {
      const before = threadCpuSeconds(s.gateway.child.pid).get('MainThread') ?? 0;
      const result = await load(url(s), HOT_PACKUMENT_HEADERS, SECONDS, HOT_CONNECTIONS);
      const after = threadCpuSeconds(s.gateway.child.pid).get('MainThread') ?? 0;
      tool = result.tool;
      s.rps.push(result.requestsPerSecond);
      s.cpu.push(((after - before) / (result.requestsPerSecond * SECONDS)) * 1e6);
    }
    log(`round ${r + 1}/${ROUNDS}: ${sides.map((s) => `${s.label} ${Math.round(s.rps[r] ?? 0)}/s, ${(s.cpu[r] ?? 0).toFixed(1)} µs`).join('; ')}`);
  }
  const [mine, base] = sides as [Side, Side];
  console.log(`\nhot packument ${HOT_PACKUMENT} (gzip, ${HOT_CONNECTIONS} connections, ${tool}), ${ROUNDS} alternating rounds of ${SECONDS} s, median`);
  for (const s of sides) {
    console.log(`  ${s.label.padEnd(34)} ${Math.round(median(s.rps)).toLocaleString('en-US').padStart(7)} req/s   main thread ${median(s.cpu).toFixed(1)} µs/request   rounds: ${s.rps.map((x) => Math.round(x)).join(', ')}`);
  }
  const diff = mine.cpu.map((c, i) => c - (base.cpu[i] ?? 0));
  console.log(`  this checkout less the baseline, by round: ${median(diff).toFixed(1)} µs/request median (${diff.map((d) => d.toFixed(1)).join(', ')}); cheaper in ${diff.filter((d) => d < 0).length} of ${ROUNDS}`);
  for (const line of toolCaveat(tool)) console.log(line);
} finally {
  for (const s of sides) await s.gateway.stop();
  await floor.child.stop();
}
