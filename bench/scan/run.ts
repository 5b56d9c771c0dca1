/**
 * `npm run bench:scan`: scanner throughput against baselines measured in the same run.
 * Baselines: `read` = sequential read of every byte of the same input (the least any tool that
 * reads whole files pays; picklescan/modelscan are not installable here), and for the pickle
 * `decode` = opcode disassembly alone (what a pickletools-style lister does, without the
 * symbolic interpretation). Each measurement runs in its own process for its own peak RSS.
 * `pool` is the scanner as the gateway runs it on model files (its worker pool, `scenario.ts`),
 * beside `airlock`, the scanner in the caller's thread: what the hand-over to a worker costs.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { generate, mixedFiles } from './generate.ts';

interface Row {
  readonly input: string;
  readonly mode: string;
  readonly files: number;
  readonly ms: number;
  readonly maxRssMb: number;
  readonly verdicts: Record<string, number>;
  readonly opcodes: number;
}

const inputs = await generate((s) => console.log(s));
const sizes = {
  checkpoint: (await stat(inputs.checkpoint)).size,
  pickle: (await stat(inputs.pickle)).size,
  mixed: (await Promise.all((await mixedFiles(inputs.mixed)).map((f) => stat(f)))).reduce((a, s) => a + s.size, 0),
};

function measure(input: string, mode: string): Row {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, 'scenario.ts'), input, mode], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${input}/${mode} failed:\n${r.stderr}`);
  if (r.stderr.trim() !== '') process.stderr.write(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Row;
}

const plan: [string, string[]][] = [
  ['checkpoint', ['airlock', 'pool', 'read']],
  ['pickle', ['airlock', 'pool', 'decode', 'read']],
  ['mixed', ['airlock', 'pool', 'read']],
];
const rows: Row[] = [];
for (const [input, modes] of plan) for (const m of modes) rows.push(measure(input, m));

const gb = (n: number): string => (n / 1e9).toFixed(2);
console.log(`\ninputs: checkpoint ${gb(sizes.checkpoint)} GB (sparse), pickle ${(sizes.pickle / 1e6).toFixed(1)} MB / ${inputs.pickleOps} opcodes, mixed ${rows.find((r) => r.input === 'mixed')?.files ?? 0} files ${gb(sizes.mixed)} GB\n`);
console.log('input       mode      time (ms)   peak RSS (MB)  verdicts');
for (const r of rows) {
  console.log(
    `${r.input.padEnd(11)} ${r.mode.padEnd(9)} ${r.ms.toFixed(0).padStart(9)}   ${r.maxRssMb.toFixed(0).padStart(13)}  ${Object.entries(r.verdicts).map(([k, v]) => `${v} ${k}`).join(', ')}`,
  );
}
const scan = (i: string): Row | undefined => rows.find((r) => r.input === i && r.mode === 'airlock');
const fp = rows.filter((r) => r.mode === 'airlock' || r.mode === 'pool').reduce((a, r) => a + Object.entries(r.verdicts).filter(([k]) => k !== 'safe').reduce((x, [, v]) => x + v, 0), 0);
const ck = scan('checkpoint');
const pk = scan('pickle');
console.log('\ntargets:');
console.log(`  2 GB checkpoint < 2000 ms and < 150 MB RSS: ${ck !== undefined && ck.ms < 2000 && ck.maxRssMb < 150 ? 'met' : 'MISSED'} (${ck?.ms.toFixed(0)} ms, ${ck?.maxRssMb.toFixed(0)} MB)`);
console.log(`  3M-opcode pickle < 3000 ms: ${pk !== undefined && pk.ms < 3000 ? 'met' : 'MISSED'} (${pk?.ms.toFixed(0)} ms)`);
console.log(`  no false positives: ${fp === 0 ? 'met' : `MISSED (${fp} files not safe)`}`);
