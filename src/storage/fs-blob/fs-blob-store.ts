import { mkdir, open, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AirlockError, isAirlockError, sha256DigestFromHex } from '../../core/index.ts';
import type { Sha256Digest } from '../../core/index.ts';
import { checkedStream, matchesDigest, withCondition } from '../common/index.ts';
import { BlobCorruptError, type BlobInfo, type BlobListing, type BlobLocalPath, type BlobStore, type BlobUpload, type BlobUploadOptions, type ByteRange } from '../ports/index.ts';
import { closeFd, openFd, readFd, sizeOfFd, statPath } from './fd.ts';
import { isErrno } from './fsync.ts';
import { blobLocation, fsBlobLayout } from './layout.ts';
import type { FsBlobLayout } from './layout.ts';
import { currentProcessIdentity } from './process-identity.ts';
import { RenamePublisher } from './rename-publisher.ts';
import { beginStagedUpload } from './staged-upload.ts';
import { cleanStaging, stagingFolderName } from './staging.ts';
import type { StagingCleanupReport } from './staging.ts';

export interface FsBlobStoreOptions {
  /** The data directory; blobs live under `<dataDir>/blobs/`. */
  readonly dataDir: string;
  /**
   * fsync staged files and directories on commit (default true). Only tests that do not care
   * about power loss should turn it off.
   */
  readonly fsync?: boolean;
  /** Staging folders of other hosts (shared volume) are removed when untouched this long. Default 24 h. */
  readonly foreignStagingStaleMs?: number;
}

interface ResolvedOptions {
  readonly dataDir: string;
  readonly fsync: boolean;
  readonly foreignStagingStaleMs: number;
}

/**
 * Content-addressed blob store on a local filesystem. Open it with `openFsBlobStore`, which
 * cleans what crashed instances left in staging before the store is used.
 */
/** The fan-out folders and the file names the layout gives committed blobs. */
const FANOUT = /^[0-9a-f]{2}$/;
const BLOB_NAME = /^[0-9a-f]{64}$/;

export class FsBlobStore implements BlobStore, BlobLocalPath {
  readonly #layout: FsBlobLayout;
  readonly #stagingDir: string;
  readonly #publisher: RenamePublisher;
  /** What start-up removed from staging (for logs and tests). */
  readonly startupCleanup: StagingCleanupReport;

  private constructor(options: ResolvedOptions, layout: FsBlobLayout, stagingDir: string, cleanup: StagingCleanupReport) {
    this.#layout = layout;
    this.#stagingDir = stagingDir;
    this.#publisher = new RenamePublisher({ locate: (digest) => blobLocation(layout, digest), fsync: options.fsync });
    this.startupCleanup = cleanup;
  }

  static async open(options: FsBlobStoreOptions): Promise<FsBlobStore> {
    const resolved: ResolvedOptions = Object.freeze({
      dataDir: options.dataDir,
      fsync: options.fsync ?? true,
      foreignStagingStaleMs: options.foreignStagingStaleMs ?? 24 * 3600 * 1000,
    });
    const layout = fsBlobLayout(resolved.dataDir);
    await mkdir(layout.sha256Dir, { recursive: true });
    const self = currentProcessIdentity();
    const cleanup = await cleanStaging(layout.stagingDir, {
      self,
      foreignStaleMs: resolved.foreignStagingStaleMs,
      now: Date.now(),
    });
    const stagingDir = join(layout.stagingDir, stagingFolderName(self));
    await mkdir(stagingDir);
    return new FsBlobStore(resolved, layout, stagingDir, cleanup);
  }

  begin(options: BlobUploadOptions): Promise<BlobUpload> {
    return beginStagedUpload(this.#stagingDir, options, { partSize: 0, publisher: this.#publisher });
  }

  async stat(digest: Sha256Digest): Promise<BlobInfo | null> {
    const { file } = blobLocation(this.#layout, digest);
    try {
      const info = await statPath(file);
      return info.isFile() ? { digest, size: info.size } : null;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw new AirlockError('STORAGE_ERROR', 'cannot stat blob', { cause: err });
    }
  }

  async open(digest: Sha256Digest, range?: ByteRange): Promise<Readable | null> {
    const handle = await this.#openFile(digest, (file) => open(file, 'r'));
    if (handle === null) return null;
    if (range === undefined) return checkedStream(handle.createReadStream(), digest, () => this.#corrupt(digest));
    try {
      const { start, end } = clampRange(range, (await handle.stat()).size);
      return handle.createReadStream({ start, end });
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async read(digest: Sha256Digest, options: { readonly maxBytes: number; readonly range?: ByteRange }): Promise<Buffer | null> {
    const fd = await this.#openFile(digest, (file) => openFd(file, 'r'));
    if (fd === null) return null;
    try {
      const size = await sizeOfFd(fd);
      const { start, end } = options.range === undefined ? { start: 0, end: size - 1 } : clampRange(options.range, size);
      const length = end - start + 1;
      if (length > options.maxBytes) {
        throw new AirlockError('LIMIT_EXCEEDED', `blob read of ${length} bytes exceeds the limit of ${options.maxBytes}`, { details: { length, limit: options.maxBytes } });
      }
      // Not from the shared pool: callers may keep the buffer (caches).
      const out = Buffer.allocUnsafeSlow(length);
      let filled = 0;
      while (filled < length) {
        const bytesRead = await readFd(fd, out, filled, length - filled, start + filled);
        if (bytesRead === 0) throw new AirlockError('STORAGE_ERROR', `blob ${digest} ended ${length - filled} bytes early`);
        filled += bytesRead;
      }
      if (options.range === undefined && !matchesDigest(out, digest)) throw await this.#corrupt(digest);
      return out;
    } catch (err) {
      throw isAirlockError(err) ? err : new AirlockError('STORAGE_ERROR', 'cannot read blob', { cause: err });
    } finally {
      await closeFd(fd);
    }
  }

  /** The blob's file opened by `opener` (a stream's FileHandle, or a raw descriptor), or null when there is none. */
  async #openFile<T>(digest: Sha256Digest, opener: (file: string) => Promise<T>): Promise<T | null> {
    const { file } = blobLocation(this.#layout, digest);
    try {
      return await opener(file);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw new AirlockError('STORAGE_ERROR', 'cannot open blob', { cause: err });
    }
  }

  /** Removes a blob whose bytes no longer hash to its digest; the error to raise. */
  async #corrupt(digest: Sha256Digest): Promise<BlobCorruptError> {
    await this.delete(digest);
    return new BlobCorruptError(digest);
  }

  async delete(digest: Sha256Digest): Promise<boolean> {
    const { file } = blobLocation(this.#layout, digest);
    try {
      await unlink(file);
      return true;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw new AirlockError('STORAGE_ERROR', 'cannot delete blob', { cause: err });
    }
  }

  async *list(): AsyncGenerator<BlobListing> {
    for (const dir of (await readdir(this.#layout.sha256Dir)).sort()) {
      if (!FANOUT.test(dir)) continue;
      let names: string[];
      try {
        names = await readdir(join(this.#layout.sha256Dir, dir));
      } catch (err) {
        if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) continue;
        throw new AirlockError('STORAGE_ERROR', withCondition('cannot list blobs', err), { cause: err });
      }
      for (const name of names.sort()) {
        if (!BLOB_NAME.test(name) || !name.startsWith(dir)) continue;
        const digest = sha256DigestFromHex(name);
        let info;
        try {
          info = await statPath(blobLocation(this.#layout, digest).file);
        } catch (err) {
          if (isErrno(err, 'ENOENT')) continue;
          throw new AirlockError('STORAGE_ERROR', withCondition('cannot list blobs', err), { cause: err });
        }
        if (info.isFile()) yield { digest, size: info.size, committedAt: info.mtime };
      }
    }
  }

  async localPath(digest: Sha256Digest): Promise<string | null> {
    return (await this.stat(digest)) === null ? null : blobLocation(this.#layout, digest).file;
  }

  /** Remove this instance's staging folder. Uploads still open fail when they commit. */
  async close(): Promise<void> {
    await this.#publisher.close();
    await rm(this.#stagingDir, { recursive: true, force: true });
  }
}

export function openFsBlobStore(options: FsBlobStoreOptions): Promise<FsBlobStore> {
  return FsBlobStore.open(options);
}

/** A range of a blob of `size` bytes as inclusive offsets, `end` clamped to the last byte (ByteRange). */
function clampRange(range: ByteRange, size: number): { start: number; end: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || start >= size) {
    throw new AirlockError('BAD_REQUEST', `range ${start}-${end} is not satisfiable for a blob of ${size} bytes`, {
      details: { start, end, size },
    });
  }
  return { start, end: Math.min(end, size - 1) };
}
