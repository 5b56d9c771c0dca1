import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage } from '../index.ts';

/** For tests: runs `body` on the embedded storage (SQLite and files) of a fresh data directory, removed afterwards. */
export async function withTempStorage(body: (s: Storage) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-storage-'));
  const storage = await openStorage({ dataDir });
  try {
    await body(storage);
  } finally {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
