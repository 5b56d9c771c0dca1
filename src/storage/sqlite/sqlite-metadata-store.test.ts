import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMetadataStoreConformance } from '../conformance/index.ts';
import type { MetadataStore } from '../ports/index.ts';
import { openSqliteMetadataStore } from './sqlite-metadata-store.ts';

runMetadataStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-sqlite-'));
  const path = join(dir, 'airlock.db');
  const opened: MetadataStore[] = [];
  const open = async (): Promise<MetadataStore> => {
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
});
