import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sha256Digest } from '../../core/index.ts';
import { MemorySource, modelFileExpectation, scan, ScanWorkerPool, type ScanPoolOptions } from '../../scan/index.ts';
import { fixturePath } from '../../scan/test-support/fixtures.ts';
import { FsBlobStore } from '../../storage/fs-blob/fs-blob-store.ts';
import type { BlobStore } from '../../storage/ports/index.ts';
import { ModelScans, scanStoredFile, type ModelScanSettings } from './model-files.ts';
import { BZIP2_PICKLE_200_MIB } from '../../../test/support/slow-scan-sample.ts';

type Put = (bytes: Uint8Array) => Promise<Sha256Digest>;

/** A filesystem store in a fresh folder and a scan pool, both gone after `run`; the pool, closed, for a last look. */
async function withStore(run: (blobs: FsBlobStore, put: Put, pool: ScanWorkerPool) => Promise<void>, poolOptions: ScanPoolOptions = { size: 1 }): Promise<ScanWorkerPool> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-model-files-'));
  const pool = new ScanWorkerPool(poolOptions);
  try {
    const blobs = await FsBlobStore.open({ dataDir: dir, fsync: false });
    const put = async (bytes: Uint8Array): Promise<Sha256Digest> => {
      const upload = await blobs.begin({ maxBytes: bytes.length, digests: 'address' });
      try {
        await upload.write(bytes);
        return (await upload.commit({ size: bytes.length })).digest;
      } finally {
        await upload.abort();
      }
    };
    await run(blobs, put, pool);
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
  return pool;
}

const SETTINGS: ModelScanSettings = { inMemoryScanBytes: 32 * 1024 ** 2, scanTimeoutMs: 120_000 };

test('a file read into memory is scanned in a worker, with the same result as in this thread', async () => {
  const closed = await withStore(async (blobs, put, pool) => {
    const evil = await readFile(fixturePath('pickle', 'os-system-p4.pkl'));
    const blob = await put(evil);
    assert.equal(pool.workers, 0);
    const got = await scanStoredFile({ blobs, pool }, blob, evil.length, 'pytorch_model.bin', SETTINGS);
    assert.equal(pool.workers, 1, 'scanned in the pool');
    assert.equal(got.verdict, 'malicious');
    // The options the gateway always gave: a file named as a model format must be one.
    const here = await scan(new MemorySource(evil), 'pytorch_model.bin', { limits: { timeoutMs: SETTINGS.scanTimeoutMs }, expectedFormats: modelFileExpectation('pytorch_model.bin').expectedFormats ?? [] });
    assert.deepEqual(got, here);
    // A file of no model format: content the scanner does not know is no finding.
    const readme = new TextEncoder().encode('# a model card\n');
    const card = await scanStoredFile({ blobs, pool }, await put(readme), readme.length, 'README.md', SETTINGS);
    assert.deepEqual(card, await scan(new MemorySource(readme), 'README.md', { unknownFormat: 'info' }));
  });
  assert.equal(closed.workers, 0);
});

test('a scan past its deadline in the worker is unscannable with the time-out finding, and cached as such', async () => {
  // No grace past the scan's own time limit: the decode of one 200 MiB bzip2 member runs in one
  // synchronous stretch the scanner's own timer cannot interrupt, so the pool kills the worker.
  await withStore(async (blobs, put, pool) => {
    // The worker's start-up is not counted: the deadline begins when it is ready.
    const scans = new ModelScans({ blobs, pool }, { ...SETTINGS, scanTimeoutMs: 50 }, 1024 * 1024);
    const blob = await put(BZIP2_PICKLE_200_MIB);
    const slow = await scans.scan(blob, BZIP2_PICKLE_200_MIB.length, 'model.pkl');
    assert.equal(slow.verdict, 'unscannable');
    assert.equal(slow.path, 'model.pkl');
    const timeout = slow.findings.find((f) => f.rule === 'scan.timeout');
    assert.ok(timeout !== undefined && timeout.class === 'unscannable', JSON.stringify(slow.findings));
    assert.match(timeout.message, /worker terminated/);
    // Asked again, the file is not scanned again (the worker is not killed twice).
    assert.equal(await scans.scan(blob, BZIP2_PICKLE_200_MIB.length, 'model.pkl'), slow);
  }, { size: 1, graceMs: 0 });
});

test('a file over the in-memory size is read by the worker from the store\'s own file, under its name, or by range through this thread from a store without local files; a gone file is never safe', async () => {
  await withStore(async (blobs, put, pool) => {
    const evil = await readFile(fixturePath('pickle', 'os-system-p4.pkl'));
    const blob = await put(evil);
    const large = { ...SETTINGS, inMemoryScanBytes: evil.length - 1 };
    const remote = remoteStore(blobs);
    const byRange = await scanStoredFile({ blobs: remote, pool }, blob, evil.length, 'model.pkl', large);
    assert.equal(byRange.verdict, 'malicious');
    assert.equal(pool.workers, 1, 'scanned in the pool');
    const inWorker = await scanStoredFile({ blobs, pool }, blob, evil.length, 'model.pkl', large);
    assert.deepEqual(inWorker, byRange, 'the same result, under the model file\'s name');
    await blobs.delete(blob);
    // Gone, a large file is not handed to the worker (the store names no file) and is never safe.
    for (const store of [blobs, remote]) assert.notEqual((await scanStoredFile({ blobs: store, pool }, blob, evil.length, 'model.pkl', large)).verdict, 'safe');
    await assert.rejects(scanStoredFile({ blobs, pool }, blob, evil.length, 'model.pkl', SETTINGS), (err: Error & { code?: string }) => err.code === 'STORAGE_ERROR');
  });
});

test('a large file of a store without local files decodes in the worker: this thread turns while one member inflates in one synchronous run', async () => {
  await withStore(async (blobs, put, pool) => {
    const blob = await put(BZIP2_PICKLE_200_MIB);
    const order: string[] = [];
    const scanned = scanStoredFile({ blobs: remoteStore(blobs), pool }, blob, BZIP2_PICKLE_200_MIB.length, 'model.pkl', { ...SETTINGS, inMemoryScanBytes: 64 }).then((r) => {
      order.push('scan');
      return r;
    });
    // Timers one after another: in this thread the 200 MiB decode would hold them all until it
    // ended, and the scan's answer would come first.
    for (let i = 0; i < TICKS; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      order.push('tick');
    }
    const result = await scanned;
    assert.equal(result.verdict, 'safe', JSON.stringify(result.findings));
    assert.equal(order.indexOf('scan'), TICKS, `the scan answered after ${order.indexOf('scan')} of the ${TICKS} timers`);
  });
});

const TICKS = 40;

/** A store that keeps no file on this machine (an S3 bucket): only the port's methods. */
function remoteStore(blobs: BlobStore): BlobStore {
  return { begin: (o) => blobs.begin(o), stat: (d) => blobs.stat(d), open: (d, r) => blobs.open(d, r), read: (d, o) => blobs.read(d, o), delete: (d) => blobs.delete(d), list: () => blobs.list() };
}
