import { mkdir } from 'node:fs/promises';
import type { Sha256Digest } from '../../core/index.ts';
import { fsyncFd, renamePath } from './fd.ts';
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
 */
export class RenamePublisher implements StagedBlobPublisher {
  readonly #init: RenamePublisherInit;
  /** Fan-out folders known to exist (at most 256), shared by the store's uploads. */
  readonly #knownDirs = new Set<string>();

  constructor(init: RenamePublisherInit) {
    this.#init = init;
  }

  async publish(staged: StagedBlob): Promise<void> {
    if (this.#init.fsync) await fsyncFd(staged.fd);
    await staged.closeFd();
    const { dir, file } = this.#init.locate(staged.digest);
    const makeDir = async (): Promise<void> => {
      await mkdir(dir, { recursive: true });
      this.#knownDirs.add(dir);
    };
    if (!this.#knownDirs.has(dir)) await makeDir();
    try {
      await renamePath(staged.path, file);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
      // The folder went away underneath (removed by hand): make it again.
      await makeDir();
      await renamePath(staged.path, file);
    }
    if (this.#init.fsync) await fsyncDir(dir);
  }
}
