/**
 * A model file too large to be scanned from memory, on a gateway that keeps its bytes in an S3
 * bucket (no file on this machine for the scan worker to open): the worker reads it by range
 * through the gateway's thread, which reads each range from the bucket. The real client is
 * refused the file for what the scanner found in it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestS3, type TestS3 } from '../../support/s3-server.ts';
import { hfE2e, OLD, type HfE2e } from './support.ts';

/** Over the 32 MiB the gateway reads into memory to scan. */
const PADDING = 33 * 1024 * 1024;

/**
 * A protocol-4 pickle that calls `os.system` after 33 MiB of bytes it pushes and pops: what runs
 * code sits past the first range a scan reads.
 */
function paddedEvilPickle(): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(PADDING));
  const call = Buffer.concat([
    Buffer.from('cos\nsystem\n', 'latin1'), // GLOBAL os.system
    Buffer.from([0x8c, 4]), // SHORT_BINUNICODE
    Buffer.from('echo', 'latin1'),
    Buffer.from([0x85, 0x52, 0x2e]), // TUPLE1, REDUCE, STOP
  ]);
  return Buffer.concat([Buffer.from([0x80, 0x04, 0x8e]), length, Buffer.alloc(PADDING, 0x41), Buffer.from([0x30]), call]);
}

describe('huggingface over an S3 bucket: a large model file is scanned in the worker, read by range', () => {
  let s3: TestS3;
  let e: HfE2e;
  before(async () => {
    s3 = await startTestS3({ bucket: 'airlock-models' });
    const blobs = { driver: 's3', endpoint: s3.endpoint, bucket: s3.bucket, prefix: 'hf', accessKeyId: { env: 'TEST_S3_KEY' }, secretAccessKey: { env: 'TEST_S3_SECRET' } };
    e = await hfE2e({ top: { storage: { blobs } }, env: { TEST_S3_KEY: s3.credentials.accessKeyId, TEST_S3_SECRET: s3.credentials.secretAccessKey } });
    e.hub.addRepo({ id: 'evil/padded', createdAt: OLD, downloads: 40 });
    e.hub.commit('evil/padded', [{ path: 'config.json', bytes: '{}' }, { path: 'model.pkl', bytes: paddedEvilPickle() }], { date: OLD });
  });
  after(async () => {
    await e?.close();
    await s3?.close();
  });

  it('refuses the file with the scanner\'s finding; the scan ran in the worker and read the bucket by range', async () => {
    const pool = e.airlock.app.airlock.modelScanPool;
    assert.equal(pool.workers, 0);
    const r = await e.client({ op: 'fetch', repo: 'evil/padded', path: 'model.pkl' });
    assert.ok(!r.ok);
    assert.equal(r.status, 403);
    assert.match(r.error, /model\.pkl runs code when it is loaded/);
    assert.equal(pool.workers, 1, 'scanned in the worker');
    const ranged = s3.count('GET', (req) => typeof req.headers['range'] === 'string');
    assert.ok(ranged > 0, 'the scan read the stored object by range');
    // The harmless file of the same commit is served from the bucket.
    const config = await e.client({ op: 'fetch', repo: 'evil/padded', path: 'config.json' });
    assert.ok(config.ok && config.value !== null && config.value.size === 2);
  });
});
