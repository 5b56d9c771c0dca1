/** Bytes already in memory (a small file, a decompressed member materialised under limits). */
import type { ByteSource } from '../types.ts';

export class MemorySource implements ByteSource {
  readonly size: number;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.size = bytes.length;
  }

  /** The whole content, without copying (callers must not mutate it). */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return Promise.resolve(this.readSync(offset, length));
  }

  readSync(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0) throw new RangeError(`bad read ${offset}+${length}`);
    const start = Math.min(offset, this.size);
    return this.#bytes.subarray(start, Math.min(this.size, start + length));
  }
}
