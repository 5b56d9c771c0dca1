import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AirlockError } from '../../core/index.ts';
import type { BlobExpectation, BlobUpload, BlobUploadOptions, BlobWriter, CommittedBlob } from './blob-store.ts';

export type ByteSource = Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Pump a byte stream into an upload with backpressure: the next chunk is read only once the
 * upload has accepted the previous one. The signal (and any stream error) destroys the source;
 * on failure the upload is aborted and the error rethrown, so nothing half-written survives.
 * Resolves with the number of bytes written. Does not commit.
 */
export async function writeStreamToUpload(source: ByteSource, upload: BlobUpload, signal?: AbortSignal): Promise<number> {
  try {
    await pipeline(
      source,
      async (chunks: AsyncIterable<unknown>) => {
        for await (const chunk of chunks) {
          if (!(chunk instanceof Uint8Array)) {
            throw new AirlockError('INTERNAL', 'byte stream yielded a non-binary chunk (is an encoding set on it?)');
          }
          await upload.write(chunk);
        }
      },
      signal === undefined ? {} : { signal },
    );
  } catch (err) {
    await upload.abort();
    throw err;
  }
  return upload.bytesWritten;
}

export interface StoreStreamOptions extends BlobUploadOptions {
  readonly expect?: BlobExpectation;
}

/**
 * The whole ingest in one call: begin an upload, stream the source into it, verify and commit.
 * The upload is aborted on any failure (digest or size mismatch, limit, abort signal, source
 * error); nothing becomes visible unless every expectation holds.
 */
export async function storeStream(store: BlobWriter, source: ByteSource, options: StoreStreamOptions): Promise<CommittedBlob> {
  const { expect: _expect, ...begin } = options;
  const upload = await store.begin(begin);
  try {
    await writeStreamToUpload(source, upload, options.signal);
    return await upload.commit(options.expect);
  } finally {
    await upload.abort();
  }
}
