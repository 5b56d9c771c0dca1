/**
 * 7z header structures (7zFormat.txt): signature header, (encoded) header, streams info with
 * pack info, folders (coder graphs) and substreams, files info. Parsing is bounded by the
 * header size and the member limits.
 */
import { ScanFormatError, ScanLimitError } from '../../../engine/errors.ts';

export const ID = {
  End: 0x00, Header: 0x01, ArchiveProperties: 0x02, AdditionalStreamsInfo: 0x03, MainStreamsInfo: 0x04,
  FilesInfo: 0x05, PackInfo: 0x06, UnpackInfo: 0x07, SubStreamsInfo: 0x08, Size: 0x09, CRC: 0x0a, Folder: 0x0b,
  CodersUnpackSize: 0x0c, NumUnpackStream: 0x0d, EmptyStream: 0x0e, EmptyFile: 0x0f, Anti: 0x10, Name: 0x11,
  EncodedHeader: 0x17, Dummy: 0x19,
} as const;

export interface Coder {
  readonly method: string;
  readonly numIn: number;
  readonly numOut: number;
  readonly props: Uint8Array;
}

export interface Folder {
  readonly coders: readonly Coder[];
  readonly bindPairs: readonly { readonly inIndex: number; readonly outIndex: number }[];
  readonly packedStreams: readonly number[];
  unpackSizes: number[];
}

export interface StreamsInfo {
  readonly packPos: number;
  readonly packSizes: readonly number[];
  readonly folders: readonly Folder[];
  /** Per folder, the sizes of its substreams (files). */
  readonly substreams: readonly (readonly number[])[];
}

export interface FileEntry {
  readonly name: string;
  readonly hasStream: boolean;
  readonly isDir: boolean;
}

const MAX_ITEMS = 1 << 20;

export class HeaderReader {
  readonly #b: Uint8Array;
  p = 0;
  readonly #maxMembers: number;

  constructor(b: Uint8Array, maxMembers: number) {
    this.#b = b;
    this.#maxMembers = maxMembers;
  }

  bad(msg: string): never {
    throw new ScanFormatError('7z.header', `7z header is corrupt: ${msg}`, this.p);
  }

  byte(): number {
    if (this.p >= this.#b.length) this.bad('truncated');
    return this.#b[this.p++] as number;
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || this.p + n > this.#b.length) this.bad('truncated');
    const out = this.#b.subarray(this.p, this.p + n);
    this.p += n;
    return out;
  }

  number(): number {
    const first = this.byte();
    let mask = 0x80;
    let value = 0;
    for (let i = 0; i < 8; i++) {
      if ((first & mask) === 0) {
        value += (first & (mask - 1)) * 2 ** (8 * i);
        if (!Number.isSafeInteger(value)) this.bad('number too large');
        return value;
      }
      value += this.byte() * 2 ** (8 * i);
      mask >>>= 1;
    }
    if (!Number.isSafeInteger(value)) this.bad('number too large');
    return value;
  }

  count(what: string): number {
    const n = this.number();
    if (n > MAX_ITEMS || n > this.#b.length * 8 + 16) this.bad(`implausible ${what} count ${n}`);
    if (what === 'file' && n > this.#maxMembers) throw new ScanLimitError('maxMembers', `more than ${this.#maxMembers} 7z entries`, 'local');
    return n;
  }

  bitVector(n: number): boolean[] {
    const out: boolean[] = [];
    let cur = 0;
    for (let i = 0; i < n; i++) {
      if (i % 8 === 0) cur = this.byte();
      out.push((cur & (0x80 >>> (i % 8))) !== 0);
    }
    return out;
  }

  digests(n: number): void {
    const allDefined = this.byte();
    const defined = allDefined !== 0 ? new Array<boolean>(n).fill(true) : this.bitVector(n);
    for (const d of defined) if (d) this.bytes(4);
  }

  expect(id: number): void {
    const got = this.byte();
    if (got !== id) this.bad(`expected property 0x${id.toString(16)}, got 0x${got.toString(16)}`);
  }

  skipProperty(): void {
    this.bytes(this.number());
  }

  folder(): Folder {
    const numCoders = this.count('coder');
    if (numCoders === 0 || numCoders > 64) this.bad('bad coder count');
    const coders: Coder[] = [];
    let totalIn = 0;
    let totalOut = 0;
    for (let i = 0; i < numCoders; i++) {
      const flag = this.byte();
      if ((flag & 0x80) !== 0) this.bad('alternative coder methods are not supported');
      const id = this.bytes(flag & 0x0f);
      const complex = (flag & 0x10) !== 0;
      const numIn = complex ? this.count('stream') : 1;
      const numOut = complex ? this.count('stream') : 1;
      const props = (flag & 0x20) !== 0 ? this.bytes(this.number()) : new Uint8Array(0);
      coders.push({ method: Array.from(id, (x) => x.toString(16).padStart(2, '0')).join(''), numIn, numOut, props });
      totalIn += numIn;
      totalOut += numOut;
    }
    const bindPairs: { inIndex: number; outIndex: number }[] = [];
    for (let i = 0; i < totalOut - 1; i++) bindPairs.push({ inIndex: this.number(), outIndex: this.number() });
    const numPacked = totalIn - bindPairs.length;
    if (numPacked < 1) this.bad('folder without packed streams');
    const packedStreams: number[] = [];
    if (numPacked === 1) {
      for (let i = 0; i < totalIn; i++) {
        if (!bindPairs.some((bp) => bp.inIndex === i)) {
          packedStreams.push(i);
          break;
        }
      }
    } else for (let i = 0; i < numPacked; i++) packedStreams.push(this.number());
    return { coders, bindPairs, packedStreams, unpackSizes: [] };
  }

  streamsInfo(): StreamsInfo {
    let packPos = 0;
    let packSizes: number[] = [];
    let folders: Folder[] = [];
    let substreams: number[][] | undefined;
    for (;;) {
      const id = this.byte();
      if (id === ID.End) break;
      if (id === ID.PackInfo) {
        packPos = this.number();
        const n = this.count('pack stream');
        for (;;) {
          const t = this.byte();
          if (t === ID.End) break;
          if (t === ID.Size) packSizes = Array.from({ length: n }, () => this.number());
          else if (t === ID.CRC) this.digests(n);
          else this.skipProperty();
        }
      } else if (id === ID.UnpackInfo) {
        this.expect(ID.Folder);
        const n = this.count('folder');
        if (this.byte() !== 0) this.bad('external folders are not supported');
        folders = Array.from({ length: n }, () => this.folder());
        this.expect(ID.CodersUnpackSize);
        for (const f of folders) {
          const outs = f.coders.reduce((a, c) => a + c.numOut, 0);
          f.unpackSizes = Array.from({ length: outs }, () => this.number());
        }
        for (;;) {
          const t = this.byte();
          if (t === ID.End) break;
          if (t === ID.CRC) this.digests(n);
          else this.skipProperty();
        }
      } else if (id === ID.SubStreamsInfo) {
        const counts = folders.map(() => 1);
        let t = this.byte();
        if (t === ID.NumUnpackStream) {
          for (let i = 0; i < counts.length; i++) counts[i] = this.count('substream');
          t = this.byte();
        }
        substreams = folders.map((f, i) => {
          const c = counts[i] as number;
          const total = mainUnpackSize(f);
          if (c === 0) return [];
          const sizes: number[] = [];
          if (t === ID.Size) for (let k = 0; k < c - 1; k++) sizes.push(this.number());
          const used = sizes.reduce((a, b) => a + b, 0);
          if (used > total) this.bad('substreams exceed the folder');
          sizes.push(total - used);
          return sizes;
        });
        if (t === ID.Size) t = this.byte();
        while (t !== ID.End) {
          if (t === ID.CRC) {
            const withCrc = substreams.reduce((a, s) => a + s.length, 0);
            this.digests(withCrc);
          } else this.skipProperty();
          t = this.byte();
        }
      } else this.bad(`unexpected property 0x${id.toString(16)} in streams info`);
    }
    return { packPos, packSizes, folders, substreams: substreams ?? folders.map((f) => [mainUnpackSize(f)]) };
  }

  filesInfo(): FileEntry[] {
    const n = this.count('file');
    let emptyStream = new Array<boolean>(n).fill(false);
    let emptyFile: boolean[] = [];
    let names: string[] = [];
    for (;;) {
      const t = this.byte();
      if (t === ID.End) break;
      const size = this.number();
      const end = this.p + size;
      if (t === ID.EmptyStream) emptyStream = this.bitVector(n);
      else if (t === ID.EmptyFile) emptyFile = this.bitVector(emptyStream.filter(Boolean).length);
      else if (t === ID.Name) {
        if (this.byte() !== 0) this.bad('external names are not supported');
        const raw = this.bytes(end - this.p);
        names = decodeNames(raw, n);
      }
      this.p = end;
    }
    let emptyIndex = 0;
    return Array.from({ length: n }, (_, i) => {
      const hasStream = !(emptyStream[i] ?? false);
      const isDir = !hasStream && !(emptyFile[emptyIndex++] ?? false);
      return { name: names[i] ?? `file${i}`, hasStream, isDir };
    });
  }
}

function decodeNames(raw: Uint8Array, n: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i + 1 < raw.length && out.length < n; i += 2) {
    const c = (raw[i] as number) | ((raw[i + 1] as number) << 8);
    if (c === 0) {
      out.push(cur);
      cur = '';
    } else cur += String.fromCharCode(c);
  }
  return out;
}

/** Size of the folder's final output (the coder output no bind pair consumes). */
export function mainUnpackSize(f: Folder): number {
  for (let i = f.unpackSizes.length - 1; i >= 0; i--) {
    if (!f.bindPairs.some((bp) => bp.outIndex === i)) return f.unpackSizes[i] as number;
  }
  return 0;
}
