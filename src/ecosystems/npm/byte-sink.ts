/**
 * An output buffer written in place: renderers copy byte ranges of the upstream document and
 * short texts straight into it, instead of collecting a view object per piece and copying them
 * all at the end (a big packument is hundreds of thousands of pieces). It grows by doubling,
 * freeing each outgrown buffer at once (core/release-bytes.ts).
 */
import { releaseBytes } from '../../core/index.ts';

export class ByteSink {
  #buf: Buffer;
  #len = 0;

  constructor(capacity: number) {
    this.#buf = Buffer.allocUnsafeSlow(Math.max(256, capacity));
  }

  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    const need = this.#len + n;
    if (need <= this.#buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(need, this.#buf.length * 2));
    this.#buf.copy(next, 0, 0, this.#len);
    releaseBytes(this.#buf);
    this.#buf = next;
  }

  /** Bytes [start, end) of `src`. */
  bytes(src: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.#reserve(end - start);
    this.#len += src.copy(this.#buf, this.#len, start, end);
  }

  /**
   * A text, UTF-8 encoded. Room for the most it can take (3 bytes a UTF-16 unit) is enough for
   * most; a text near the end of a buffer sized exactly is measured first instead of growing it.
   */
  text(s: string): void {
    if (this.#len + s.length * 3 > this.#buf.length) this.#reserve(Buffer.byteLength(s));
    this.#len += this.#buf.write(s, this.#len, 'utf8');
  }

  byte(c: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = c;
  }

  /**
   * What was written: a view that starts the sink's buffer (the sink must not be written after).
   * Its holder owns the allocation and may free it with releaseBytes once done with it.
   */
  result(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}
