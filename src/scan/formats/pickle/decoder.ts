/**
 * The pickle disassembler: decodes one opcode and its inline argument at a time from a
 * `ByteSource`, reading in chunks so a multi-GB stream costs constant memory. Byte and text
 * arguments above `INLINE_MAX` are not materialised: they become references (offset, length)
 * that can be re-read on demand, and the decoder skips over them.
 */
import type { ByteSource } from '../../types.ts';
import { ScanFormatError, ScanLimitError } from '../../engine/errors.ts';
import { OPCODES, type ArgKind } from './opcodes.ts';
import {
  decodeLatin1,
  decodeLong,
  decodeRawUnicodeEscape,
  escapeDecode,
  parsePyFloat,
  parsePyInt,
  toNumberIfSafe,
} from './text.ts';

/** Largest byte/text argument kept in memory as a value. */
export const INLINE_MAX = 1 << 20;
/** Longest newline-terminated argument accepted (protocol 0 text). */
const LINE_MAX = 1 << 20;
const CHUNK = 1 << 18;

/** A bytes-like argument; `data` is absent when it was too large to keep. */
export interface BytesArg {
  readonly kind: 'bytes-arg';
  /** Absolute offset of the first payload byte in the source. */
  readonly offset: number;
  readonly length: number;
  readonly data: Uint8Array | undefined;
  /** How the payload is encoded as text, when it is text (for later materialisation). */
  readonly text: 'utf8' | 'latin1' | undefined;
}

export type OpArg = null | number | bigint | string | BytesArg;

/** One decoded opcode. The decoder reuses a single instance: copy what you keep. */
export class DecodedOp {
  code = 0;
  /** Absolute offset of the opcode byte. */
  pos = 0;
  arg: OpArg = null;
  /** Second argument (GLOBAL/INST name). */
  arg2 = '';
}

export class PickleDecoder {
  readonly source: ByteSource;
  #buf: Uint8Array = new Uint8Array(0);
  /** The same bytes as a Buffer, for Node's native string decoding. */
  #nbuf: Buffer = Buffer.alloc(0);
  /** Absolute offset of #buf[0]. */
  #base: number;
  #pos = 0;
  /** Opcodes decoded so far. */
  count = 0;

  constructor(source: ByteSource, start: number) {
    this.source = source;
    this.#base = start;
  }

  /** Absolute offset of the next opcode. */
  get offset(): number {
    return this.#base + this.#pos;
  }

  get atEnd(): boolean {
    return this.offset >= this.source.size;
  }

  /** Moves the read position (joblib skips raw array bytes between opcodes). */
  seek(absolute: number): void {
    if (absolute >= this.#base && absolute <= this.#base + this.#buf.length) {
      this.#pos = absolute - this.#base;
    } else {
      this.#base = absolute;
      this.#buf = new Uint8Array(0);
      this.#nbuf = Buffer.alloc(0);
      this.#pos = 0;
    }
  }

  /** Reads `n` raw bytes at the current position (for loaders that read between opcodes). */
  async readRaw(n: number): Promise<Uint8Array> {
    if (this.#buf.length - this.#pos < n) await this.#fill(n);
    const out = this.#buf.subarray(this.#pos, Math.min(this.#buf.length, this.#pos + n));
    this.#pos += out.length;
    return out;
  }

  async #fill(want: number): Promise<void> {
    const at = this.#base + this.#pos;
    const remaining = this.source.size - at;
    if (remaining <= 0) {
      this.#base = at;
      this.#buf = new Uint8Array(0);
      this.#nbuf = Buffer.alloc(0);
      this.#pos = 0;
      return;
    }
    const n = Math.min(remaining, Math.max(want, remaining <= 4 * CHUNK ? remaining : CHUNK));
    this.#buf = await this.source.read(at, n);
    this.#nbuf = Buffer.from(this.#buf.buffer, this.#buf.byteOffset, this.#buf.length);
    this.#base = at;
    this.#pos = 0;
  }

  /**
   * Decodes the next opcode into `op`. Returns true (synchronously when the opcode is already
   * buffered, the hot path), or a promise; false at the end of the source (clean EOF before an
   * opcode). Throws ScanFormatError for malformed or truncated input.
   */
  next(op: DecodedOp): boolean | Promise<boolean> {
    const need = this.#tryDecode(op);
    if (need === 0) {
      this.count++;
      return true;
    }
    return this.#nextSlow(op, need);
  }

  async #nextSlow(op: DecodedOp, first: number): Promise<boolean> {
    let need = first;
    for (;;) {
      if (need === 0) {
        this.count++;
        return true;
      }
      if (need < 0) {
        if (this.#buf.length - this.#pos === 0 && this.offset >= this.source.size) return false;
        throw new ScanFormatError('pickle.truncated', 'pickle data was truncated', this.offset);
      }
      const before = this.#buf.length - this.#pos;
      if (this.offset + before >= this.source.size) {
        if (before === 0) return false;
        throw new ScanFormatError('pickle.truncated', 'pickle data was truncated', this.offset);
      }
      await this.#fill(need);
      // A source that reads short before its end would otherwise be asked again forever.
      if (this.#buf.length - this.#pos <= before) throw new ScanFormatError('pickle.truncated', 'pickle data was truncated (the source read short)', this.offset);
      need = this.#tryDecode(op);
    }
  }

  /** 0: decoded; >0: needs at least that many buffered bytes; <0: cannot ever decode (EOF). */
  #tryDecode(op: DecodedOp): number {
    const buf = this.#buf;
    const p = this.#pos;
    const avail = buf.length - p;
    if (avail < 1) return this.offset >= this.source.size ? -1 : 1;
    const code = buf[p] as number;
    const info = OPCODES[code];
    const pos = this.#base + p;
    if (info === undefined) {
      throw new ScanFormatError('pickle.opcode.unknown', `invalid pickle opcode 0x${code.toString(16)}`, pos);
    }
    op.code = code;
    op.pos = pos;
    op.arg = null;
    op.arg2 = '';
    const kind: ArgKind = info.arg;
    switch (kind) {
      case 'none':
        this.#pos = p + 1;
        return 0;
      case 'u1':
        if (avail < 2) return 2;
        op.arg = buf[p + 1] as number;
        this.#pos = p + 2;
        return 0;
      case 'u2':
        if (avail < 3) return 3;
        op.arg = (buf[p + 1] as number) | ((buf[p + 2] as number) << 8);
        this.#pos = p + 3;
        return 0;
      case 'i4':
        if (avail < 5) return 5;
        op.arg = readI32(buf, p + 1);
        this.#pos = p + 5;
        return 0;
      case 'u4':
        if (avail < 5) return 5;
        op.arg = readI32(buf, p + 1) >>> 0;
        this.#pos = p + 5;
        return 0;
      case 'u8':
        if (avail < 9) return 9;
        op.arg = readU64(buf, p + 1, pos);
        this.#pos = p + 9;
        return 0;
      case 'float8':
        if (avail < 9) return 9;
        // Float values never decide anything: they are not decoded (no allocation per float).
        op.arg = null;
        this.#pos = p + 9;
        return 0;
      case 'long1':
      case 'long4': {
        const h = kind === 'long1' ? 1 : 4;
        if (avail < 1 + h) return 1 + h;
        const n = kind === 'long1' ? (buf[p + 1] as number) : readI32(buf, p + 1);
        if (n < 0) throw new ScanFormatError('pickle.arg.negative', 'LONG pickle has negative byte count', pos);
        if (n > INLINE_MAX) throw new ScanLimitError('maxHeaderBytes', `LONG argument of ${n} bytes`, 'local', pos);
        if (avail < 1 + h + n) return 1 + h + n;
        op.arg = toNumberIfSafe(decodeLong(buf.subarray(p + 1 + h, p + 1 + h + n)));
        this.#pos = p + 1 + h + n;
        return 0;
      }
      case 'string1':
      case 'bytes1':
      case 'unicodestring1':
        return this.#counted(op, buf, p, avail, 1, kind);
      case 'string4':
      case 'bytes4':
      case 'unicodestring4':
        return this.#counted(op, buf, p, avail, 4, kind);
      case 'bytes8':
      case 'bytearray8':
      case 'unicodestring8':
        return this.#counted(op, buf, p, avail, 8, kind);
      case 'decimalnl_short':
      case 'decimalnl_long':
      case 'floatnl':
      case 'stringnl':
      case 'stringnl_noescape':
      case 'unicodestringnl':
        return this.#line(op, buf, p, kind);
      case 'stringnl_noescape_pair': {
        const e1 = this.#findNewline(buf, p + 1);
        if (e1 < 0) return this.#needLine(avail);
        const e2 = this.#findNewline(buf, e1 + 1);
        if (e2 < 0) return this.#needLine(avail);
        op.arg = this.#nbuf.toString('utf8', p + 1, e1);
        op.arg2 = this.#nbuf.toString('utf8', e1 + 1, e2);
        this.#pos = e2 + 1;
        return 0;
      }
    }
  }

  #counted(op: DecodedOp, buf: Uint8Array, p: number, avail: number, width: 1 | 4 | 8, kind: ArgKind): number {
    if (avail < 1 + width) return 1 + width;
    const pos = this.#base + p;
    let n: number;
    if (width === 1) n = buf[p + 1] as number;
    else if (width === 4) n = kind === 'string4' ? readI32(buf, p + 1) : readI32(buf, p + 1) >>> 0;
    else n = readU64(buf, p + 1, pos);
    if (n < 0) throw new ScanFormatError('pickle.arg.negative', 'negative byte count', pos);
    const start = p + 1 + width;
    const absStart = this.#base + start;
    if (absStart + n > this.source.size) {
      throw new ScanFormatError('pickle.truncated', 'pickle data was truncated', pos);
    }
    const text = kind.startsWith('unicode') ? 'utf8' : kind.startsWith('string') ? 'latin1' : undefined;
    if (n > INLINE_MAX) {
      op.arg = { kind: 'bytes-arg', offset: absStart, length: n, data: undefined, text };
      this.seek(absStart + n);
      return 0;
    }
    if (avail < 1 + width + n) return 1 + width + n;
    if (text === 'utf8') op.arg = this.#nbuf.toString('utf8', start, start + n);
    else if (text === 'latin1') op.arg = this.#nbuf.toString('latin1', start, start + n);
    else op.arg = { kind: 'bytes-arg', offset: absStart, length: n, data: buf.subarray(start, start + n), text };
    this.#pos = start + n;
    return 0;
  }

  #findNewline(buf: Uint8Array, from: number): number {
    const i = buf.indexOf(0x0a, from);
    if (i < 0 && buf.length - from > LINE_MAX) {
      throw new ScanLimitError('maxHeaderBytes', `text argument longer than ${LINE_MAX} bytes`, 'local', this.#base + from);
    }
    return i;
  }

  #needLine(avail: number): number {
    return avail + CHUNK;
  }

  #line(op: DecodedOp, buf: Uint8Array, p: number, kind: ArgKind): number {
    const e = this.#findNewline(buf, p + 1);
    if (e < 0) return this.#needLine(buf.length - p);
    const raw = buf.subarray(p + 1, e);
    const pos = this.#base + p;
    const latin = decodeLatin1(raw);
    switch (kind) {
      case 'decimalnl_short':
        // INT and GET/PUT read this differently (base 0 vs 10): the machine parses it.
        op.arg = latin;
        break;
      case 'decimalnl_long': {
        const t = latin.endsWith('L') ? latin.slice(0, -1) : latin;
        const v = parsePyInt(t, 0);
        if (v === undefined) throw new ScanFormatError('pickle.arg.int', `invalid long literal '${latin.slice(0, 40)}'`, pos);
        op.arg = toNumberIfSafe(v);
        break;
      }
      case 'floatnl': {
        if (parsePyFloat(latin) === undefined) throw new ScanFormatError('pickle.arg.float', `invalid float literal '${latin.slice(0, 40)}'`, pos);
        op.arg = null;
        break;
      }
      case 'stringnl': {
        const q = raw[0];
        if (raw.length < 2 || q !== raw[raw.length - 1] || (q !== 0x22 && q !== 0x27)) {
          throw new ScanFormatError('pickle.arg.string', 'the STRING opcode argument must be quoted', pos);
        }
        const bytes = escapeDecode(raw.subarray(1, raw.length - 1));
        if (bytes === undefined) throw new ScanFormatError('pickle.arg.string', 'invalid escape in STRING argument', pos);
        op.arg = decodeLatin1(bytes);
        break;
      }
      case 'stringnl_noescape':
        op.arg = latin;
        break;
      case 'unicodestringnl': {
        const s = decodeRawUnicodeEscape(raw);
        if (s === undefined) throw new ScanFormatError('pickle.arg.unicode', 'invalid \\u escape in UNICODE argument', pos);
        op.arg = s;
        break;
      }
      default:
        throw new ScanFormatError('pickle.internal', `unexpected line argument kind ${kind}`, pos);
    }
    this.#pos = e + 1;
    return 0;
  }
}

function readI32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) | 0;
}

function readU64(b: Uint8Array, i: number, pos: number): number {
  const lo = readI32(b, i) >>> 0;
  const hi = readI32(b, i + 4) >>> 0;
  if (hi > 0x1fffff) throw new ScanFormatError('pickle.arg.size', 'byte count exceeds the addressable range', pos);
  return hi * 0x100000000 + lo;
}
