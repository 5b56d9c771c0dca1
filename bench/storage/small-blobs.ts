/**
 * Small-blob benchmark: what the filesystem blob store costs per file of the size a cold npm
 * install stores by the thousand (tarballs and packuments of tens of KB), where the calls around
 * the bytes weigh more than the bytes. Each round stores BLOBS files of BLOB_KB (16 in flight:
 * stage, write, hash x3, fsync, rename, fsync the folder), then reads a 2 KB range of each back
 * (what the artifact phase does to re-read a version's manifest). Baseline, same run and
 * alternating with it round by round: the same files stored and read the plain fs/promises way
 * (`storeDurably`, as the bare proxy stores: FileHandle open, write, fsync, close, rename; then
 * open, read, close), hashed once for their name, with no folder fsync. Prints the main
 * thread's CPU per file, all threads' CPU per file and wall time, median of ROUNDS rounds.
 *
 *   npm run bench:storage   (after the other storage benchmarks)
 *   npx node bench/storage/small-blobs.ts
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSha256Digest, sha256DigestFromHex } from '../../src/core/index.ts';
import { openFsBlobStore } from '../../src/storage/fs-blob/index.ts';
import { storeDurably } from '../durable-write.ts';
import { median } from '../stats.ts';
import { wholeNumber } from '../options.ts';

const BLOBS = wholeNumber(process.env['BLOBS'] ?? '1500', 'BLOBS');
const BLOB_BYTES = wholeNumber(process.env['BLOB_KB'] ?? '40', 'BLOB_KB') * 1024;
const ROUNDS = wholeNumber(process.env['ROUNDS'] ?? '5', 'ROUNDS');
const IN_FLIGHT = 16;
const RANGE = 2048;

interface Figures {
  /** µs of main-thread CPU per file. */
  readonly mainUs: number;
  /** µs of the whole process's CPU per file. */
  readonly allUs: number;
  readonly wallMs: number;
}

async function measure(work: (i: number) => Promise<void>): Promise<Figures> {
  const main0 = process.threadCpuUsage();
  const all0 = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < BLOBS) await work(next++);
    }),
  );
  const main = process.threadCpuUsage(main0);
  const all = process.cpuUsage(all0);
  return { mainUs: (main.user + main.system) / BLOBS, allUs: (all.user + all.system) / BLOBS, wallMs: performance.now() - started };
}

/** The same bytes stored durably the plain way, named by their sha256 under 256 fan-out folders. */
async function plainWrite(root: string, bytes: Buffer): Promise<string> {
  const hex = createHash('sha256').update(bytes).digest('hex');
  const dir = join(root, hex.slice(0, 2));
  await storeDurably(dir, hex, bytes);
  return join(dir, hex);
}

async function plainRead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const out = Buffer.allocUnsafeSlow(RANGE);
    await handle.read(out, 0, RANGE, 0);
    return out;
  } finally {
    await handle.close();
  }
}

async function round(blobs: readonly Buffer[], sha512s: readonly string[], plainFirst: boolean): Promise<{ store: Figures; storeRead: Figures; plain: Figures; plainRead: Figures }> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-bench-small-'));
  try {
    const viaStore = async (): Promise<{ write: Figures; read: Figures }> => {
      const store = await openFsBlobStore({ dataDir: join(dir, 'store') });
      const digests: string[] = [];
      const write = await measure(async (i) => {
        const upload = await store.begin({ maxBytes: BLOB_BYTES });
        try {
          await upload.write(blobs[i] as Buffer);
          digests[i] = (await upload.commit({ sha512: sha512s[i] as string })).digest;
        } finally {
          await upload.abort();
        }
      });
      const read = await measure(async (i) => {
        const bytes = await store.read(parseSha256Digest(digests[i] as string), { maxBytes: RANGE, range: { start: 0, end: RANGE - 1 } });
        if (bytes?.length !== RANGE) throw new Error('short read');
      });
      await store.close();
      if (sha256DigestFromHex(createHash('sha256').update(blobs[0] as Buffer).digest('hex')) !== digests[0]) throw new Error('the store named a blob by another digest');
      return { write, read };
    };
    const plainWay = async (): Promise<{ write: Figures; read: Figures }> => {
      const root = join(dir, 'plain');
      for (let b = 0; b < 256; b++) await mkdir(join(root, b.toString(16).padStart(2, '0')), { recursive: true });
      const files: string[] = [];
      const write = await measure(async (i) => {
        files[i] = await plainWrite(root, blobs[i] as Buffer);
      });
      const read = await measure(async (i) => {
        if ((await plainRead(files[i] as string)).length !== RANGE) throw new Error('short read');
      });
      return { write, read };
    };
    const plain = plainFirst ? await plainWay() : undefined;
    const store = await viaStore();
    const plainAfter = plain ?? (await plainWay());
    return { store: store.write, storeRead: store.read, plain: plainAfter.write, plainRead: plainAfter.read };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const blobs = Array.from({ length: BLOBS }, () => randomBytes(BLOB_BYTES));
const sha512s = blobs.map((b) => createHash('sha512').update(b).digest('hex'));
const rounds: Awaited<ReturnType<typeof round>>[] = [];
for (let r = 0; r < ROUNDS; r++) {
  rounds.push(await round(blobs, sha512s, r % 2 === 1));
  process.stderr.write(`round ${r + 1}/${ROUNDS}\n`);
}
const row = (label: string, pick: (x: (typeof rounds)[number]) => Figures): string => {
  const f = rounds.map(pick);
  const m = (k: keyof Figures): string => median(f.map((x) => x[k])).toFixed(k === 'wallMs' ? 0 : 1);
  return `${label.padEnd(44)} ${m('mainUs').padStart(10)} ${m('allUs').padStart(12)} ${m('wallMs').padStart(9)}`;
};
console.log(`small blobs: ${BLOBS} files of ${BLOB_BYTES / 1024} KB, ${IN_FLIGHT} in flight, ${ROUNDS} rounds alternating, median`);
console.log(`${'scenario'.padEnd(44)} ${'main µs/file'.padStart(10)} ${'all µs/file'.padStart(12)} ${'wall ms'.padStart(9)}`);
console.log(row('baseline: plain write (sha256, fsync, rename)', (x) => x.plain));
console.log(row('blob store: ingest (hash x3, fsync x2)', (x) => x.store));
console.log(row('baseline: plain 2 KB read (FileHandle)', (x) => x.plainRead));
console.log(row('blob store: 2 KB range read', (x) => x.storeRead));
