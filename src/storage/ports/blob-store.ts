import type { Readable } from 'node:stream';
import { AirlockError, type Sha256Digest } from '../../core/index.ts';

/**
 * A committed blob whose bytes no longer hash to its digest: the disk, or a hand, changed them.
 * The store has removed it by the time this is raised, so the content can be stored again.
 */
export class BlobCorruptError extends AirlockError {
  readonly digest: Sha256Digest;
  constructor(digest: Sha256Digest) {
    super('STORAGE_ERROR', `blob ${digest} was corrupt (its bytes no longer match their digest); it is removed`, { details: { digest } });
    this.digest = digest;
  }
}

/** What the store knows about a committed blob. */
export interface BlobInfo {
  readonly digest: Sha256Digest;
  readonly size: number;
}

/**
 * Digests computed while streaming, hex encoded. sha512 and sha1 are null when the upload was
 * begun with `digests: 'address'`.
 */
export interface StreamDigests {
  readonly sha256: string;
  readonly sha512: string | null;
  readonly sha1: string | null;
}

export interface CommittedBlob extends BlobInfo {
  readonly digests: StreamDigests;
}

/** What the bytes must be for `commit()` to succeed. Any mismatch aborts the upload. */
export interface BlobExpectation {
  readonly size?: number;
  /** Hex digests the content must have. */
  readonly sha256?: string;
  readonly sha512?: string;
  readonly sha1?: string;
}

export interface BlobUploadOptions {
  /** Hard cap: writing more than this many bytes fails with LIMIT_EXCEEDED. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
  /**
   * `all` (default): sha256, sha512 and sha1 while streaming. `address`: only the sha256 the
   * blob is stored under (cached documents, OCI blobs, Hugging Face files: nobody checks their
   * other digests); expecting another digest at commit is then an error.
   */
  readonly digests?: 'all' | 'address';
}

/**
 * A writer session: write → commit | abort. Bytes go to a staging file on the same
 * filesystem, hashed as they stream; nothing is visible under a digest until commit
 * has verified every expectation, fsynced and renamed atomically.
 */
export interface BlobUpload {
  /**
   * Resolves once the chunk is accepted (backpressure). From then on the upload no longer reads
   * the chunk (a driver that buffers, such as a multipart upload, copies what it keeps): the
   * caller may reuse or free it.
   */
  write(chunk: Uint8Array): Promise<void>;
  readonly bytesWritten: number;
  /**
   * Verify and publish. Throws DIGEST_MISMATCH / SIZE_MISMATCH (after aborting) when the
   * content is not what was expected. Idempotent content: committing bytes that already
   * exist under their digest succeeds and leaves the existing blob in place.
   */
  commit(expect?: BlobExpectation): Promise<CommittedBlob>;
  /**
   * Discard the staged bytes. Idempotent; always safe to call in `finally` (after a successful
   * commit it does nothing). Pending writes fail once the upload is aborted. An upload holds
   * resources (the filesystem driver: an open file) until it is committed or aborted, so every
   * upload ends in one of the two.
   */
  abort(): Promise<void>;
}

/**
 * A byte range of a blob. `end` past the last byte is clamped to it (as HTTP does); a `start`
 * at or past the end of the blob, or `end < start`, fails with BAD_REQUEST.
 */
export interface ByteRange {
  readonly start: number;
  /** Inclusive end offset. */
  readonly end: number;
}

export interface BlobReader {
  stat(digest: Sha256Digest): Promise<BlobInfo | null>;
  /**
   * A stream of the blob (or a range of it); null when absent. Each chunk is the reader's own
   * allocation, which nothing else reads once it is handed on: a reader may free it when done.
   * The whole blob's stream is checked against the digest as it goes: its last chunk is held
   * back until the whole has hashed, and a corrupt blob's stream fails with BlobCorruptError
   * (the blob removed) instead of ending, so no reader ever gets all of a corrupt blob. A
   * range cannot be checked.
   */
  open(digest: Sha256Digest, range?: ByteRange): Promise<Readable | null>;
  /**
   * The blob (or a range of it) in one buffer that owns exactly its bytes; null when absent.
   * LIMIT_EXCEEDED, before anything is read, when that is more than `maxBytes`. For small blobs
   * read whole (a tarball kept in memory, a manifest's span of a packument): no stream, no
   * chunks to join. The whole blob is checked against the digest: a corrupt one is removed and
   * BlobCorruptError raised. A range cannot be checked.
   */
  read(digest: Sha256Digest, options: { readonly maxBytes: number; readonly range?: ByteRange }): Promise<Buffer | null>;
}

export interface BlobWriter {
  begin(options: BlobUploadOptions): Promise<BlobUpload>;
}

export interface BlobDeleter {
  delete(digest: Sha256Digest): Promise<boolean>;
}

/** One committed blob, as a listing sees it. */
export interface BlobListing {
  readonly digest: Sha256Digest;
  readonly size: number;
  /** When it was last committed (committing the same content again renews it). */
  readonly committedAt: Date;
}

export interface BlobLister {
  /** Every committed blob once, in no set order; uploads not yet committed are never listed. */
  list(): AsyncIterable<BlobListing>;
}

/**
 * Optional capability: a local file path for a committed blob, for readers that need random
 * access (scanners). Probe with `hasLocalPath`.
 */
export interface BlobLocalPath {
  localPath(digest: Sha256Digest): Promise<string | null>;
}

export type BlobStore = BlobReader & BlobWriter & BlobDeleter & BlobLister;

export function hasLocalPath(store: BlobStore): store is BlobStore & BlobLocalPath {
  return typeof (store as Partial<BlobLocalPath>).localPath === 'function';
}
