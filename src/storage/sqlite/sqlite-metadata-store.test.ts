import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMetadataStoreConformance, runSignalStoreConformance } from '../conformance/index.ts';
import { openSqliteMetadataStore } from './sqlite-metadata-store.ts';
import type { SqliteMetadataStore } from './sqlite-metadata-store.ts';

async function sqliteFixture() {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-sqlite-'));
  const path = join(dir, 'airlock.db');
  const opened: SqliteMetadataStore[] = [];
  const open = async (): Promise<SqliteMetadataStore> => {
    const store = openSqliteMetadataStore({ path });
    opened.push(store);
    await store.migrate();
    return store;
  };
  const store = await open();
  return {
    store,
    openPeer: open,
    cleanup: async () => {
      for (const s of opened) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

runMetadataStoreConformance('sqlite', sqliteFixture);
runSignalStoreConformance('sqlite', sqliteFixture);
