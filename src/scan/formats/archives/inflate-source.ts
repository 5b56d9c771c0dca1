/**
 * A ByteSource over deflate-compressed bytes that decompresses lazily and forward: an analyzer
 * that reads a header and stops costs only that much; a sequential reader (a pickle) streams
 * through with a bounded window. Reading behind the window restarts decompression (a few
 * times at most), so memory stays bounded whatever the member's size.
 */
import { createGunzip, createInflate, createInflateRaw, type Gunzip, type Inflate, type InflateRaw } from 'node:zlib';
import type { ByteSource } from '../../types.ts';
import { ScanFormatError, ScanLimitError } from '../../engine/errors.ts';
import type { ZlibKind } from './inflate.ts';

const IN_CHUNK = 1 << 14;
const WINDOW = 8 << 20;
const MAX_RESTARTS = 8;

export class InflateSource implements ByteSource {
  readonly size: number;
  /** Produces bytes that are not in the file: the engine meters reads of it. */
  readonly derived = true;
  readonly #src: ByteSource;
  readonly #start: number;
  readonly #length: number;
  readonly #kind: ZlibKind;
  readonly #rule: string;
  #z: Zlib | undefined;
  #inPos = 0;
  #ended = false;
  #error: Error | undefined;
  /** Decompressed output held, in order: chunk i covers [start, start + data.length). */
  #chunks: { start: number; data: Buffer }[] = [];
  #winStart = 0;
  #produced = 0;
  #restarts = 0;

  constructor(src: ByteSource, start: number, length: number, kind: ZlibKind, declaredSize: number, rule: string) {
    this.#src = src;
    this.#start = start;
    this.#length = length;
    this.#kind = kind;
    this.size = declaredSize;
    this.#rule = rule;
  }

  #open(): void {
    this.#z?.destroy();
    const z = this.#kind === 'raw' ? createInflateRaw() : this.#kind === 'zlib' ? createInflate() : createGunzip();
    z.on('data', (c: Buffer) => {
      this.#chunks.push({ start: this.#produced, data: c });
      this.#produced += c.length;
    });
    z.on('error', (e: Error) => (this.#error = e));
    z.on('end', () => (this.#ended = true));
    this.#z = z;
    this.#inPos = 0;
    this.#ended = false;
    this.#error = undefined;
    this.#chunks = [];
    this.#winStart = 0;
    this.#produced = 0;
  }

  /** Feeds compressed input until `until` decompressed bytes exist or the stream ends. */
  async #produce(until: number, keepFrom: number): Promise<void> {
    const z = this.#z;
    if (z === undefined) return;
    while (this.#produced < until && !this.#ended) {
      if (this.#error !== undefined) throw new ScanFormatError(`${this.#rule}.corrupt`, `${this.#kind} data is corrupt: ${this.#error.message}`);
      if (this.#inPos >= this.#length) {
        if (!this.#ended && this.#error === undefined) await finish(z);
      } else {
        const chunk = await this.#src.read(this.#start + this.#inPos, Math.min(IN_CHUNK, this.#length - this.#inPos));
        if (chunk.length === 0) this.#inPos = this.#length;
        this.#inPos += chunk.length;
        await feed(z, chunk);
      }
      this.#absorb(keepFrom);
    }
    this.#absorb(keepFrom);
    if (this.#error !== undefined) throw new ScanFormatError(`${this.#rule}.corrupt`, `${this.#kind} data is corrupt: ${this.#error.message}`);
  }

  /** Drops output before both the window and `keepFrom`. */
  #absorb(keepFrom: number): void {
    const from = Math.min(keepFrom, this.#produced - WINDOW);
    while (this.#chunks.length > 1) {
      const first = this.#chunks[0] as { start: number; data: Buffer };
      if (first.start + first.data.length > from) break;
      this.#chunks.shift();
      this.#winStart = first.start + first.data.length;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0) throw new RangeError(`bad read ${offset}+${length}`);
    const end = Math.min(this.size, offset + length);
    if (offset >= end) return new Uint8Array(0);
    if (this.#z === undefined || offset < this.#winStart) {
      if (this.#z !== undefined && ++this.#restarts > MAX_RESTARTS) {
        throw new ScanLimitError('maxBytesRead', 'too many backward reads in a compressed member', 'local', offset);
      }
      this.#open();
    }
    await this.#produce(end, offset);
    // A source is shorter than asked only at its end: a stream ending before its declared size
    // is corrupt, and a short read would leave a reader waiting for bytes that never come.
    if (this.#produced < end) {
      throw new ScanFormatError(`${this.#rule}.corrupt`, `${this.#kind} data ends after ${this.#produced} bytes, ${this.size} declared`, offset);
    }
    const out = new Uint8Array(end - offset);
    for (const c of this.#chunks) {
      const a = Math.max(offset, c.start);
      const b = Math.min(end, c.start + c.data.length);
      if (a < b) out.set(c.data.subarray(a - c.start, b - c.start), a - offset);
    }
    return out;
  }
}

type Zlib = Inflate | InflateRaw | Gunzip;

/**
 * Writes `chunk` and waits until zlib has taken it. Corrupt input makes zlib fail and close the
 * stream without ever calling the write's callback, so its error and close end the wait too.
 */
function feed(z: Zlib, chunk: Uint8Array): Promise<void> {
  return new Promise<void>((resolve) => {
    if (z.destroyed) {
      resolve();
      return;
    }
    const done = (): void => {
      z.off('error', done);
      z.off('close', done);
      resolve();
    };
    z.once('error', done);
    z.once('close', done);
    z.write(chunk, done);
  });
}

/** Ends the input and waits for the output's end, an error or the stream closing. */
function finish(z: Zlib): Promise<void> {
  return new Promise<void>((resolve) => {
    if (z.destroyed) {
      resolve();
      return;
    }
    z.once('end', () => resolve());
    z.once('error', () => resolve());
    z.once('close', () => resolve());
    z.end();
  });
}

/** Decompresses without keeping the output, to learn the real size (gzip/zlib wrappers). */
export async function inflatedSize(src: ByteSource, kind: ZlibKind, limit: number, signal: AbortSignal): Promise<number> {
  const z = kind === 'raw' ? createInflateRaw() : kind === 'zlib' ? createInflate() : createGunzip();
  let total = 0;
  let error: Error | undefined;
  let ended = false;
  z.on('data', (c: Buffer) => (total += c.length));
  z.on('error', (e: Error) => (error = e));
  z.on('end', () => (ended = true));
  try {
    for (let p = 0; p < src.size && !ended && error === undefined; p += 1 << 20) {
      if (signal.aborted || total > limit) break;
      const chunk = await src.read(p, Math.min(1 << 20, src.size - p));
      await feed(z, chunk);
    }
    if (!ended && error === undefined) {
      await finish(z);
    }
  } finally {
    z.destroy();
  }
  if (total > limit) throw new ScanLimitError('maxBytesRead', `decompressed size exceeds ${limit} bytes`, 'local');
  if (error !== undefined) throw new ScanFormatError(`${kind === 'gzip' ? 'gzip' : 'zlib'}.corrupt`, `${kind} data is corrupt: ${error.message}`);
  return total;
}
