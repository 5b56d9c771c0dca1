import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../storage/index.ts';
import { createIdGenerator } from '../core/index.ts';
import { TokenService } from '../api/auth/token-service.ts';
import { ReviewIndex } from './review-index.ts';
import { auditHead } from '../storage/ports/index.ts';
import { ReviewSync } from './review-sync.ts';

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

test('a token revoked through another process stops working here at the next poll, not when its cache entry runs out', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-sync-tokens-'));
  // Two handles on one store: two gateway processes.
  const [one, two] = [await openStorage({ dataDir: dir, blobs: { driver: 'fs', fsync: false } }), await openStorage({ dataDir: dir, blobs: { driver: 'fs', fsync: false } })];
  try {
    const ids = createIdGenerator();
    const here = new TokenService({ store: two.metadata, newId: ids });
    const elsewhere = new TokenService({ store: one.metadata, newId: ids });
    let invalidated = 0;
    const sync = new ReviewSync({ store: two.metadata, reviews: new ReviewIndex(), gate: { invalidate: () => invalidated++ }, tokens: here }, { intervalMs: 60_000 });
    await sync.start();
    try {
      const created = await elsewhere.create({ role: 'reader', label: 'ci', expiresAt: null, actor: 'test' });
      assert.equal((await here.verify(created.token))?.id, created.id);
      await elsewhere.revoke(created.id, 'test');
      assert.equal((await here.verify(created.token))?.id, created.id, 'still cached here: this is what the sync is for');
      await sync.poll();
      assert.equal(await here.verify(created.token), null);
      assert.equal(invalidated, 0, 'a revoked token changes no verdict');
    } finally {
      await sync.close();
    }
  } finally {
    await one.close();
    await two.close();
    await rm(dir, { recursive: true, force: true });
  }
});
