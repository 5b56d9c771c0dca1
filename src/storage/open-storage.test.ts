import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { isAirlockError, makePurl, newId } from '../core/index.ts';
import { openStorage, storeStream, verifyAuditChain } from './index.ts';

const exec = promisify(execFile);

test('openStorage: embedded defaults under the data directory, migrated, reopenable', async () => {
  const root = await mkdtemp(join(tmpdir(), 'airlock-storage-'));
  const dataDir = join(root, 'nested', 'data');
  try {
    const first = await openStorage({ dataDir });
    assert.ok(first.startup.migrations.applied.length > 0);
    assert.ok((await stat(join(dataDir, 'airlock.db'))).isFile());
    const data = randomBytes(1000);
    const blob = await storeStream(first.blobs, [data], { maxBytes: 1000 });
    await first.metadata.openQuarantine({
      id: newId(),
      repo: 'npm',
      purl: makePurl('npm', 'x', '1.0.0'),
      ecosystem: 'npm',
      name: 'x',
      version: '1.0.0',
      state: 'quarantined',
      reasons: [{ message: 'test' }],
      facts: {},
      createdAt: new Date(),
      updatedAt: new Date(),
      decidedBy: null,
      decidedAt: null,
      decisionReason: null,
      expiresAt: null,
      contentDigest: null,
    });
    await first.metadata.appendAudit({ at: new Date(), actor: 'system', action: 'test', subject: 'x', details: {} });
    await first.close();
    await first.close();

    const second = await openStorage({ dataDir });
    assert.deepEqual(second.startup.migrations.applied, [], 'already current');
    assert.deepEqual(second.startup.staging.removed, [], 'a clean shutdown leaves no staging');
    assert.deepEqual(await second.blobs.stat(blob.digest), { digest: blob.digest, size: 1000 });
    assert.equal((await second.metadata.listQuarantine({ limit: 10 })).items.length, 1);
    assert.equal(verifyAuditChain(await second.metadata.listAudit({ limit: 10 })).ok, true);
    await second.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

const pgUrl = process.env['AIRLOCK_TEST_PG_URL'];

test('openStorage: PostgreSQL metadata with filesystem blobs', { skip: pgUrl === undefined ? 'set AIRLOCK_TEST_PG_URL=postgres://… to run it' : false }, async () => {
  if (pgUrl === undefined) return;
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-storage-pg-'));
  const schema = `airlock_test_${randomBytes(6).toString('hex')}`;
  try {
    const storage = await openStorage({ dataDir, metadata: { driver: 'postgres', url: pgUrl, schema } });
    assert.ok(storage.startup.migrations.applied.length > 0);
    await storage.metadata.appendAudit({ at: new Date(), actor: 'system', action: 'test', subject: 'x', details: {} });
    await storage.signals.recordMissing({ ecosystem: 'npm', name: 'ghost', at: new Date(), tokenId: null, userAgent: null, agent: null });
    await storage.close();
    const again = await openStorage({ dataDir, metadata: { driver: 'postgres', url: pgUrl, schema } });
    assert.deepEqual(again.startup.migrations.applied, []);
    assert.equal(verifyAuditChain(await again.metadata.listAudit({ limit: 10 })).ok, true);
    assert.equal((await again.signals.getMissing('npm', 'ghost'))?.count, 1);
    await again.close();
  } finally {
    const { default: postgres } = await import('postgres');
    const admin = postgres(pgUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end({ timeout: 5 });
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('openStorage: a data directory that cannot be made is named with the real reason (not the ENOENT Node reports for it)', async (t) => {
  const ro = await mkdtemp(join(tmpdir(), 'airlock-ro-'));
  let mounted = false;
  t.after(async () => {
    if (mounted) await exec('umount', [ro]);
    await rm(ro, { recursive: true, force: true });
  });
  try {
    await exec('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', ro]);
    mounted = true;
  } catch {
    return t.skip('mounting a read-only tmpfs needs root');
  }
  const dataDir = join(ro, 'data');
  await assert.rejects(openStorage({ dataDir }), (err: unknown) => {
    assert.ok(isAirlockError(err, 'STORAGE_ERROR'));
    assert.equal(err.message, `cannot create the data directory ${dataDir}: read-only file system`);
    return true;
  });
});
