/** An output buffer that grows by doubling up to a hard cap (decompressors). */
import { ScanLimitError } from '../../engine/errors.ts';

export class GrowableBuffer {
  #buf: Uint8Array;
  #len = 0;
  readonly #cap: number;
  readonly #what: string;

  constructor(cap: number, what: string, initial = 1 << 16) {
    this.#cap = cap;
    this.#what = what;
    this.#buf = new Uint8Array(Math.min(initial, Math.max(cap, 1)));
  }

  get length(): number {
    return this.#len;
  }

  /** The bytes written so far (a view; valid until the next write). */
  get view(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  ensure(extra: number): void {
    const need = this.#len + extra;
    if (need > this.#cap) {
      throw new ScanLimitError('maxMemberBytes', `${this.#what} output exceeds ${this.#cap} bytes`, 'local');
    }
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(Math.min(size, this.#cap));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  push(b: number): void {
    if (this.#len >= this.#buf.length) this.ensure(1);
    this.#buf[this.#len++] = b;
  }

  fill(b: number, n: number): void {
    this.ensure(n);
    this.#buf.fill(b, this.#len, this.#len + n);
    this.#len += n;
  }

  append(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  /** Copies `n` bytes from `distance` back (LZ77 match; may overlap). */
  copyBack(distance: number, n: number): void {
    this.ensure(n);
    const b = this.#buf;
    let src = this.#len - distance;
    let dst = this.#len;
    if (distance >= n) b.copyWithin(dst, src, src + n);
    else for (let i = 0; i < n; i++) b[dst++] = b[src++] as number;
    this.#len += n;
  }

  result(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}
