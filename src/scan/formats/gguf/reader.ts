/**
 * GGUF structure reader (versions 1–3, little- or big-endian): header, every metadata KV with
 * all value types including nested arrays, tensor infos. Strings are only materialised where the
 * caller asks (keys, and values it wants to inspect); everything else is walked by length. All
 * counts and lengths are checked against the bytes that remain and the metadata budget.
 */
import { AnalysisLimitError, FormatParseError } from '../common/errors.ts';
import type { SourceWindow } from '../common/source-window.ts';

export const GGUF_TYPE = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12,
} as const;

const FIXED_SIZE: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const TYPE_NAMES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'];
const MAX_ARRAY_NESTING = 8;

export type GgufScalar = number | bigint | boolean | string;

export interface GgufKv {
  readonly key: string;
  readonly type: number;
  readonly offset: number;
  /** Scalar value, or the string when it was kept; undefined for arrays and skipped strings. */
  readonly value: GgufScalar | undefined;
  /** For arrays: element type and count. */
  readonly arrayType?: number;
  readonly arrayLength?: number;
  /** Kept string elements of a string array (when requested). */
  readonly strings?: readonly string[];
}

export function typeName(t: number): string {
  return TYPE_NAMES[t] ?? `type ${t}`;
}

export class GgufReader {
  readonly win: SourceWindow;
  pos: number;
  readonly le: boolean;
  readonly version: number;
  #budget: number;
  readonly #budgetLimit: number;
  static readonly UTF8 = new TextDecoder('utf-8');

  constructor(win: SourceWindow, start: number, le: boolean, version: number, budget: number) {
    this.win = win;
    this.pos = start;
    this.le = le;
    this.version = version;
    this.#budget = budget;
    this.#budgetLimit = budget;
  }

  get remaining(): number {
    return this.win.size - this.pos;
  }

  #charge(n: number): void {
    this.#budget -= n;
    if (this.#budget < 0) throw new AnalysisLimitError('gguf.limit.metadata', `metadata exceeds the ${this.#budgetLimit}-byte limit`, this.pos);
  }

  async #need(n: number, what: string): Promise<void> {
    if (!this.win.has(this.pos, n)) await this.win.ensure(this.pos, n, what);
    this.#charge(n);
  }

  async u32(what = 'u32'): Promise<number> {
    await this.#need(4, what);
    const v = this.win.u32(this.pos, this.le);
    this.pos += 4;
    return v;
  }

  async u64(what = 'u64'): Promise<bigint> {
    await this.#need(8, what);
    const v = this.win.u64(this.pos, this.le);
    this.pos += 8;
    return v;
  }

  /** A count or length field (u32 in v1, u64 later), bounded by the bytes left at `minEach` bytes per item. */
  async count(what: string, minEach: number): Promise<number> {
    const v = this.version === 1 ? BigInt(await this.u32(what)) : await this.u64(what);
    const cap = Math.floor(this.remaining / Math.max(1, minEach));
    if (v > BigInt(cap)) {
      throw new FormatParseError('gguf.length', `${what} ${v} is larger than the ${this.remaining} bytes that remain allow`, this.pos);
    }
    return Number(v);
  }

  /** Reads a string; returns its text when `keep` (else skips the bytes and returns undefined). */
  async string(what: string, keep: boolean, maxKeep = Number.MAX_SAFE_INTEGER): Promise<string | undefined> {
    const len = await this.count(`${what} length`, 1);
    if (!keep || len > maxKeep) {
      this.win.checkRange(this.pos, len, what);
      this.#charge(len);
      this.pos += len;
      return undefined;
    }
    this.#charge(len);
    const bytes = await this.win.bytes(this.pos, len, what);
    this.pos += len;
    return GgufReader.UTF8.decode(bytes);
  }

  /** Reads a value of `type`. Strings are kept when `keepStrings` says so for this value. */
  async value(type: number, keepString: boolean, depth = 0): Promise<Omit<GgufKv, 'key' | 'offset' | 'type'>> {
    const fixed = FIXED_SIZE[type];
    if (fixed !== undefined) {
      await this.#need(fixed, `${typeName(type)} value`);
      const p = this.pos;
      this.pos += fixed;
      return { value: this.#scalar(type, p) };
    }
    if (type === GGUF_TYPE.STRING) return { value: await this.string('string value', keepString, 1 << 24) };
    if (type === GGUF_TYPE.ARRAY) {
      if (depth >= MAX_ARRAY_NESTING) throw new AnalysisLimitError('gguf.limit.nesting', `arrays nested deeper than ${MAX_ARRAY_NESTING} levels`, this.pos);
      const elemType = await this.u32('array element type');
      const elemFixed = FIXED_SIZE[elemType];
      if (elemFixed === undefined && elemType !== GGUF_TYPE.STRING && elemType !== GGUF_TYPE.ARRAY) {
        throw new FormatParseError('gguf.value.type', `unknown array element type ${elemType}`, this.pos - 4);
      }
      const minEach = elemFixed ?? (this.version === 1 ? 4 : 8);
      const n = await this.count('array length', minEach);
      if (elemFixed !== undefined) {
        this.win.checkRange(this.pos, n * elemFixed, 'array data');
        this.#charge(n * elemFixed);
        this.pos += n * elemFixed;
        return { value: undefined, arrayType: elemType, arrayLength: n };
      }
      const strings: string[] = [];
      for (let i = 0; i < n; i++) {
        if (elemType === GGUF_TYPE.STRING) {
          const s = await this.string('array string', keepString, 1 << 24);
          if (s !== undefined) strings.push(s);
        } else {
          await this.value(GGUF_TYPE.ARRAY, false, depth + 1);
        }
      }
      return keepString ? { value: undefined, arrayType: elemType, arrayLength: n, strings } : { value: undefined, arrayType: elemType, arrayLength: n };
    }
    throw new FormatParseError('gguf.value.type', `unknown metadata value type ${type}`, this.pos - 4);
  }

  #scalar(type: number, p: number): GgufScalar {
    const w = this.win;
    switch (type) {
      case GGUF_TYPE.UINT8:
        return w.u8(p);
      case GGUF_TYPE.INT8:
        return (w.u8(p) << 24) >> 24;
      case GGUF_TYPE.UINT16:
        return w.u16(p, this.le);
      case GGUF_TYPE.INT16:
        return (w.u16(p, this.le) << 16) >> 16;
      case GGUF_TYPE.UINT32:
        return w.u32(p, this.le);
      case GGUF_TYPE.INT32:
        return w.i32(p, this.le);
      case GGUF_TYPE.FLOAT32:
        return w.f32(p, this.le);
      case GGUF_TYPE.BOOL:
        return w.u8(p) !== 0;
      case GGUF_TYPE.UINT64:
        return w.u64(p, this.le);
      case GGUF_TYPE.INT64:
        return w.i64(p, this.le);
      default:
        return w.f64(p, this.le);
    }
  }
}
