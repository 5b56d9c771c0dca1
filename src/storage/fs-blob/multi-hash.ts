import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { StreamDigests } from '../ports/index.ts';

/**
 * sha256 (and, unless only the address is wanted, sha512 and sha1) of one byte stream, in a single
 * pass. With a part size it also keeps the sha256 of each part of that many bytes, which a
 * multipart upload sends with each part: the first part's is a copy of the whole hash's state at
 * the part boundary, so content of one part or less costs nothing more, and longer content one
 * more sha256 over the bytes past the first part.
 */
export class MultiHash {
  readonly #sha256: Hash = createHash('sha256');
  readonly #sha512: Hash | null;
  readonly #sha1: Hash | null;
  /** 0: no part digests. */
  readonly #partSize: number;
  #offset = 0;
  /** The hash of the part under way, past the first part. */
  #part: Hash | null = null;
  readonly #parts: string[] = [];

  constructor(addressOnly = false, partSize = 0) {
    this.#sha512 = addressOnly ? null : createHash('sha512');
    this.#sha1 = addressOnly ? null : createHash('sha1');
    this.#partSize = partSize;
  }

  update(chunk: Uint8Array): void {
    if (this.#partSize === 0) this.#sha256.update(chunk);
    else this.#updateParts(chunk);
    this.#sha512?.update(chunk);
    this.#sha1?.update(chunk);
  }

  /** Finalises the hashes; call once. */
  digest(): StreamDigests {
    return { sha256: this.#sha256.digest('hex'), sha512: this.#sha512?.digest('hex') ?? null, sha1: this.#sha1?.digest('hex') ?? null };
  }

  /**
   * The sha256 of each part (the last one may be shorter), hex, when the content was longer than
   * one part; empty otherwise (the whole sha256 is then the one part's). Call once, at the end.
   */
  partDigests(): readonly string[] {
    if (this.#offset <= this.#partSize) return [];
    if (this.#offset % this.#partSize !== 0 && this.#part !== null) this.#parts.push(this.#part.digest('hex'));
    return this.#parts;
  }

  #updateParts(chunk: Uint8Array): void {
    const size = this.#partSize;
    for (let at = 0; at < chunk.byteLength; ) {
      const piece = chunk.subarray(at, at + size - (this.#offset % size));
      this.#sha256.update(piece);
      this.#part?.update(piece);
      at += piece.byteLength;
      this.#offset += piece.byteLength;
      if (this.#offset % size === 0) {
        this.#parts.push((this.#part ?? this.#sha256.copy()).digest('hex'));
        this.#part = createHash('sha256');
      }
    }
  }
}
