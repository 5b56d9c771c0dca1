import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { verifyAuditChain } from '../ports/index.ts';
import { openSqliteMetadataStore } from './sqlite-metadata-store.ts';

async function withStore(body: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-sqlite-int-'));
  try {
    const path = join(dir, 'airlock.db');
    const store = openSqliteMetadataStore({ path });
    await store.migrate();
    for (let i = 0; i < 5; i++) {
      await store.appendAudit({ at: new Date(1_700_000_000_000 + i), actor: 'system', action: 'test', subject: `s${i}`, details: { i } });
    }
    await store.close();
    await body(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('sqlite: the database runs in WAL mode with foreign keys on', () =>
  withStore(async (path) => {
    const db = new DatabaseSync(path);
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.['journal_mode'], 'wal');
    db.close();
  }));

test('sqlite: the audit table refuses UPDATE and DELETE, and inserts that do not extend the chain', () =>
  withStore(async (path) => {
    const db = new DatabaseSync(path);
    assert.throws(() => db.exec("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"), /append-only/);
    assert.throws(() => db.exec('DELETE FROM audit_events WHERE seq = 5'), /append-only/);
    const forge = db.prepare('INSERT INTO audit_events (seq, at, actor, action, subject, details, prev_hash, hash) VALUES (?, 0, ?, ?, ?, ?, ?, ?)');
    assert.throws(() => forge.run(9, 'x', 'x', 'x', '{}', '0'.repeat(64), '1'.repeat(64)), /extend the chain/);
    assert.throws(() => forge.run(6, 'x', 'x', 'x', '{}', '0'.repeat(64), '1'.repeat(64)), /extend the chain/);
    db.close();
  }));

test('sqlite: tampering behind the triggers\' back is detected by verifying the chain', () =>
  withStore(async (path) => {
    const db = new DatabaseSync(path);
    db.exec('DROP TRIGGER audit_events_no_update');
    db.exec(`UPDATE audit_events SET details = '{"i":42}' WHERE seq = 3`);
    db.close();
    const store = openSqliteMetadataStore({ path });
    const result = verifyAuditChain(await store.listAudit({ limit: 100 }));
    await store.close();
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.seq, 3);
    assert.equal(!result.ok && result.kind, 'hash');
  }));

test('sqlite: a file that is not a database is a STORAGE_ERROR naming the path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-sqlite-bad-'));
  try {
    const path = join(dir, 'airlock.db');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, 'this is not a sqlite database, just some text that is long enough to matter '.repeat(20));
    assert.throws(
      () => {
        const store = openSqliteMetadataStore({ path });
        void store.close();
      },
      (err: unknown) => (err as { code?: string }).code === 'STORAGE_ERROR' && String((err as Error).message).includes(path),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
