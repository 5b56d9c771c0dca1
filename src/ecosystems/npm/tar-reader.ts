/**
 * A bounded, streaming reader of (decompressed) tar archives: ustar, GNU long names and pax
 * extended headers. It never buffers file contents: for each entry it reports the header and
 * hands the data to the caller chunk by chunk. Hostile input: header checksums are verified,
 * sizes and counts are capped, extended headers are bounded.
 *
 * What it reads must be what the clients install, and npm (node-tar), yarn 1 (tar-stream) and
 * pnpm (its own parser) do not read every archive alike: where one of them would frame the
 * entries or place a file differently from the others, the archive is refused
 * (`TarFormatError`, or core/tar's `TarHeaderError` for a field it cannot decode) rather than
 * read one way. Each such form was checked against the clients'
 * own extractors (node-tar 7.5, tar-fs 1.16 with tar-stream 1.6, pnpm 10.34's parseTarball, yarn
 * 4.18's extractArchiveTo, which frames entries with node-tar 7) and none occurs in real package
 * tarballs; which client reads what is written next to each check. The fields themselves are
 * decoded by core/tar; what is written here is which forms npm's clients read alike.
 */
import { TAR_BLOCK, TarHeaderError, isBase256Size, isZeroBlock, tarChecksum, tarLinkName, tarName, tarPadding, tarSize } from '../../core/tar/header.ts';
import { TarExtensions, parsePax, tarExtensionKind, type TarExtensionKind } from '../../core/tar/pax.ts';

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink';

export interface TarEntry {
  readonly path: string;
  /** Where npm extracts it, relative to the package folder (`extractedPath`); null when nowhere there. */
  readonly at: string | null;
  /**
   * `at` as a case-insensitive disk (macOS, Windows) compares it: lower case, Unicode NFC. Paths
   * equal here are one file there (`PACKAGE.JSON` is package.json).
   */
  readonly folded: string | null;
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

function folded(at: string): string {
  return (/[^\x00-\x7f]/.test(at) ? at.normalize('NFC') : at).toLowerCase();
}

/**
 * Where yarn 4 (berry) puts an entry, relative to the package folder; null when it skips it. It
 * skips absolute paths and any path with `..`, and normalizes the path before taking off the
 * first component: `.` and empty components are gone by then, so `./package/package.json` is
 * its package.json while npm, yarn 1 and pnpm strip the `.` and write `package/package.json`.
 * It creates symbolic links and skips hard links.
 */
function berryPath(path: string): string | null {
  if (path.startsWith('/')) return null;
  const parts = path.split('/');
  if (parts.includes('..')) return null;
  const kept = parts.filter((p) => p !== '' && p !== '.');
  return kept.length <= 1 ? null : kept.slice(1).join('/');
}

/**
 * Why the clients would put this entry in different places, or null when they agree:
 * - `\`: pnpm and node-tar on Windows split on it, node-tar elsewhere and tar-stream do not;
 * - `..` after the first component: npm skips the entry, yarn 1 and pnpm resolve it
 *   (`package/a/../package.json` becomes their package.json);
 * - a file with nothing left once the first component is stripped: npm and yarn 1 drop it, pnpm
 *   keeps a path without `/` whole (a root-level `package.json` becomes its package.json);
 * - a file whose path ends in `/`: node-tar makes it a directory and reads no data for it, the
 *   others read its data, so the entries that follow are not the same;
 * - a file or symbolic link that yarn 4 places somewhere else than npm (`berryPath`): not only
 *   package.json and binding.gyp decide what runs on install, so do the files the hooks run,
 *   which the gate reads where npm puts them.
 */
function disagreement(e: TarEntry): string | null {
  if (e.path.includes('\\')) return 'a path with a backslash';
  if (/\/\.\.(?:\/|$)/.test(e.path)) return 'a path with .. inside the package';
  if (e.type === 'file') {
    if (e.path.endsWith('/')) return 'a file whose path ends in /';
    if (e.at === null) return 'a file outside the package folder';
  }
  if (e.type === 'symlink' || e.type === 'file') {
    const berry = berryPath(e.path);
    if (berry !== null && berry !== e.at) return 'a path yarn 4 places elsewhere (it drops . before the first folder)';
  }
  return null;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

/**
 * An entry's size as every client reads it: pnpm cannot read GNU's base-256 form (and skips
 * leading NULs where node-tar stops at the first one, which the shared decoding refuses).
 */
function sizeField(h: Uint8Array, at: number): number {
  if (isBase256Size(h)) throw new TarFormatError('bad size field (base-256, not read alike by every client)');
  return tarSize(h, at);
}

/**
 * The entry types the clients read alike. Others are refused: node-tar reads `X` and `N` as the
 * old forms of pax and long-name headers (yarn 1 reads `N` too) where pnpm fails, and it applies
 * a pending pax header only to file-system types, so after `V` or `S` its framing differs.
 */
function typeOf(flag: number): TarEntryType | TarExtensionKind {
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
    case 0x58: // 'X', which core/tar reads as 'x'
      break;
    default: {
      const extension = tarExtensionKind(flag);
      if (extension !== null) return extension;
    }
  }
  throw new TarFormatError(`unsupported entry type ${JSON.stringify(String.fromCharCode(flag))}`);
}

/**
 * Pax keys the clients apply differently from a global header (node-tar: `size`; tar-stream:
 * `path`, `linkpath`, `size`); `type` node-tar alone reads, as the entry's type, from any pax header.
 */
const GLOBAL_REFUSED = new Set(['path', 'linkpath', 'size', 'type']);

/**
 * Pax records (read by their lengths, as pnpm and tar-stream do) that node-tar reads alike: it
 * splits the block on newlines and cuts values at a NUL, so a key or value holding either, or
 * padding after the last record, reads differently and is refused. It also skips as many bytes
 * as the length's value has digits, so a length with a leading zero (`030 path=…`) leaves a
 * digit on its key and the record names nothing for npm.
 */
function paxAlike(data: Buffer, at: number): Map<string, string> {
  if (data.length > 0 && data[data.length - 1] !== 0x0a) throw new TarFormatError('a pax header padded after its last record');
  const records = parsePax(data, at);
  // parsePax checked every length: each record starts with its digits and a space.
  for (let pos = 0; pos < data.length; pos += Number(data.toString('latin1', pos, data.indexOf(0x20, pos)))) {
    if (data[pos] === 0x30) throw new TarFormatError('a pax record length with a leading zero');
  }
  for (const [key, value] of records) if (/[\n\0]/.test(key) || /[\n\0]/.test(value)) throw new TarFormatError('a pax record with a newline or NUL in it');
  return records;
}

function isOctalDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x37;
}

type State = 'header' | 'data' | 'padding' | 'extended' | 'done';

/** Push decompressed bytes in; call `finish()` at the end of input. */
export class TarReader {
  readonly #limits: TarLimits;
  readonly #visitor: TarVisitor;
  #state: State = 'header';
  readonly #header = new Uint8Array(TAR_BLOCK);
  #headerFill = 0;
  /** Bytes of the archive before the current chunk, and where the current header starts. */
  #position = 0;
  #headerAt = 0;
  #remaining = 0;
  #offset = 0;
  #padding = 0;
  #entries = 0;
  #total = 0;
  #zeroBlocks = 0;
  #extended: Buffer[] = [];
  #extendedKind: TarExtensionKind | null = null;
  #extendedAt = 0;
  /** The pending pax header and GNU long names. */
  readonly #pending: TarExtensions;
  /** Where links were extracted, folded (see `#throughLink`). */
  readonly #links = new Set<string>();
  /** Where each file was extracted, by its folded form (see `#caseCollision`). */
  readonly #files = new Map<string, string>();

  constructor(limits: TarLimits, visitor: TarVisitor) {
    this.#limits = limits;
    this.#visitor = visitor;
    this.#pending = new TarExtensions(limits.maxExtendedHeaderBytes);
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
          const take = Math.min(TAR_BLOCK - this.#headerFill, chunk.length - i);
          this.#header.set(chunk.subarray(i, i + take), this.#headerFill);
          this.#headerFill += take;
          i += take;
          if (this.#headerFill === TAR_BLOCK) {
            this.#headerFill = 0;
            this.#headerAt = this.#position + i - TAR_BLOCK;
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
    this.#position += chunk.length;
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
    if (isZeroBlock(h)) {
      this.#zeroBlocks++;
      if (this.#zeroBlocks === 2) {
        this.#state = 'done';
        this.#visitor.end();
      }
      return;
    }
    if (this.#zeroBlocks > 0) throw new TarFormatError('data after an end-of-archive block');
    // The unsigned sum POSIX defines. GNU tar also accepts the signed sum some old archivers
    // wrote, but node-tar does not: it skips such a header and reads the entry's data as the next.
    if (tarChecksum(h) !== 'unsigned') throw new TarHeaderError(this.#headerAt, 'checksum mismatch (not a tar archive?)');
    // node-tar reads the checksum from 12 bytes, not 8: a field in base-256, or of eight octal
    // digits with no NUL or space after them, runs on into the type flag, and that header is
    // one it skips.
    if (((h[148] as number) & 0x80) !== 0 || (isOctalDigit(h[155]) && isOctalDigit(h[156]))) throw new TarFormatError('a checksum field node-tar reads on past (base-256, or eight digits before the type flag)');
    this.#entries++;
    if (this.#entries > this.#limits.maxEntries) throw new TarFormatError(`more than ${this.#limits.maxEntries} entries`);
    // pnpm takes a header whose name starts with NUL for the end of the archive.
    if (h[0] === 0) throw new TarFormatError('an entry without a name');
    const kind = typeOf(h[156] as number);
    const pending = this.#pending;
    let size = sizeField(h, this.#headerAt);
    if (kind === 'pax' || kind === 'pax-global' || kind === 'gnu-longname' || kind === 'gnu-longlink') {
      pending.reserve(size, this.#headerAt);
      // node-tar merges a second pax header into the first and lets the later of a pax path and
      // a GNU long name win; tar-stream keeps only the last pax header and prefers its path;
      // pnpm prefers the long name. One of each at most, and never both kinds of path.
      const earlier = kind === 'pax' ? pending.pax : kind === 'gnu-longname' ? pending.longName : kind === 'gnu-longlink' ? pending.longLink : null;
      if (earlier !== null) throw new TarFormatError(`two ${kind} headers for one entry`);
      this.#extendedKind = kind;
      this.#extendedAt = this.#headerAt;
      this.#extended = [];
      this.#begin(size, 'extended');
      return;
    }
    size = pending.size(size, this.#headerAt);
    const pax = pending.pax;
    if (pax !== null && pending.longName !== null && pax.has('path')) throw new TarFormatError('both a pax path and a GNU long name for one entry');
    if (pax !== null && pending.longLink !== null && pax.has('linkpath')) throw new TarFormatError('both a pax link path and a GNU long link name for one entry');
    // node-tar reads the prefix only behind the exact ustar magic and version; tar-stream and
    // pnpm read it whenever it is there.
    const ustar = h[257] === 0x75 && h[258] === 0x73 && h[259] === 0x74 && h[260] === 0x61 && h[261] === 0x72 && h[262] === 0 && h[263] === 0x30 && h[264] === 0x30;
    if (!ustar && h[345] !== 0) throw new TarFormatError('a path prefix in a header that is not ustar');
    const path = pending.path(tarName(h));
    const link = pending.linkPath(tarLinkName(h));
    pending.clear();
    // node-tar reads a body for links (and pnpm for directories) when a size is claimed; the
    // others do not, so the entries after them would differ.
    if ((kind === 'hardlink' || kind === 'symlink' || kind === 'directory') && size !== 0) throw new TarFormatError(`a ${kind} that claims ${size} bytes of data`);
    this.#total += size;
    if (this.#total > this.#limits.maxTotalBytes) throw new TarFormatError(`more than ${this.#limits.maxTotalBytes} bytes unpacked`);
    const at = extractedPath(path);
    const entry: TarEntry = { path, at, folded: at === null ? null : folded(at), type: kind, size, linkTarget: kind === 'symlink' || kind === 'hardlink' ? link : null };
    // The visitor sees the entry first, so an unsafe path is on record even when it is refused.
    this.#visitor.entry(entry);
    const problem = disagreement(entry) ?? this.#throughLink(entry) ?? this.#caseCollision(entry);
    if (problem !== null) throw new TarFormatError(`${problem} (${path.slice(0, 100)}): the clients would not install the same files from it`);
    this.#begin(size, 'data');
  }

  /**
   * yarn 1 creates links (npm and pnpm skip them): a link named package.json replaces the
   * manifest the inspection read, and a file written under a link's path lands wherever the
   * link points.
   */
  #throughLink(e: TarEntry): string | null {
    const link = e.type === 'symlink' || e.type === 'hardlink';
    const lower = e.folded;
    if ((!link && this.#links.size === 0) || lower === null) return null;
    if (link) {
      if (lower === 'package.json') return 'a link named package.json';
      this.#links.add(lower);
    }
    for (let i = lower.indexOf('/'); i !== -1; i = lower.indexOf('/', i + 1)) {
      if (this.#links.has(lower.slice(0, i))) return 'a path inside a link';
    }
    return null;
  }

  /**
   * Two files whose paths differ only in case or Unicode form are one file on a case-insensitive
   * disk (macOS, Windows), which keeps one body (npm's node-tar, the later) while other disks keep
   * both: which body an install hook runs (`node install.js`) depends on the disk.
   */
  #caseCollision(e: TarEntry): string | null {
    if (e.type !== 'file' || e.at === null || e.folded === null) return null;
    const earlier = this.#files.get(e.folded);
    if (earlier === undefined) this.#files.set(e.folded, e.at);
    else if (earlier !== e.at) return `two files that are one on a case-insensitive disk (${earlier.slice(0, 100)})`;
    return null;
  }

  #begin(size: number, state: 'data' | 'extended'): void {
    this.#remaining = size;
    this.#offset = 0;
    this.#padding = tarPadding(size);
    this.#state = state;
    if (size === 0) this.#afterData();
  }

  #afterData(): void {
    if (this.#state === 'extended') {
      const data = Buffer.concat(this.#extended);
      this.#extended = [];
      const kind = this.#extendedKind;
      if (kind === 'pax-global') {
        // Comments and times are harmless; what frames or names entries is not read alike.
        for (const key of paxAlike(data, this.#extendedAt).keys()) if (GLOBAL_REFUSED.has(key)) throw new TarFormatError(`a global pax header setting ${key}`);
      } else if (kind === 'pax') {
        this.#pending.pax = paxAlike(data, this.#extendedAt);
        if (this.#pending.pax.has('type')) throw new TarFormatError('a pax header setting type');
      } else if (kind !== null) {
        this.#pending.add(kind, data, this.#extendedAt);
      }
      this.#extendedKind = null;
    }
    this.#state = this.#padding > 0 ? 'padding' : 'header';
  }
}
