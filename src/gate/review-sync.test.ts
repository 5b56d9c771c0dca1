import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../storage/index.ts';
import { auditHead } from './review-sync.ts';

test('auditHead finds the newest seq of a real audit log in O(log n) probes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-head-'));
  const storage = await openStorage({ dataDir: dir, blobs: { driver: 'fs', fsync: false } });
  try {
    assert.equal(await auditHead(storage.metadata), 0);
    let probes = 0;
    const counting = {
      ...storage.metadata,
      listAudit: (f: { afterSeq?: number; limit: number }) => {
        probes++;
        return storage.metadata.listAudit(f);
      },
    };
    for (let i = 1; i <= 300; i++) {
      await storage.metadata.appendAudit({ at: new Date(), actor: 'system', action: 'test.event', subject: String(i), details: { i } });
      if ([1, 2, 3, 64, 65, 255, 256, 300].includes(i)) {
        probes = 0;
        assert.equal(await auditHead(counting), i);
        assert.ok(probes <= 2 * Math.ceil(Math.log2(i + 1)) + 2, `${probes} probes for ${i} events`);
      }
    }
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
});
