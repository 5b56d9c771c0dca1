/**
 * Bounded random access over a `ByteSource` for header parsers: a single cached window (64 KiB by
 * default) so that many small reads cost few source reads, plus explicit bounds checks. Reads past
 * the end of the source are format errors (`<prefix>.truncated`), never short results.
 */
import type { ByteSource } from '../../types.ts';
import { FormatParseError } from './errors.ts';

const DEFAULT_CHUNK = 64 * 1024;

export class SourceWindow {
  readonly source: ByteSource;
  readonly size: number;
  readonly #rule: string;
  readonly #chunk: number;
  #buf: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(new ArrayBuffer(0));
  #start = 0;

  /** `rulePrefix` names the format in error rules, e.g. `gguf` → `gguf.truncated`. */
  constructor(source: ByteSource, rulePrefix: string, chunk = DEFAULT_CHUNK) {
    this.source = source;
    this.size = source.size;
    this.#rule = rulePrefix;
    this.#chunk = chunk;
  }

  /** True when `[offset, offset + length)` is inside the cached window. */
  has(offset: number, length: number): boolean {
    return offset >= this.#start && offset + length <= this.#start + this.#buf.length;
  }

  /** Makes `[offset, offset + length)` available to the synchronous accessors. */
  async ensure(offset: number, length: number, what = 'structure'): Promise<void> {
    if (this.has(offset, length)) return;
    this.checkRange(offset, length, what);
    const n = Math.min(Math.max(length, this.#chunk), this.size - offset);
    const bytes = await this.source.read(offset, n);
    if (bytes.length < length) {
      throw new FormatParseError(`${this.#rule}.truncated`, `${what} at offset ${offset} runs past the end of the data`, offset);
    }
    this.#buf = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#start = offset;
  }

  /** Throws a format error unless `[offset, offset + length)` lies inside the source. */
  checkRange(offset: number, length: number, what = 'structure'): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new FormatParseError(
        `${this.#rule}.truncated`,
        `${what} (${length} bytes at offset ${offset}) runs past the end of the data (${this.size} bytes)`,
        Number.isSafeInteger(offset) ? offset : undefined,
      );
    }
  }

  /** Bytes `[offset, offset + length)`, read (and cached) as needed. */
  async bytes(offset: number, length: number, what = 'structure'): Promise<Uint8Array> {
    await this.ensure(offset, length, what);
    const o = offset - this.#start;
    return this.#buf.subarray(o, o + length);
  }

  // Synchronous accessors: the caller must have called `ensure` for the range. A read outside
  // the cached window (a caller's bounds mistake on hostile input) is a format error, not a crash.
  #o(offset: number, n: number): number {
    if (!this.has(offset, n)) {
      throw new FormatParseError(`${this.#rule}.truncated`, `structure at offset ${offset} is outside the data that could be read`, offset);
    }
    return offset - this.#start;
  }
  u8(offset: number): number {
    return this.#view.getUint8(this.#o(offset, 1));
  }
  u16(offset: number, le = true): number {
    return this.#view.getUint16(this.#o(offset, 2), le);
  }
  u32(offset: number, le = true): number {
    return this.#view.getUint32(this.#o(offset, 4), le);
  }
  i32(offset: number, le = true): number {
    return this.#view.getInt32(this.#o(offset, 4), le);
  }
  u64(offset: number, le = true): bigint {
    return this.#view.getBigUint64(this.#o(offset, 8), le);
  }
  i64(offset: number, le = true): bigint {
    return this.#view.getBigInt64(this.#o(offset, 8), le);
  }
  f32(offset: number, le = true): number {
    return this.#view.getFloat32(this.#o(offset, 4), le);
  }
  f64(offset: number, le = true): number {
    return this.#view.getFloat64(this.#o(offset, 8), le);
  }
  /** A view of cached bytes (valid until the next `ensure` that moves the window). */
  slice(offset: number, length: number): Uint8Array {
    const o = this.#o(offset, length);
    return this.#buf.subarray(o, o + length);
  }
}

/** A 64-bit length or count as a safe integer; larger values are format errors. */
export function toSafeNumber(v: bigint, rule: string, what: string, offset?: number): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FormatParseError(rule, `${what} ${v} is too large`, offset);
  }
  return Number(v);
}
