/**
 * The real stores in a temporary directory for a unit test: the SQLite metadata store, migrated,
 * and the filesystem blob store (without fsync: nothing here survives a power loss), both gone
 * when the test ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openFsBlobStore, type FsBlobStore } from '../../src/storage/fs-blob/index.ts';
import { openSqliteMetadataStore, type SqliteMetadataStore } from '../../src/storage/sqlite/index.ts';

export async function tempStores(t: TestContext, name: string): Promise<{ readonly store: SqliteMetadataStore; readonly blobs: FsBlobStore }> {
  const dir = await mkdtemp(join(tmpdir(), `airlock-${name}-`));
  const store = openSqliteMetadataStore({ path: join(dir, 'airlock.db') });
  await store.migrate();
  const blobs = await openFsBlobStore({ dataDir: dir, fsync: false });
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { store, blobs };
}
