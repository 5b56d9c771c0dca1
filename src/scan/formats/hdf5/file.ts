/**
 * Shared state of one HDF5 read: the window over the source, the superblock's field sizes
 * (offsets and lengths are 2, 4 or 8 bytes) and base address. Every address is checked against
 * the file size before use; the "undefined address" (all ones) is `undefined`.
 */
import { FormatParseError } from '../common/errors.ts';
import type { SourceWindow } from '../common/source-window.ts';

export class H5File {
  readonly win: SourceWindow;
  readonly offsetSize: number;
  readonly lengthSize: number;
  readonly base: number;

  constructor(win: SourceWindow, offsetSize: number, lengthSize: number, base: number) {
    this.win = win;
    this.offsetSize = offsetSize;
    this.lengthSize = lengthSize;
    this.base = base;
  }

  /** Unsigned little-endian integer of `n` bytes at `pos` (must be in the window). */
  uint(pos: number, n: number): number | undefined {
    let v = 0;
    let all = true;
    let mul = 1;
    for (let i = 0; i < n; i++) {
      const b = this.win.u8(pos + i);
      if (b !== 0xff) all = false;
      v += b * mul;
      mul *= 256;
    }
    if (all && n >= 2) return undefined;
    return v;
  }

  /** An address field: file offset (base-relative in the file), or undefined for "undefined address". */
  addr(pos: number): number | undefined {
    const v = this.uint(pos, this.offsetSize);
    if (v === undefined) return undefined;
    if (!Number.isSafeInteger(v)) throw new FormatParseError('hdf5.address', `address at ${pos} is out of range`, pos);
    return v + this.base;
  }

  /** A length field. Huge lengths are format errors (nothing in a real file is that large). */
  len(pos: number): number {
    const v = this.uint(pos, this.lengthSize);
    if (v === undefined || !Number.isSafeInteger(v)) throw new FormatParseError('hdf5.length', `length at ${pos} is out of range`, pos);
    return v;
  }

  /** Loads `[addr, addr + n)` into the window, with a format error if it leaves the file. */
  async at(addr: number, n: number, what: string): Promise<void> {
    await this.win.ensure(addr, n, what);
  }

  async signature(addr: number, sig: string, what: string): Promise<void> {
    await this.at(addr, 4, what);
    for (let i = 0; i < 4; i++) {
      if (this.win.u8(addr + i) !== sig.charCodeAt(i)) {
        throw new FormatParseError('hdf5.signature', `${what} at ${addr} lacks its ${sig} signature`, addr);
      }
    }
  }
}
