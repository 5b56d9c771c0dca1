/**
 * Model files are scanned in a worker thread, not in the gateway's: while one member of a file
 * decodes in one synchronous stretch, the gateway goes on answering other requests; and a gateway
 * that has scanned nothing runs no scan worker.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Sha256Digest } from '../../../src/core/index.ts';
import { BZIP2_PICKLE_200_MIB } from '../../support/slow-scan-sample.ts';
import { hfE2e, OLD, type HfE2e } from './support.ts';

/** Health requests, one after another, the gateway answers during the scan. */
const HEALTH_ROUND_TRIPS = 40;

describe('huggingface: model files are scanned in a worker thread', () => {
  let e: HfE2e;
  before(async () => {
    e = await hfE2e();
    e.hub.addRepo({ id: 'acme/packed', createdAt: OLD, downloads: 900 });
    e.hub.commit('acme/packed', [{ path: 'model.pkl', bytes: BZIP2_PICKLE_200_MIB }], { date: OLD });
  });
  after(async () => e.close());

  it('starts no scan worker before the first file is scanned', async () => {
    const pool = e.airlock.app.airlock.modelScanPool;
    const info = await fetch(`${e.endpoint}/api/models/acme/packed/tree/main?recursive=true`);
    assert.equal(info.status, 200);
    await info.arrayBuffer();
    assert.equal(pool.workers, 0);
  });

  it('answers other requests while a file decodes in one synchronous stretch, and serves the file after', async () => {
    const { blobs } = e.airlock.app.airlock.storage;
    const digest = `sha256:${createHash('sha256').update(BZIP2_PICKLE_200_MIB).digest('hex')}` as Sha256Digest;
    const order: string[] = [];
    let health: Promise<void> | null = null;
    // The scan reads the stored file whole, then scans it: from then on, ask for /-/health again
    // and again. In the gateway's own thread the decode would hold every one of them until the
    // scan ended, and the file's answer would come first.
    const read = blobs.read.bind(blobs);
    blobs.read = async (d, options) => {
      const bytes = await read(d, options);
      if (d === digest && health === null) {
        order.push('scan');
        health = (async () => {
          for (let i = 0; i < HEALTH_ROUND_TRIPS; i++) {
            const r = await fetch(`${e.airlock.url}/-/health`);
            assert.equal(r.status, 200);
            await r.arrayBuffer();
            order.push('health');
          }
        })();
      }
      return bytes;
    };
    try {
      const res = await fetch(`${e.endpoint}/acme/packed/resolve/main/model.pkl`);
      order.push('model');
      assert.equal(res.status, 200, res.headers.get('x-error-message') ?? '');
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(BZIP2_PICKLE_200_MIB), 'the bytes served are the file\'s');
      await health;
    } finally {
      blobs.read = read;
    }
    assert.equal(order[0], 'scan');
    assert.equal(order.indexOf('model'), HEALTH_ROUND_TRIPS + 1, `the file was answered after ${order.indexOf('model') - 1} of the ${HEALTH_ROUND_TRIPS} health checks`);
    assert.equal(e.airlock.app.airlock.modelScanPool.workers, 1);
  });

  it('stops its scan worker when the app closes', async () => {
    const pool = e.airlock.app.airlock.modelScanPool;
    assert.equal(pool.workers, 1);
    await e.airlock.app.close();
    assert.equal(pool.workers, 0);
  });
});
