/**
 * Forward-only byte streams for one-pass archive walks: a plain source, or a gzip stream that is
 * decompressed on demand with backpressure, so a large tar.gz costs a bounded window of memory
 * and nothing is inflated beyond what the walker asks for (plus zlib's chunk).
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { ByteSource } from '../types.ts';
import { ScanFormatError } from '../engine/errors.ts';

export interface ForwardReader {
  /** Bytes consumed so far. */
  readonly position: number;
  /** The next `n` bytes; fewer only at the end of the stream. */
  read(n: number): Promise<Uint8Array>;
  /** Discards the next `n` bytes; returns how many there were. */
  skip(n: number): Promise<number>;
  /** Releases the decompressor; idempotent. */
  close(): Promise<void>;
}

export class SourceReader implements ForwardReader {
  readonly #src: ByteSource;
  #pos = 0;

  constructor(src: ByteSource) {
    this.#src = src;
  }

  get position(): number {
    return this.#pos;
  }

  async read(n: number): Promise<Uint8Array> {
    const b = await this.#src.read(this.#pos, Math.max(0, Math.min(n, this.#src.size - this.#pos)));
    this.#pos += b.length;
    return b;
  }

  skip(n: number): Promise<number> {
    const k = Math.max(0, Math.min(n, this.#src.size - this.#pos));
    this.#pos += k;
    return Promise.resolve(k);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const IN_CHUNK = 64 << 10;

/**
 * gzip (multi-member streams included, as Python's gzip reads them). Corrupt or truncated data
 * is a `ScanFormatError`; an error reading the source is rethrown as it came.
 */
export class GunzipReader implements ForwardReader {
  readonly #stream: Gunzip;
  readonly #iter: AsyncIterator<Buffer>;
  #sourceError: { readonly error: unknown } | undefined;
  #pending: Buffer = Buffer.alloc(0);
  #ended = false;
  #closed = false;
  #pos = 0;

  constructor(src: ByteSource) {
    const fail = (error: unknown): void => {
      this.#sourceError = { error };
    };
    async function* input(): AsyncGenerator<Uint8Array> {
      for (let p = 0; p < src.size; p += IN_CHUNK) {
        let chunk: Uint8Array;
        try {
          chunk = await src.read(p, Math.min(IN_CHUNK, src.size - p));
        } catch (err) {
          fail(err);
          throw err;
        }
        if (chunk.length === 0) return;
        yield chunk;
      }
    }
    const gunzip = createGunzip({ chunkSize: 64 << 10 });
    // Errors surface through the iterator below; the callback only keeps them from going unhandled.
    this.#stream = pipeline(Readable.from(input()), gunzip, () => undefined);
    this.#iter = this.#stream[Symbol.asyncIterator]();
  }

  get position(): number {
    return this.#pos;
  }

  /** Pulls one more decompressed chunk into `#pending`; false at the end. */
  async #pull(): Promise<boolean> {
    if (this.#ended || this.#closed) return false;
    let r: IteratorResult<Buffer>;
    try {
      r = await this.#iter.next();
    } catch (err) {
      this.#ended = true;
      if (this.#sourceError !== undefined) throw this.#sourceError.error;
      const message = err instanceof Error ? err.message : String(err);
      throw new ScanFormatError('gzip.corrupt', `gzip data is corrupt or truncated: ${message}`, this.#pos);
    }
    if (r.done === true) {
      this.#ended = true;
      return false;
    }
    this.#pending = this.#pending.length === 0 ? r.value : Buffer.concat([this.#pending, r.value]);
    return true;
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.#pending.length < n && (await this.#pull()));
    const k = Math.min(n, this.#pending.length);
    const out = Uint8Array.prototype.slice.call(this.#pending, 0, k);
    this.#pending = this.#pending.subarray(k);
    this.#pos += k;
    return out;
  }

  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.#pending.length === 0 && !(await this.#pull())) break;
      const k = Math.min(left, this.#pending.length);
      this.#pending = this.#pending.subarray(k);
      left -= k;
      this.#pos += k;
    }
    return n - left;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = Buffer.alloc(0);
    this.#stream.destroy();
    try {
      await this.#iter.return?.();
    } catch {
      // destroying a stream mid-way is the point; its error is of no interest here
    }
  }
}
