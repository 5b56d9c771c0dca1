/**
 * One measurement in a fresh process (so peak RSS is its own): `node scenario.ts <input> <mode>`.
 * Modes: `airlock` (the scanner), `read` (sequential 1 MiB reads of every byte: what any tool that
 * reads the whole file pays), `decode` (pickle disassembly alone, no symbolic interpretation —
 * the work of a pickletools-style opcode lister). Prints one JSON line.
 */
import { open } from 'node:fs/promises';
import { scanFile } from '../../src/scan/index.ts';
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

const t0 = performance.now();
const verdicts: Record<string, number> = {};
let bytes = 0;
let opcodes = 0;
for (const f of files) {
  if (mode === 'airlock') {
    const r = await scanFile(f);
    verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
    if (r.verdict !== 'safe') process.stderr.write(`${f}: ${r.verdict} ${JSON.stringify(r.findings.filter((x) => x.class !== 'info'))}\n`);
  } else if (mode === 'read') bytes += await readAll(f);
  else opcodes += await decodeAll(f);
}
const ms = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({ input, mode, files: files.length, ms, maxRssMb: process.resourceUsage().maxRSS / 1024, verdicts, bytes, opcodes })}\n`,
);
