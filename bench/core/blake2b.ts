/**
 * `npm run bench:blake2b`: throughput of Airlock's BLAKE2b-256 (`src/core/blake2b.ts`, what checks
 * twine's `blake2_256_digest` on every upload) beside Node's native sha256 and blake2b512 over the
 * same bytes in the same run: the floor a native hash sets on this machine.
 *
 * A random buffer of `--mib` MiB is fed in `--chunk-kib` KiB chunks, as an upload's body arrives:
 * once at aligned offsets (whole blocks are read in place) and once shifted by one byte (every
 * block is copied). Each hash runs `--runs` times, interleaved, after a warm-up; the median and
 * the best run are printed in MB/s (10^6 bytes per second).
 *
 *   npm run bench:blake2b -- --mib 256 --runs 7
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Blake2b } from '../../src/core/index.ts';
import { wholeNumber } from '../options.ts';
import { median } from '../stats.ts';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '64' }, runs: { type: 'string', default: '5' }, 'chunk-kib': { type: 'string', default: '64' } } });
const MIB = wholeNumber(values.mib, 'mib');
const RUNS = wholeNumber(values.runs, 'runs');
const CHUNK = wholeNumber(values['chunk-kib'], 'chunk-kib') * 1024;

interface Hasher {
  update(data: Uint8Array): unknown;
  digest(): Buffer;
}

const CASES: ReadonlyArray<{ readonly name: string; readonly shift: number; readonly make: () => Hasher }> = [
  { name: 'airlock blake2b-256', shift: 0, make: () => new Blake2b(32) },
  { name: 'airlock blake2b-256, unaligned', shift: 1, make: () => new Blake2b(32) },
  { name: 'node sha256 (native)', shift: 0, make: () => createHash('sha256') },
  { name: 'node blake2b512 (native)', shift: 0, make: () => createHash('blake2b512') },
];

/** Hashes `data` in chunks; returns the seconds taken. */
function run(make: () => Hasher, data: Uint8Array): number {
  const started = performance.now();
  const hash = make();
  for (let i = 0; i < data.length; i += CHUNK) hash.update(data.subarray(i, i + CHUNK));
  hash.digest();
  return (performance.now() - started) / 1000;
}

const bytes = MIB * 1024 * 1024;
const backing = randomBytes(bytes + 1);
const buffers = [backing.subarray(0, bytes), backing.subarray(1, bytes + 1)];
const warm = backing.subarray(0, Math.min(bytes, 8 * 1024 * 1024));
for (const c of CASES) run(c.make, c.shift === 0 ? warm : backing.subarray(1, warm.length + 1));

const seconds = CASES.map((): number[] => []);
for (let r = 0; r < RUNS; r++) {
  CASES.forEach((c, k) => seconds[k]?.push(run(c.make, buffers[c.shift] as Uint8Array)));
}

console.log(`BLAKE2b throughput: ${MIB} MiB in ${CHUNK / 1024} KiB chunks, ${RUNS} runs (node ${process.version})`);
console.log(`${'hash'.padEnd(34)}${'median MB/s'.padStart(12)}${'best MB/s'.padStart(12)}`);
CASES.forEach((c, k) => {
  const s = seconds[k] ?? [];
  const mbs = (t: number): string => (bytes / 1e6 / t).toFixed(1);
  console.log(`${c.name.padEnd(34)}${mbs(median(s)).padStart(12)}${mbs(Math.min(...s)).padStart(12)}`);
});
