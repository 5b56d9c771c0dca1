import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from './process-identity.ts';
import type { ProcessIdentity } from './process-identity.ts';

/**
 * Staging folders: `<host>~<pid>~<start>~<random>`, one per open store instance. Uploads write
 * there and are renamed into the content-addressed tree on commit, so a crash leaves only
 * staging garbage, which the next start-up removes.
 */
const OWNER_RE = /^([A-Za-z0-9.-]+)~(\d+)~(\d*)~([0-9a-f]{16})$/;

export function stagingFolderName(owner: ProcessIdentity): string {
  return `${owner.host}~${owner.pid}~${owner.start}~${randomBytes(8).toString('hex')}`;
}

export function parseStagingFolderName(name: string): ProcessIdentity | null {
  const m = OWNER_RE.exec(name);
  if (m === null) return null;
  return { host: m[1] as string, pid: Number(m[2]), start: m[3] as string };
}

export interface StagingCleanupOptions {
  readonly self: ProcessIdentity;
  /** Folders of other hosts (a shared volume) are removed only when untouched this long. */
  readonly foreignStaleMs: number;
  readonly now: number;
}

export interface StagingCleanupReport {
  readonly removed: readonly string[];
  readonly kept: readonly string[];
}

/**
 * Remove what crashed or stopped store instances left in staging: folders of processes on this
 * host that are no longer running, folders of other hosts untouched for `foreignStaleMs`, and
 * anything that is not a staging folder at all. Live instances' folders are kept.
 */
export async function cleanStaging(stagingDir: string, options: StagingCleanupOptions): Promise<StagingCleanupReport> {
  await mkdir(stagingDir, { recursive: true });
  const removed: string[] = [];
  const kept: string[] = [];
  for (const entry of await readdir(stagingDir, { withFileTypes: true })) {
    const full = join(stagingDir, entry.name);
    const owner = entry.isDirectory() ? parseStagingFolderName(entry.name) : null;
    let garbage: boolean;
    if (owner === null) {
      garbage = true;
    } else if (owner.host === options.self.host) {
      garbage = !isProcessAlive(owner);
    } else {
      const info = await stat(full).catch(() => null);
      garbage = info === null || options.now - info.mtimeMs > options.foreignStaleMs;
    }
    if (garbage) {
      await rm(full, { recursive: true, force: true });
      removed.push(entry.name);
    } else {
      kept.push(entry.name);
    }
  }
  return { removed, kept };
}
