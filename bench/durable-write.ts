/**
 * The plain way to store a file durably, which the benchmarks set Airlock's blob store beside
 * (the bare proxy's cache, `bench:storage`'s small-blob baseline): staged in the target folder
 * through fs/promises, fsynced, renamed into place. No digest check, no folder fsync.
 */
import { randomBytes } from 'node:crypto';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';

export async function storeDurably(dir: string, name: string, bytes: Buffer): Promise<void> {
  const staged = join(dir, `.staging-${randomBytes(8).toString('hex')}`);
  const handle = await open(staged, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(staged, join(dir, name));
}
