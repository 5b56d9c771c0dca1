import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Sha256Digest } from '../../core/index.ts';
import { closeFd, fsyncFd, openFd, renamePath } from './fd.ts';
import { fsyncDir, isErrno } from './fsync.ts';
import type { StagedBlob, StagedBlobPublisher } from './staged-upload.ts';

export interface RenamePublisherInit {
  /** Where a digest lives: its fan-out folder and file. */
  readonly locate: (digest: Sha256Digest) => { readonly dir: string; readonly file: string };
  readonly fsync: boolean;
}

/**
 * The filesystem store's commit: fsync the staged file, close it, rename it into its fan-out
 * folder (made once per folder, not per blob) and fsync the folder. rename(2) replaces
 * atomically; an existing blob with this digest has the same bytes.
 *
 * Each folder is opened once for its fsyncs and kept open (256 descriptors at most, closed by
 * `close()`): opening and closing it around every commit were two of a small blob's eight file
 * operations, each a trip through the thread pool.
 */
export class RenamePublisher implements StagedBlobPublisher {
  readonly #init: RenamePublisherInit;
  /** Fan-out folders known to exist, shared by the store's uploads. */
  readonly #knownDirs = new Set<string>();
  /** The open descriptor of each fan-out folder fsync'd so far. */
  readonly #dirFds = new Map<string, Promise<number>>();
  #closed = false;

  constructor(init: RenamePublisherInit) {
    this.#init = init;
  }

  async publish(staged: StagedBlob): Promise<void> {
    if (this.#init.fsync) await fsyncFd(staged.fd);
    await staged.closeFd();
    const { dir, file } = this.#init.locate(staged.digest);
    if (!this.#knownDirs.has(dir)) await this.#makeDir(dir);
    try {
      await renamePath(staged.path, file);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
      // The folder went away underneath (removed by hand): its descriptor is of the old one.
      this.#forgetDir(dir);
      await this.#makeDir(dir);
      await renamePath(staged.path, file);
    }
    if (this.#init.fsync) await fsyncFd(await this.#dirFd(dir));
  }

  /** Closes the folders' descriptors; a commit after it fails. */
  async close(): Promise<void> {
    this.#closed = true;
    const fds = [...this.#dirFds.values()];
    this.#dirFds.clear();
    await Promise.all(fds.map(async (fd) => closeFd(await fd).catch(() => undefined)));
  }

  async #makeDir(dir: string): Promise<void> {
    const made = await mkdir(dir, { recursive: true });
    // A folder made now is an entry of its parent, which a crash could lose with every blob in it.
    if (made !== undefined && this.#init.fsync) await fsyncDir(dirname(dir));
    this.#knownDirs.add(dir);
  }

  #dirFd(dir: string): Promise<number> {
    if (this.#closed) return Promise.reject(new Error('the blob store is closed'));
    let fd = this.#dirFds.get(dir);
    if (fd === undefined) {
      fd = openFd(dir, 'r');
      this.#dirFds.set(dir, fd);
      const opening = fd;
      // A failed open is not kept: the next commit tries again.
      opening.catch(() => {
        if (this.#dirFds.get(dir) === opening) this.#dirFds.delete(dir);
      });
    }
    return fd;
  }

  #forgetDir(dir: string): void {
    this.#knownDirs.delete(dir);
    const fd = this.#dirFds.get(dir);
    if (fd === undefined) return;
    this.#dirFds.delete(dir);
    fd.then((n) => closeFd(n)).catch(() => undefined);
  }
}
