/**
 * Where the benchmark's throw-away trees live, and when they are deleted.
 *
 * Deleting files can slow down later file creation on the same filesystem. On ext4 without a
 * journal (this machine's root filesystem), the inode allocator passes over inodes freed in the
 * last minute or more (longer while their inode-table block is still dirty: `recently_deleted`
 * in the kernel's `fs/ext4/ialloc.c`). One `npm ci` of the workload writes about 24,000 files.
 * When each install's tree was deleted right after it, every later install scanned past those
 * inodes. Measured by hand, with the benchmark's own install and floor helpers: five floor
 * installs in a row took 9.3, 10.9, 12.3, 13.6 and 14.5 s; npm then spent about 20 s of kernel
 * time per install, against 3 s on a RAM filesystem; and `perf` put a third of the machine's
 * samples in `recently_deleted` and the inode-table lookups under it. The slowdown weighed on
 * whichever side came next, and the ratios drifted with it. So:
 *  - npm's project and cache go on a RAM filesystem when the machine has one. They are npm's
 *    own writes, identical through Airlock and straight from the floor. Keeping them off the
 *    disk takes nothing away from either side; it leaves both faster, which makes the ratio
 *    stricter.
 *  - Airlock's data directories stay on the disk, as in a deployment (its blob store writes
 *    and fsyncs there). They are deleted only when the benchmark ends, so no run pays for an
 *    earlier run's deletions.
 */
import { rm } from 'node:fs/promises';
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';

const TMPFS_MAGIC = 0x01021994;
const RAM_DIR = '/dev/shm';

/** Where an npm project and its cache are created: `BENCH_NPM_DIR`, else a RAM filesystem, else the temp directory. */
export function npmScratchRoot(): string {
  const chosen = process.env['BENCH_NPM_DIR'];
  if (chosen !== undefined && chosen !== '') return chosen;
  try {
    if (statfsSync(RAM_DIR).type === TMPFS_MAGIC) return RAM_DIR;
  } catch {
    // no such directory: fall through
  }
  return tmpdir();
}

const deferred: string[] = [];

/** Delete `dir` when the benchmark ends (`removeDeferred`), not now. */
export function removeLater(dir: string): void {
  deferred.push(dir);
}

/** Delete every directory left for later. */
export async function removeDeferred(): Promise<void> {
  const dirs = deferred.splice(0);
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}
