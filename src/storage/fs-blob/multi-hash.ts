import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { StreamDigests } from '../ports/index.ts';

/** sha256 (and, unless only the address is wanted, sha512 and sha1) of one byte stream, in a single pass. */
export class MultiHash {
  readonly #sha256: Hash = createHash('sha256');
  readonly #sha512: Hash | null;
  readonly #sha1: Hash | null;

  constructor(addressOnly = false) {
    this.#sha512 = addressOnly ? null : createHash('sha512');
    this.#sha1 = addressOnly ? null : createHash('sha1');
  }

  update(chunk: Uint8Array): void {
    this.#sha256.update(chunk);
    this.#sha512?.update(chunk);
    this.#sha1?.update(chunk);
  }

  /** Finalises the hashes; call once. */
  digest(): StreamDigests {
    return { sha256: this.#sha256.digest('hex'), sha512: this.#sha512?.digest('hex') ?? null, sha1: this.#sha1?.digest('hex') ?? null };
  }
}
