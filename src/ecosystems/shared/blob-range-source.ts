/**
 * A stored blob read by range, as the scanners read their input: a file too big to read into
 * memory whole. Each read returns bytes of its own, which nothing here keeps.
 */
import { AirlockError, type Sha256Digest } from '../../core/index.ts';
import type { ByteSource } from '../../scan/index.ts';
import type { BlobStore } from '../../storage/ports/index.ts';

export class BlobRangeSource implements ByteSource {
  readonly size: number;
  readonly #blobs: BlobStore;
  readonly #blob: Sha256Digest;

  constructor(blobs: BlobStore, blob: Sha256Digest, size: number) {
    this.#blobs = blobs;
    this.#blob = blob;
    this.size = size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const bytes = await this.#blobs.read(this.#blob, { range: { start: offset, end: end - 1 }, maxBytes: end - offset });
    if (bytes === null) throw new AirlockError('STORAGE_ERROR', `the stored file ${this.#blob} is gone`);
    return bytes;
  }
}
