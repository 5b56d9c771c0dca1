/**
 * Extended headers: pax records (`x`, Solaris' `X`, global `g`) and GNU long names (`L`, `K`),
 * and the entry path, link target and size they give the header after them. Bounded: each
 * reader names how many extended-header bytes one entry may carry, and every record must fit
 * in the data it was read from. Which keys or kinds a reader accepts is its own decision.
 */
import { Buffer } from 'node:buffer';
import { TarHeaderError, tarString } from './header.ts';

export type TarExtensionKind = 'pax' | 'pax-global' | 'gnu-longname' | 'gnu-longlink';

/** The extended header a type flag announces, or null for an entry of its own. */
export function tarExtensionKind(flag: number): TarExtensionKind | null {
  switch (flag) {
    case 0x78: // 'x'
    case 0x58: // 'X', Solaris' name for it (GNU tar and tarfile read it as 'x')
      return 'pax';
    case 0x67: // 'g'
      return 'pax-global';
    case 0x4c: // 'L'
      return 'gnu-longname';
    case 0x4b: // 'K'
      return 'gnu-longlink';
    default:
      return null;
  }
}

/**
 * Pax records, `<length> <key>=<value>\n` each, the length in decimal counting the whole record,
 * into `into` (a later record of a key replaces an earlier one). A record that does not end with
 * a newline where its length says, has no `=` or an empty key is an error; NULs after the last
 * record (padding some writers leave) end the data, anything else after them is an error.
 */
export function parsePax(data: Uint8Array, offset: number, into: Map<string, string> = new Map()): Map<string, string> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.length);
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes[pos] === 0) {
      for (let i = pos; i < bytes.length; i++) if (bytes[i] !== 0) throw new TarHeaderError(offset, 'pax records after NUL padding');
      break;
    }
    let p = pos;
    let length = 0;
    while (p < bytes.length && p - pos < 10 && (bytes[p] as number) >= 0x30 && (bytes[p] as number) <= 0x39) length = length * 10 + ((bytes[p++] as number) - 0x30);
    if (p === pos || bytes[p] !== 0x20 || length <= p - pos + 1 || pos + length > bytes.length) throw new TarHeaderError(offset, `a pax record length at ${pos} is malformed or runs past the header's ${bytes.length} bytes`);
    const last = pos + length - 1;
    if (bytes[last] !== 0x0a) throw new TarHeaderError(offset, `the pax record at ${pos} does not end with a newline`);
    const eq = bytes.indexOf(0x3d, p + 1);
    if (eq <= p + 1 || eq >= last) throw new TarHeaderError(offset, `the pax record at ${pos} has no key=value`);
    into.set(bytes.toString('utf8', p + 1, eq), bytes.toString('utf8', eq + 1, last));
    pos += length;
  }
  return into;
}

/** A pax decimal number (`size`): digits only, a safe integer. */
export function paxNumber(value: string, key: string, offset: number): number {
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) throw new TarHeaderError(offset, `the pax ${key} ${JSON.stringify(value.slice(0, 40))} is not a decimal number in range`);
  return Number(value);
}

/**
 * The extended headers read for the entry that comes next. `reserve` counts each one's size
 * before its data is read, against the reader's bound for one entry; `clear` once that entry's
 * header is decoded.
 */
export class TarExtensions {
  readonly #maxBytes: number;
  #bytes = 0;
  longName: string | null = null;
  longLink: string | null = null;
  /** The local pax records; null when there is no local pax header. */
  pax: Map<string, string> | null = null;

  constructor(maxBytesPerEntry: number) {
    this.#maxBytes = maxBytesPerEntry;
  }

  /** Counts an extended header of `size` bytes at `offset` for the coming entry; throws past the bound. */
  reserve(size: number, offset: number): void {
    this.#bytes += size;
    if (this.#bytes > this.#maxBytes) throw new TarHeaderError(offset, `extended headers of more than ${this.#maxBytes} bytes for one entry`);
  }

  /**
   * Takes a local extended header's data: a long name or link up to its first NUL, or pax
   * records over `base` (a reader applying global records passes them; the map is copied).
   */
  add(kind: 'pax' | 'gnu-longname' | 'gnu-longlink', data: Uint8Array, offset: number, base?: ReadonlyMap<string, string>): void {
    if (kind === 'gnu-longname') this.longName = tarString(data, 0, data.length);
    else if (kind === 'gnu-longlink') this.longLink = tarString(data, 0, data.length);
    else this.pax = parsePax(data, offset, this.pax ?? new Map(base));
  }

  /** The entry's path: pax `path`, else the GNU long name, else the header's own. */
  path(own: string): string {
    return this.pax?.get('path') ?? this.longName ?? own;
  }

  /** The entry's link target: pax `linkpath`, else the GNU long link name, else the header's own. */
  linkPath(own: string): string {
    return this.pax?.get('linkpath') ?? this.longLink ?? own;
  }

  /** The entry's size: pax `size`, else the header's own. */
  size(own: number, offset: number): number {
    const v = this.pax?.get('size');
    return v === undefined ? own : paxNumber(v, 'size', offset);
  }

  clear(): void {
    this.#bytes = 0;
    this.longName = null;
    this.longLink = null;
    this.pax = null;
  }
}
