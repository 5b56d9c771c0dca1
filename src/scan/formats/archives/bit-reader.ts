/** MSB-first bit reader over bytes in memory (bzip2). */
import { ScanFormatError } from '../../engine/errors.ts';

const MASKS = Uint32Array.from({ length: 33 }, (_, n) => (n === 32 ? 0xffffffff : 2 ** n - 1));

export class MsbBitReader {
  readonly #b: Uint8Array;
  #pos = 0;
  #acc = 0;
  #n = 0;
  readonly #rule: string;

  constructor(b: Uint8Array, rule: string) {
    this.#b = b;
    this.#rule = rule;
  }

  /** Reads n ≤ 24 bits. */
  bits(n: number): number {
    while (this.#n < n) {
      if (this.#pos >= this.#b.length) throw new ScanFormatError(`${this.#rule}.truncated`, 'compressed data ends early', this.#pos);
      this.#acc = ((this.#acc << 8) | (this.#b[this.#pos++] as number)) >>> 0;
      this.#n += 8;
    }
    const v = (this.#acc >>> (this.#n - n)) & ((1 << n) - 1);
    this.#n -= n;
    this.#acc &= (1 << this.#n) - 1;
    return v;
  }

  bit(): number {
    return this.bits(1);
  }

  /** The next n ≤ 24 bits without consuming them (zero-padded past the end of input). */
  peek(n: number): number {
    while (this.#n < n && this.#n <= 24) {
      const b = this.#pos < this.#b.length ? (this.#b[this.#pos] as number) : 0;
      if (this.#pos >= this.#b.length) {
        // Virtual padding: shift without consuming input; consume() rejects using it.
        return ((this.#acc << (n - this.#n)) >>> 0) & ((1 << n) - 1);
      }
      this.#pos++;
      this.#acc = ((this.#acc << 8) | b) >>> 0;
      this.#n += 8;
    }
    return (this.#acc >>> (this.#n - n)) & ((1 << n) - 1);
  }

  consume(n: number): void {
    if (n > this.#n) throw new ScanFormatError(`${this.#rule}.truncated`, 'compressed data ends early', this.#pos);
    this.#n -= n;
    this.#acc = (this.#acc & (MASKS[this.#n] as number)) >>> 0;
  }

  /** Drops the bits left in the current byte. */
  alignToByte(): void {
    this.#n -= this.#n % 8;
    this.#acc &= (1 << this.#n) - 1;
  }

  /** Byte offset of the next unread whole byte (after alignToByte). */
  get byteOffset(): number {
    return this.#pos - this.#n / 8;
  }

  get atEnd(): boolean {
    return this.#pos >= this.#b.length && this.#n === 0;
  }
}
