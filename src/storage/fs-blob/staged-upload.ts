import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AirlockError, isAirlockError, sha256DigestFromHex } from '../../core/index.ts';
import type { Sha256Digest } from '../../core/index.ts';
import { withCondition } from '../common/index.ts';
import type { BlobExpectation, BlobUpload, BlobUploadOptions, CommittedBlob, StreamDigests } from '../ports/index.ts';
import { closeFd, openFd, writeFd } from './fd.ts';
import { MultiHash } from './multi-hash.ts';

type State = 'open' | 'committed' | 'aborted';

/** Verified staged bytes, handed to a publisher at commit. */
export interface StagedBlob {
  readonly digest: Sha256Digest;
  readonly size: number;
  /** The staging file. */
  readonly path: string;
  /** Its descriptor, open for writing until `closeFd`. */
  readonly fd: number;
  /** Closes `fd`, once: a closed descriptor number may be reused at once. */
  closeFd(): Promise<void>;
  /** sha256 (hex) of each `partSize`-long part, when the upload was begun with one and is longer than a part. */
  readonly partSha256: readonly string[];
  /** The upload's signal: a publisher that takes time stops when it fires. */
  readonly signal: AbortSignal | undefined;
}

/**
 * How a driver makes verified staged bytes the committed blob (the filesystem store renames the
 * file into place; the S3 store uploads it). Called once every expectation holds. On success
 * the staging file is gone (moved or removed by the publisher); when it throws, the upload is
 * aborted, which closes the descriptor and removes the staging file.
 */
export interface StagedBlobPublisher {
  publish(staged: StagedBlob): Promise<void>;
}

export interface StagedUploadInit {
  /** The staging file's descriptor, open for writing; the upload closes it. */
  readonly fd: number;
  readonly stagingPath: string;
  readonly maxBytes: number;
  readonly signal: AbortSignal | undefined;
  /** Only the sha256 address is computed (BlobUploadOptions.digests). */
  readonly addressOnly: boolean;
  /** Keep the sha256 of each part of this many bytes (0: none). */
  readonly partSize: number;
  readonly publisher: StagedBlobPublisher;
}

/**
 * A store's `begin()`: a fresh staging file in `stagingDir` and the upload that writes it, to be
 * published by `publisher` (part hashes kept for parts of `partSize` bytes; 0: none).
 */
export async function beginStagedUpload(
  stagingDir: string,
  options: BlobUploadOptions,
  how: { readonly partSize: number; readonly publisher: StagedBlobPublisher },
): Promise<BlobUpload> {
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 0) {
    throw new AirlockError('INTERNAL', `maxBytes must be a non-negative integer, got ${options.maxBytes}`);
  }
  options.signal?.throwIfAborted();
  const stagingPath = join(stagingDir, `${randomBytes(12).toString('hex')}.part`);
  let fd;
  try {
    fd = await openFd(stagingPath, 'wx', 0o644);
  } catch (err) {
    throw new AirlockError('STORAGE_ERROR', withCondition('cannot create a blob staging file', err), { cause: err });
  }
  return new StagedUpload({
    fd,
    stagingPath,
    maxBytes: options.maxBytes,
    signal: options.signal,
    addressOnly: options.digests === 'address',
    partSize: how.partSize,
    publisher: how.publisher,
  });
}

/**
 * Small chunks of a stream (a socket's, some KiB each) are gathered into writes of this size:
 * one write(2) and one await per chunk was most of a large blob's ingest (`bench:oci`: about
 * 3,000 writes of 21 KiB for a 64 MiB layer).
 */
const COALESCE_BYTES = 256 * 1024;

const HEX_LENGTH: Readonly<Record<keyof StreamDigests, number>> = { sha256: 64, sha512: 128, sha1: 40 };
const ALGORITHMS = ['sha256', 'sha512', 'sha1'] as const;

/** Lower-cased expected digests, each checked for shape before any byte is compared. */
function normaliseExpectation(expect: BlobExpectation): BlobExpectation {
  const out: { size?: number; sha256?: string; sha512?: string; sha1?: string } = {};
  if (expect.size !== undefined) {
    if (!Number.isSafeInteger(expect.size) || expect.size < 0) {
      throw new AirlockError('BAD_REQUEST', `expected size must be a non-negative integer, got ${expect.size}`);
    }
    out.size = expect.size;
  }
  for (const algorithm of ALGORITHMS) {
    const value = expect[algorithm];
    if (value === undefined) continue;
    const hex = value.toLowerCase();
    if (hex.length !== HEX_LENGTH[algorithm] || !/^[0-9a-f]+$/.test(hex)) {
      throw new AirlockError('INVALID_DIGEST', `expected ${algorithm} is not ${HEX_LENGTH[algorithm]} hex digits`);
    }
    out[algorithm] = hex;
  }
  return out;
}

/**
 * One upload into a store that stages on the local filesystem: a staging file written in order
 * (writes are queued, so callers that do not await still get their bytes in sequence), hashed as
 * it goes, handed to the store's publisher only after every expectation holds. Every operation
 * goes through one queue, so commit, abort and the abort signal never race each other.
 */
export class StagedUpload implements BlobUpload {
  readonly #init: StagedUploadInit;
  readonly #hash: MultiHash;
  #state: State = 'open';
  /** Whether `fd` is still ours to close: a closed descriptor number may be reused at once. */
  #fdOpen = true;
  #bytes = 0;
  #failure: unknown = null;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #onAbort: () => void;
  /** Writes asked for so far. */
  #writes = 0;
  /** Small chunks gathered for one write to the file (a copy of each), and how many bytes of it are used. */
  #gather: Buffer | null = null;
  #gathered = 0;

  constructor(init: StagedUploadInit) {
    this.#init = init;
    this.#hash = new MultiHash(init.addressOnly, init.partSize);
    this.#onAbort = () => {
      void this.abort();
    };
    init.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get bytesWritten(): number {
    return this.#bytes;
  }

  write(chunk: Uint8Array): Promise<void> {
    return this.#enqueue(async () => {
      this.#assertWritable();
      if (this.#bytes + chunk.byteLength > this.#init.maxBytes) {
        await this.#discard();
        throw new AirlockError('LIMIT_EXCEEDED', `blob exceeds the limit of ${this.#init.maxBytes} bytes`, {
          details: { maxBytes: this.#init.maxBytes },
        });
      }
      // The first write, and a large one, go to the file as they are (a blob written in one piece
      // costs what it did); the small pieces of a stream after the first are gathered and written
      // together, in copies (the caller may reuse a chunk once its write resolves).
      if (this.#writes++ === 0 || chunk.byteLength >= COALESCE_BYTES) {
        await this.#flush();
        await this.#writeOut(chunk);
      } else {
        if (this.#gathered + chunk.byteLength > COALESCE_BYTES) await this.#flush();
        this.#gather ??= Buffer.allocUnsafeSlow(COALESCE_BYTES);
        this.#gather.set(chunk, this.#gathered);
        this.#gathered += chunk.byteLength;
      }
      this.#hash.update(chunk);
      this.#bytes += chunk.byteLength;
    });
  }

  /** Writes what was gathered. */
  async #flush(): Promise<void> {
    if (this.#gathered === 0 || this.#gather === null) return;
    const length = this.#gathered;
    this.#gathered = 0;
    await this.#writeOut(this.#gather.subarray(0, length));
  }

  async #writeOut(bytes: Uint8Array): Promise<void> {
    try {
      let offset = 0;
      while (offset < bytes.byteLength) {
        offset += await writeFd(this.#init.fd, bytes, offset, bytes.byteLength - offset);
      }
    } catch (err) {
      this.#failure = err;
      await this.#discard();
      throw new AirlockError('STORAGE_ERROR', withCondition('writing to the blob staging file failed', err), { cause: err });
    }
  }

  commit(expect: BlobExpectation = {}): Promise<CommittedBlob> {
    return this.#enqueue(async () => {
      this.#assertWritable();
      await this.#flush();
      let wanted: BlobExpectation;
      try {
        wanted = normaliseExpectation(expect);
      } catch (err) {
        await this.#discard();
        throw err;
      }
      const digests = this.#hash.digest();
      const size = this.#bytes;
      if (wanted.size !== undefined && wanted.size !== size) {
        await this.#discard();
        throw new AirlockError('SIZE_MISMATCH', `content is ${size} bytes, expected ${wanted.size}`, {
          details: { expected: wanted.size, actual: size },
        });
      }
      for (const algorithm of ALGORITHMS) {
        const hex = wanted[algorithm];
        if (hex !== undefined && digests[algorithm] === null) {
          await this.#discard();
          throw new AirlockError('INTERNAL', `${algorithm} is not computed for an upload begun for its address only`);
        }
        if (hex !== undefined && hex !== digests[algorithm]) {
          await this.#discard();
          throw new AirlockError('DIGEST_MISMATCH', `content ${algorithm} does not match the expected digest`, {
            details: { algorithm, expected: hex, actual: digests[algorithm] },
          });
        }
      }
      const digest = sha256DigestFromHex(digests.sha256);
      try {
        await this.#init.publisher.publish({
          digest,
          size,
          path: this.#init.stagingPath,
          fd: this.#init.fd,
          closeFd: () => this.#closeFd(),
          partSha256: this.#init.partSize === 0 ? [] : this.#hash.partDigests(),
          signal: this.#init.signal,
        });
      } catch (err) {
        await this.#discard();
        // The signal stopped a publisher that takes time (an upload to S3): its reason, as a write gives it.
        if (this.#init.signal?.aborted === true && err === this.#init.signal.reason) throw err;
        throw isAirlockError(err) ? err : new AirlockError('STORAGE_ERROR', withCondition('committing the blob failed', err), { cause: err });
      }
      this.#state = 'committed';
      this.#detach();
      return { digest, size, digests };
    });
  }

  abort(): Promise<void> {
    return this.#enqueue(() => this.#discard());
  }

  #assertWritable(): void {
    if (this.#state === 'committed') throw new AirlockError('INTERNAL', 'upload already committed');
    // An aborted signal surfaces as its own reason (an AbortError unless the caller chose one).
    this.#init.signal?.throwIfAborted();
    if (this.#state === 'aborted') {
      throw new AirlockError('STORAGE_ERROR', 'upload was aborted', this.#failure === null ? {} : { cause: this.#failure });
    }
  }

  async #discard(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'aborted';
    this.#gather = null;
    this.#gathered = 0;
    this.#detach();
    await this.#closeFd().catch(() => undefined);
    await rm(this.#init.stagingPath, { force: true });
  }

  #closeFd(): Promise<void> {
    if (!this.#fdOpen) return Promise.resolve();
    this.#fdOpen = false;
    return closeFd(this.#init.fd);
  }

  #detach(): void {
    this.#init.signal?.removeEventListener('abort', this.#onAbort);
  }

  #enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
