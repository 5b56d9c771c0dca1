/**
 * One measurement in a fresh process (so peak RSS is its own): `node scenario.ts <input> <mode>`.
 * Modes: `airlock` (the scanner), `read` (sequential 1 MiB reads of every byte: what any tool that
 * reads the whole file pays), `decode` (pickle disassembly alone, no symbolic interpretation —
 * the work of a pickletools-style opcode lister), `pool` (the scanner as the gateway runs it on a
 * model file: in its worker pool, with the gateway's pool options, a file of up to the in-memory
 * cap read and handed over, a larger one read by the worker from its path; the pool's first worker
 * is started before the clock, as a gateway that has scanned before has it). Prints one JSON line.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { scanFile, ScanWorkerPool, type FileScanResult } from '../../src/scan/index.ts';
import { modelScanPoolOptions } from '../../src/app/model-scan-pool.ts';
import { DEFAULT_MODEL_SCAN } from '../../src/ecosystems/shared/model-files.ts';
import { PickleDecoder, DecodedOp } from '../../src/scan/formats/pickle/index.ts';
import { FileSource } from '../../src/scan/sources/file-source.ts';
import { inputPaths, mixedFiles } from './generate.ts';

const [input, mode] = process.argv.slice(2);
const inputs = inputPaths();
const files =
  input === 'checkpoint' ? [inputs.checkpoint] : input === 'pickle' ? [inputs.pickle] : await mixedFiles(inputs.mixed);

async function readAll(path: string): Promise<number> {
  const fh = await open(path, 'r');
  const buf = new Uint8Array(1 << 20);
  let total = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return total;
}

async function decodeAll(path: string): Promise<number> {
  await using src = await FileSource.open(path);
  const dec = new PickleDecoder(src, 0);
  const op = new DecodedOp();
  while (await dec.next(op)) {
    /* count only */
  }
  return dec.count;
}

const pool = mode === 'pool' ? new ScanWorkerPool(modelScanPoolOptions()) : null;
await pool?.scanBytes(new Uint8Array([0x80, 2, 0x4e, 0x2e]), 'warm-up.pkl');

/** One model file in the pool, the way `scanStoredFile` hands it over. */
async function inPool(p: ScanWorkerPool, path: string): Promise<FileScanResult> {
  if ((await stat(path)).size > DEFAULT_MODEL_SCAN.inMemoryScanBytes) return p.scanFile(path);
  return p.scanBytes(await readFile(path), path, {}, true);
}

const t0 = performance.now();
const verdicts: Record<string, number> = {};
let bytes = 0;
let opcodes = 0;
for (const f of files) {
  if (mode === 'airlock' || pool !== null) {
    const r = pool === null ? await scanFile(f) : await inPool(pool, f);
    verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
    if (r.verdict !== 'safe') process.stderr.write(`${f}: ${r.verdict} ${JSON.stringify(r.findings.filter((x) => x.class !== 'info'))}\n`);
  } else if (mode === 'read') bytes += await readAll(f);
  else opcodes += await decodeAll(f);
}
const ms = performance.now() - t0;
await pool?.close();
process.stdout.write(
  `${JSON.stringify({ input, mode, files: files.length, ms, maxRssMb: process.resourceUsage().maxRSS / 1024, verdicts, bytes, opcodes })}\n`,
);
