/**
 * A bounded, streaming reader of (decompressed) tar archives: ustar, GNU long names and pax
 * extended headers. It never buffers file contents: for each entry it reports the header and
 * hands the data to the caller chunk by chunk. Hostile input: header checksums are verified,
 * sizes and counts are capped, extended headers are bounded.
 */

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  readonly path: string;
  readonly type: TarEntryType;
  readonly size: number;
  readonly linkTarget: string | null;
}

export interface TarLimits {
  readonly maxEntries: number;
  /** Sum of all entry sizes. */
  readonly maxTotalBytes: number;
  /** Pax and GNU long-name records. */
  readonly maxExtendedHeaderBytes: number;
}

export interface TarVisitor {
  entry(e: TarEntry): void;
  /** Data of the current entry, in order; `offset` within the entry. Valid only during the call: copy what you keep. */
  data(chunk: Uint8Array, offset: number): void;
  end(): void;
}

/**
 * Where npm's extraction puts an entry, relative to the package folder; null when it writes it
 * nowhere there. npm extracts with node-tar and `strip: 1`: the first component goes, whatever
 * it is (`package`, `.`, `..`), `.` and empty components resolve away (tar 7 also drops a root
 * left by the strip: `package//x` is `x`), and an entry with `..` after the first component is
 * skipped. `\` counts as a separator too, as node-tar reads it on Windows. Reading paths any
 * other way lets a second `package.json` (`./package.json`, `package/./package.json`) slip
 * past the inspection while npm writes it over the first.
 */
export function extractedPath(path: string): string | null {
  const kept: string[] = [];
  for (const part of path.split(/[\\/]/).slice(1)) {
    if (part === '..') return null;
    if (part !== '' && part !== '.') kept.push(part);
  }
  return kept.length === 0 ? null : kept.join('/');
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

const BLOCK = 512;

function cstring(b: Uint8Array, start: number, len: number): string {
  let end = start;
  const max = start + len;
  while (end < max && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
}

function octal(b: Uint8Array, start: number, len: number, what: string): number {
  if (((b[start] as number) & 0x80) !== 0) {
    // GNU base-256: big-endian, high bit set on the first byte.
    let v = (b[start] as number) & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (b[start + i] as number);
    if (!Number.isSafeInteger(v)) throw new TarFormatError(`${what} out of range`);
    return v;
  }
  const s = cstring(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`bad ${what} field`);
  const v = parseInt(s, 8);
  if (!Number.isSafeInteger(v)) throw new TarFormatError(`${what} out of range`);
  return v;
}

/** Unsigned sum per POSIX; some old archivers summed signed bytes, which tar also accepts. */
function checksumOk(h: Uint8Array): boolean {
  const stored = octal(h, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (h[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function typeOf(flag: number): TarEntryType | 'pax' | 'pax-global' | 'gnu-longname' | 'gnu-longlink' {
  switch (flag) {
    case 0:
    case 0x30: // '0'
    case 0x37: // '7' contiguous file
      return 'file';
    case 0x31:
      return 'hardlink';
    case 0x32:
      return 'symlink';
    case 0x35:
      return 'directory';
    case 0x78: // 'x'
      return 'pax';
    case 0x67: // 'g'
      return 'pax-global';
    case 0x4c: // 'L'
      return 'gnu-longname';
    case 0x4b: // 'K'
      return 'gnu-longlink';
    default:
      return 'other';
  }
}

function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space === -1) throw new TarFormatError('bad pax record');
    const len = Number(data.toString('ascii', i, space));
    if (!Number.isSafeInteger(len) || len <= space - i || i + len > data.length) throw new TarFormatError('bad pax record length');
    const record = data.toString('utf8', space + 1, i + len - 1);
    const eq = record.indexOf('=');
    if (eq === -1) throw new TarFormatError('bad pax record');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

type State = 'header' | 'data' | 'padding' | 'extended' | 'done';

/** Push decompressed bytes in; call `finish()` at the end of input. */
export class TarReader {
  readonly #limits: TarLimits;
  readonly #visitor: TarVisitor;
  #state: State = 'header';
  readonly #header = new Uint8Array(BLOCK);
  #headerFill = 0;
  #remaining = 0;
  #offset = 0;
  #padding = 0;
  #entries = 0;
  #total = 0;
  #zeroBlocks = 0;
  #extended: Buffer[] = [];
  #extendedKind: 'pax' | 'pax-global' | 'gnu-longname' | 'gnu-longlink' | null = null;
  #pax = new Map<string, string>();
  #longName: string | null = null;
  #longLink: string | null = null;

  constructor(limits: TarLimits, visitor: TarVisitor) {
    this.#limits = limits;
    this.#visitor = visitor;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      switch (this.#state) {
        case 'done':
          // Zero padding after the end-of-archive marker is normal (tar pads to whole records).
          // Anything else is refused: node-tar stops at the marker, but tar-stream (yarn 1's
          // extractor) reads on, so entries hidden there would be installed without being seen.
          for (; i < chunk.length; i++) if (chunk[i] !== 0) throw new TarFormatError('data after the end-of-archive marker');
          return;
        case 'header': {
          const take = Math.min(BLOCK - this.#headerFill, chunk.length - i);
          this.#header.set(chunk.subarray(i, i + take), this.#headerFill);
          this.#headerFill += take;
          i += take;
          if (this.#headerFill === BLOCK) {
            this.#headerFill = 0;
            this.#onHeader();
          }
          break;
        }
        case 'data':
        case 'extended': {
          const take = Math.min(this.#remaining, chunk.length - i);
          const part = chunk.subarray(i, i + take);
          if (this.#state === 'data') this.#visitor.data(part, this.#offset);
          else this.#extended.push(Buffer.from(part));
          this.#offset += take;
          this.#remaining -= take;
          i += take;
          if (this.#remaining === 0) this.#afterData();
          break;
        }
        case 'padding': {
          const take = Math.min(this.#padding, chunk.length - i);
          this.#padding -= take;
          i += take;
          if (this.#padding === 0) this.#state = 'header';
          break;
        }
      }
    }
  }

  finish(): void {
    if (this.#state === 'done') return;
    if (this.#state === 'header' && this.#headerFill === 0) {
      // EOF without the two zero blocks: accepted (npm's tar accepts it too) when on a boundary.
      this.#state = 'done';
      this.#visitor.end();
      return;
    }
    throw new TarFormatError('truncated archive');
  }

  #onHeader(): void {
    const h = this.#header;
    if (h.every((x) => x === 0)) {
      this.#zeroBlocks++;
      if (this.#zeroBlocks === 2) {
        this.#state = 'done';
        this.#visitor.end();
      }
      return;
    }
    if (this.#zeroBlocks > 0) throw new TarFormatError('data after an end-of-archive block');
    if (!checksumOk(h)) throw new TarFormatError('header checksum mismatch (not a tar archive?)');
    this.#entries++;
    if (this.#entries > this.#limits.maxEntries) throw new TarFormatError(`more than ${this.#limits.maxEntries} entries`);
    const kind = typeOf(h[156] as number);
    let size = octal(h, 124, 12, 'size');
    if (kind === 'pax' || kind === 'pax-global' || kind === 'gnu-longname' || kind === 'gnu-longlink') {
      if (size > this.#limits.maxExtendedHeaderBytes) throw new TarFormatError('extended header too large');
      this.#extendedKind = kind;
      this.#extended = [];
      this.#begin(size, 'extended');
      return;
    }
    const paxSize = this.#pax.get('size');
    if (paxSize !== undefined) {
      if (!/^\d+$/.test(paxSize) || !Number.isSafeInteger(Number(paxSize))) throw new TarFormatError('bad pax size');
      size = Number(paxSize);
    }
    const magic = cstring(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? cstring(h, 345, 155) : '';
    const name = cstring(h, 0, 100);
    const path = this.#pax.get('path') ?? this.#longName ?? (prefix === '' ? name : `${prefix}/${name}`);
    const link = this.#pax.get('linkpath') ?? this.#longLink ?? cstring(h, 157, 100);
    this.#pax = new Map();
    this.#longName = null;
    this.#longLink = null;
    // Links and directories carry no data even if a size is claimed (tar semantics).
    if (kind === 'hardlink' || kind === 'symlink' || kind === 'directory') size = 0;
    this.#total += size;
    if (this.#total > this.#limits.maxTotalBytes) throw new TarFormatError(`more than ${this.#limits.maxTotalBytes} bytes unpacked`);
    this.#visitor.entry({ path, type: kind, size, linkTarget: kind === 'symlink' || kind === 'hardlink' ? link : null });
    this.#begin(size, 'data');
  }

  #begin(size: number, state: 'data' | 'extended'): void {
    this.#remaining = size;
    this.#offset = 0;
    this.#padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.#state = state;
    if (size === 0) this.#afterData();
  }

  #afterData(): void {
    if (this.#state === 'extended') {
      const data = Buffer.concat(this.#extended);
      this.#extended = [];
      switch (this.#extendedKind) {
        case 'pax':
          this.#pax = parsePax(data);
          break;
        case 'gnu-longname':
          this.#longName = cstring(data, 0, data.length);
          break;
        case 'gnu-longlink':
          this.#longLink = cstring(data, 0, data.length);
          break;
        default:
          break; // global pax headers do not change what npm extracts
      }
      this.#extendedKind = null;
    }
    this.#state = this.#padding > 0 ? 'padding' : 'header';
  }
}
