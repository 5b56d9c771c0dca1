/**
 * The S3 store's commit, once every expectation holds on the staged bytes: content already
 * there (a HEAD finds the key with this size) is renewed by copying the object onto itself,
 * which renews its LastModified, as committing again must (the sweep's grace period counts from
 * it); otherwise the staged file goes up in one PUT, or above the part size in a multipart
 * upload, each request carrying its payload's sha256 so that S3 checks the bytes it stores.
 * Nothing is visible under the key until the PUT or the completion succeeds; a multipart upload
 * that fails is aborted. The staging file is removed either way.
 */
import { rm } from 'node:fs/promises';
import { AirlockError, digestHex, isAirlockError } from '../../core/index.ts';
import type { Sha256Digest } from '../../core/index.ts';
import type { StagedBlob, StagedBlobPublisher } from '../fs-blob/staged-upload.ts';
import { MAX_PART_SIZE, MAX_PARTS } from './options.ts';
import type { S3Client } from './s3-client.ts';

/** Parts on their way at once. */
const PARTS_IN_FLIGHT = 4;

export interface S3PublisherInit {
  readonly client: S3Client;
  readonly partSize: number;
  readonly keyOf: (digest: Sha256Digest) => string;
}

export class S3Publisher implements StagedBlobPublisher {
  readonly #init: S3PublisherInit;

  constructor(init: S3PublisherInit) {
    this.#init = init;
  }

  async publish(staged: StagedBlob): Promise<void> {
    // Read back by path from here on: the descriptor was opened for writing only.
    await staged.closeFd();
    try {
      const { client, partSize } = this.#init;
      const key = this.#init.keyOf(staged.digest);
      const existing = await client.head(key, staged.signal);
      // A copy cannot renew an object over 5 GiB; sending it again renews it as well.
      if (existing !== null && existing.size === staged.size && staged.size <= MAX_PART_SIZE && (await this.#renew(key, staged.signal))) return;
      if (staged.size <= partSize) {
        await client.putFile(key, { file: staged.path, start: 0, length: staged.size, sha256: digestHex(staged.digest) }, staged.signal);
      } else {
        await this.#multipart(key, staged);
      }
    } finally {
      await rm(staged.path, { force: true });
    }
  }

  /** Whether the object was there to renew (a sweep may remove it between the HEAD and the copy). */
  async #renew(key: string, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await this.#init.client.renew(key, signal);
      return true;
    } catch (err) {
      if (isAirlockError(err) && err.details['status'] === 404) return false;
      throw err;
    }
  }

  async #multipart(key: string, staged: StagedBlob): Promise<void> {
    const { client, partSize } = this.#init;
    const hashes = staged.partSha256;
    const count = Math.ceil(staged.size / partSize);
    if (hashes.length !== count) throw new AirlockError('INTERNAL', `the upload kept ${hashes.length} part digests for ${count} parts`);
    if (count > MAX_PARTS) {
      throw new AirlockError('STORAGE_ERROR', `a blob of ${staged.size} bytes needs ${count} parts of ${partSize} bytes, more than S3's ${MAX_PARTS}: raise the part size`);
    }
    const uploadId = await client.createMultipart(key, staged.signal);
    // The first part that fails stops the others; the upload is aborted once none is in flight
    // (S3 may keep a part that lands after the abort).
    const stop = new AbortController();
    const signal = staged.signal === undefined ? stop.signal : AbortSignal.any([staged.signal, stop.signal]);
    let failure: { readonly error: unknown } | null = null;
    try {
      const etags: string[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < count && failure === null) {
          const i = next++;
          const start = i * partSize;
          const body = { file: staged.path, start, length: Math.min(partSize, staged.size - start), sha256: hashes[i] as string };
          try {
            etags[i] = await client.uploadPart(key, uploadId, i + 1, body, signal);
          } catch (error) {
            failure ??= { error };
            stop.abort();
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARTS_IN_FLIGHT, count) }, worker));
      if (failure !== null) throw (failure as { readonly error: unknown }).error;
      await client.completeMultipart(key, uploadId, etags, staged.signal);
    } catch (err) {
      await client.abortMultipart(key, uploadId).catch(() => undefined);
      throw err;
    }
  }
}
