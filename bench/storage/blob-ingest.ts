/**
 * Blob store ingest benchmark: stream 200 MB (configurable with BLOB_MB) into the filesystem
 * store (CHUNK_KB per chunk, default 64) — hash ×3 while streaming, verify, fsync, rename — and stream it back, each scenario in
 * a fresh process so that peak RSS is its own. The same ingest with `digests: 'address'` (sha256
 * only: what OCI blobs and Hugging Face files take) beside it. Baseline, same run: the same bytes
 * only hashed (no disk), ×3 and sha256 alone. Prints throughput and peak RSS side by side.
 *
 *   npm run bench:storage   (after the metadata store benchmark)
 *   npx node bench/storage/blob-ingest.ts
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseSha256Digest } from '../../src/core/index.ts';
import { openFsBlobStore } from '../../src/storage/fs-blob/index.ts';
import { storeStream } from '../../src/storage/ports/index.ts';

const MB = 1024 * 1024;
const TOTAL_MB = Number(process.env['BLOB_MB'] ?? 200);
/** Chunk size of the source stream; HTTP bodies arrive in chunks of this order. */
const CHUNK = Number(process.env['CHUNK_KB'] ?? 64) * 1024;

function* source(block: Buffer): Generator<Buffer> {
  for (let i = 0; i < (TOTAL_MB * MB) / CHUNK; i++) {
    const chunk = Buffer.from(block);
    chunk.writeUInt32BE(i, 0);
    yield chunk;
  }
}

interface Figures {
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly startRssMb: number;
}

async function scenario(name: string, dataDir: string, digest: string): Promise<string> {
  const block = randomBytes(CHUNK);
  const started = performance.now();
  let out = '';
  if (name === 'baseline-hash' || name === 'baseline-address') {
    const hashes = name === 'baseline-hash' ? [createHash('sha256'), createHash('sha512'), createHash('sha1')] : [createHash('sha256')];
    await pipeline(Readable.from(source(block)), async (chunks: AsyncIterable<Buffer>) => {
      for await (const c of chunks) for (const h of hashes) h.update(c);
    });
    out = hashes[0]?.digest('hex') ?? '';
  } else if (name === 'fs-ingest' || name === 'fs-ingest-address') {
    const store = await openFsBlobStore({ dataDir });
    const digests = name === 'fs-ingest' ? 'all' : 'address';
    const blob = await storeStream(store, Readable.from(source(block)), { maxBytes: TOTAL_MB * MB, digests, expect: { size: TOTAL_MB * MB } });
    out = blob.digest;
    await store.close();
  } else if (name === 'fs-read') {
    const store = await openFsBlobStore({ dataDir });
    const stream = await store.open(parseSha256Digest(digest));
    if (stream === null) throw new Error('blob missing');
    const h = createHash('sha256');
    for await (const c of stream) h.update(c as Buffer);
    out = h.digest('hex');
    await store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const figures: Figures = { seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, startRssMb: Number(process.env['START_RSS'] ?? 0) };
  return JSON.stringify({ figures, out });
}

if (process.argv[2] === '--scenario') {
  const [, , , name, dataDir, digest] = process.argv;
  process.stdout.write(await scenario(name ?? '', dataDir ?? '', digest ?? ''));
} else {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-bench-blob-'));
  try {
    const run = (name: string, digest = ''): { figures: Figures; out: string } => {
      const r = spawnSync(process.execPath, [import.meta.filename, '--scenario', name, dataDir, digest], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as { figures: Figures; out: string };
    };
    const idle = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.resourceUsage().maxRSS / 1024))'], { encoding: 'utf8' });
    const baseline = run('baseline-hash');
    const baselineAddress = run('baseline-address');
    const ingest = run('fs-ingest');
    const ingestAddress = run('fs-ingest-address');
    const read = run('fs-read', ingest.out);
    console.log(`blob store, ${TOTAL_MB} MB streamed in ${CHUNK / 1024} KB chunks (idle node process peak RSS ${Number(idle.stdout).toFixed(0)} MB)`);
    console.log('scenario                                 seconds    MB/s   peak RSS MB');
    for (const [label, r] of [
      ['baseline: hash x3, no disk', baseline],
      ['baseline: sha256 only, no disk', baselineAddress],
      ['fs ingest: hash x3+fsync+rename', ingest],
      ['fs ingest: sha256 only+fsync+rename', ingestAddress],
      ['fs read back (sha256)', read],
    ] as const) {
      const f = r.figures;
      console.log(`${label.padEnd(39)} ${f.seconds.toFixed(2).padStart(8)} ${(TOTAL_MB / f.seconds).toFixed(0).padStart(7)} ${f.maxRssMb.toFixed(0).padStart(13)}`);
    }
    console.log(`ingest/baseline time ratio: ${(ingest.figures.seconds / baseline.figures.seconds).toFixed(2)}x; ` +
      `peak RSS over baseline: ${(ingest.figures.maxRssMb - baseline.figures.maxRssMb).toFixed(0)} MB`);
    console.log(`sha256-only ingest: ${(ingestAddress.figures.seconds / ingest.figures.seconds).toFixed(2)}x the time of hash x3 ` +
      `(${((ingest.figures.seconds - ingestAddress.figures.seconds) * 1000 / TOTAL_MB).toFixed(2)} ms/MB less)`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
