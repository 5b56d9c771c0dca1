/** A window of another source (a stored zip member, a tar entry, bytes inside a pickle). */
import type { ByteSource } from '../types.ts';

export class SliceSource implements ByteSource {
  readonly size: number;
  readonly #inner: ByteSource;
  readonly #start: number;

  constructor(inner: ByteSource, start: number, length: number) {
    if (start < 0 || length < 0) throw new RangeError(`bad slice ${start}+${length}`);
    this.#inner = inner;
    this.#start = Math.min(start, inner.size);
    this.size = Math.max(0, Math.min(length, inner.size - this.#start));
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0) return Promise.reject(new RangeError(`bad read ${offset}+${length}`));
    const start = Math.min(offset, this.size);
    const n = Math.min(length, this.size - start);
    return this.#inner.read(this.#start + start, n);
  }
}
