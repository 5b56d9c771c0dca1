/**
 * `npm run bench:rego`: Airlock's Rego engine next to OPA's WebAssembly path on the same
 * gateway policy and inputs, in the same process; then the compile time of a 1,000-line policy.
 *
 * The wasm module (`policy.wasm`) is committed; it was built from `policy.rego` with the
 * development oracle (OPA v0.70.0, see README in this folder):
 *
 *   opa build -t wasm -e airlock/decision --v1-compatible policy.rego -o bundle.tar.gz
 *
 * The `@open-policy-agent/opa-wasm` SDK is installed into the git-ignored `bench/.cache/`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compile, fromJSON, toJS, toJSONText } from '../../src/rego/index.ts';
import { benchInput } from './input.ts';
import { thousandLinePolicy } from './generate.ts';

const HERE = import.meta.dirname;
const CACHE = join(HERE, '..', '.cache');
const SDK_VERSION = '1.10.0';
/** sha256 of policy.rego when policy.wasm was built. */
const WASM_SOURCE_SHA256 = '47923a8aa49e0bda3e8839257b6983cc6b607fec64e5e93c657e551722346949';

interface WasmPolicy {
  evaluate(input: unknown): { result: unknown }[];
}
interface WasmSdk {
  loadPolicy(wasm: Buffer | ArrayBuffer): Promise<WasmPolicy>;
}

async function loadSdk(): Promise<WasmSdk | null> {
  const dir = join(CACHE, 'node_modules', '@open-policy-agent', 'opa-wasm');
  if (!existsSync(dir)) {
    process.stdout.write(`installing @open-policy-agent/opa-wasm@${SDK_VERSION} into bench/.cache …\n`);
    try {
      execFileSync('npm', ['install', '--prefix', CACHE, '--no-save', '--no-audit', '--no-fund', `@open-policy-agent/opa-wasm@${SDK_VERSION}`], { stdio: 'ignore' });
    } catch {
      return null;
    }
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { main?: string };
  const mod = (await import(pathToFileURL(join(dir, pkg.main ?? 'src/index.cjs')).href)) as WasmSdk & { default?: WasmSdk };
  return mod.default ?? mod;
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sortDeep(x)]));
  }
  return v;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

interface Figures {
  readonly evalsPerSec: number;
  /** Evaluations per second of CPU time consumed by this process (robust on a busy machine). */
  readonly evalsPerCpuSec: number;
  readonly p50us: number;
  readonly p99us: number;
}

/**
 * Runs the engines in alternating batches so that both see the same machine load, then
 * reports each one's throughput (wall-clock and per CPU-second) and latency percentiles.
 */
function measureInterleaved(runs: readonly ((i: number) => void)[], iterations: number): Figures[] {
  for (const run of runs) for (let i = 0; i < Math.min(2000, iterations); i++) run(i);
  const BATCH = 500;
  const lat = runs.map(() => new Float64Array(iterations));
  const wall = runs.map(() => 0);
  const cpu = runs.map(() => 0);
  for (let start = 0; start < iterations; start += BATCH) {
    const end = Math.min(iterations, start + BATCH);
    runs.forEach((run, k) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const l = lat[k] as Float64Array;
      for (let i = start; i < end; i++) {
        const s = performance.now();
        run(i);
        l[i] = performance.now() - s;
      }
      wall[k] = (wall[k] as number) + (performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[k] = (cpu[k] as number) + (c.user + c.system) / 1000;
    });
  }
  return runs.map((_, k) => {
    const l = (lat[k] as Float64Array).sort();
    return {
      evalsPerSec: (iterations / (wall[k] as number)) * 1000,
      evalsPerCpuSec: (iterations / (cpu[k] as number)) * 1000,
      p50us: percentile(l, 0.5) * 1000,
      p99us: percentile(l, 0.99) * 1000,
    };
  });
}

function row(name: string, f: Figures | null): string {
  if (f === null) return `${name.padEnd(34)} (unavailable)`;
  const n = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(8);
  return `${name.padEnd(34)} ${n(f.evalsPerSec)} evals/s (${n(f.evalsPerCpuSec)} per CPU-s)   p50 ${f.p50us.toFixed(1).padStart(7)} µs   p99 ${f.p99us.toFixed(1).padStart(7)} µs`;
}

const ITER = Number(process.env.BENCH_ITERATIONS ?? 20000);
const source = readFileSync(join(HERE, 'policy.rego'), 'utf8');
const inputs = Array.from({ length: 64 }, (_, i) => benchInput(i));

const policy = compile([{ path: 'policy.rego', source }]);
const runAirlock = (i: number): void => {
  policy.evaluate('data.airlock.decision', { input: inputs[i & 63] });
};

let airlock: Figures;
let wasm: Figures | null = null;
let agree = 'not checked';
const sdk = await loadSdk();
if (sdk !== null) {
  const sha = createHash('sha256').update(source).digest('hex');
  if (sha !== WASM_SOURCE_SHA256) process.stdout.write('warning: policy.rego changed since policy.wasm was built; rebuild it (see header)\n');
  const wp = await sdk.loadPolicy(readFileSync(join(HERE, 'policy.wasm')));
  // Both engines must reach the same decisions before their speed means anything.
  // Sets come back from wasm as arrays in insertion order: compare with every array sorted.
  const normal = (v: unknown): string => JSON.stringify(sortDeep(JSON.parse(toJSONText(fromJSON(v)))));
  let same = 0;
  for (const input of inputs) {
    const a = normal(toJS(policy.evaluate('data.airlock.decision', { input }) ?? null));
    const w = normal(wp.evaluate(input)[0]?.result ?? null);
    if (a === w) same++;
  }
  agree = `${same}/${inputs.length} inputs give identical decisions`;
  const figures = measureInterleaved(
    [
      runAirlock,
      (i) => {
        wp.evaluate(inputs[i & 63]);
      },
    ],
    ITER,
  );
  airlock = figures[0] as Figures;
  wasm = figures[1] as Figures;
} else {
  airlock = measureInterleaved([runAirlock], ITER)[0] as Figures;
}

process.stdout.write(`\nRego evaluation: bench/rego/policy.rego, data.airlock.decision, ${ITER} evaluations, 64 distinct inputs\n`);
process.stdout.write(`${row('airlock (TypeScript interpreter)', airlock)}\n`);
process.stdout.write(`${row('opa-wasm (OPA v0.70.0 wasm)', wasm)}\n`);
if (wasm !== null) {
  process.stdout.write(
    `speed-up: ${(airlock.evalsPerCpuSec / wasm.evalsPerCpuSec).toFixed(2)}x per CPU-second, ${(wasm.p50us / airlock.p50us).toFixed(2)}x at p50   (${agree})\n`,
  );
}

// Compile time of a 1,000-line policy: cold (first compile in this process is already past
// the JIT warm-up of the evaluation loop above) and warm median of 20.
const big = thousandLinePolicy();
const lines = big.split('\n').length;
const times: number[] = [];
const cpuTimes: number[] = [];
for (let i = 0; i < 21; i++) {
  const c0 = process.cpuUsage();
  const s = performance.now();
  compile([{ path: 'big.rego', source: big }]);
  times.push(performance.now() - s);
  const c = process.cpuUsage(c0);
  cpuTimes.push((c.user + c.system) / 1000);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
process.stdout.write(
  `\ncompile ${lines}-line policy: first ${(times[0] as number).toFixed(1)} ms (${(cpuTimes[0] as number).toFixed(1)} ms CPU), ` +
    `then median ${median(times.slice(1)).toFixed(1)} ms (${median(cpuTimes.slice(1)).toFixed(1)} ms CPU) (target < 100 ms)\n`,
);
