/**
 * A bounded protobuf wire-format reader over a `SourceWindow`. Parsers walk messages field by
 * field (`field()`), descend into the sub-messages they understand and skip everything else by
 * length — so a multi-GB ONNX or TensorFlow file with inline tensor bytes is walked without
 * reading those bytes. Every length is checked against its enclosing message; strings read are
 * charged to a byte budget (`limits.maxHeaderBytes`), nesting depth is capped.
 */
import { AnalysisLimitError, FormatParseError } from './errors.ts';
import type { SourceWindow } from './source-window.ts';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export interface ProtoField {
  readonly num: number;
  readonly wire: number;
  /** Offset of the tag. */
  readonly offset: number;
  /** Value bytes `[start, end)`: the payload of a LEN field, the encoded scalar otherwise. */
  readonly start: number;
  readonly end: number;
  /** Decoded value of a VARINT field (0n for other wire types). */
  readonly varint: bigint;
}

/** Protobuf's own default recursion limit is 100; models nest far less. */
export const MAX_PROTO_DEPTH = 100;

export class ProtoReader {
  readonly win: SourceWindow;
  readonly #rule: string;
  #budget: number;
  readonly #budgetLimit: number;
  fieldsVisited = 0;

  /** `budget`: bytes of strings and field headers the walk may consume (not skipped payloads). */
  constructor(win: SourceWindow, rulePrefix: string, budget: number) {
    this.win = win;
    this.#rule = rulePrefix;
    this.#budget = budget;
    this.#budgetLimit = budget;
  }

  charge(bytes: number, offset: number): void {
    this.#budget -= bytes;
    if (this.#budget < 0) {
      throw new AnalysisLimitError(
        `${this.#rule}.limit.metadata`,
        `metadata exceeds the ${this.#budgetLimit}-byte limit for parsed structure`,
        offset,
      );
    }
  }

  checkDepth(depth: number, offset: number): void {
    if (depth > MAX_PROTO_DEPTH) {
      throw new AnalysisLimitError(`${this.#rule}.limit.depth`, `messages nested deeper than ${MAX_PROTO_DEPTH} levels`, offset);
    }
  }

  /** Reads the field starting at `pos` inside a message that ends at `end`. */
  async field(pos: number, end: number): Promise<ProtoField> {
    const headerMax = Math.min(20, end - pos);
    if (!this.win.has(pos, headerMax)) await this.win.ensure(pos, headerMax, 'protobuf field');
    this.fieldsVisited++;
    const [tag, p1] = this.#varintAt(pos, end);
    const num = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (num === 0 || tag >> 3n > 0x1fffffffn) throw this.#error(`invalid field number in tag`, pos);
    switch (wire) {
      case WIRE_VARINT: {
        const [v, p2] = this.#varintAt(p1, end);
        this.charge(p2 - pos, pos);
        return { num, wire, offset: pos, start: p1, end: p2, varint: v };
      }
      case WIRE_I64:
      case WIRE_I32: {
        const n = wire === WIRE_I64 ? 8 : 4;
        if (p1 + n > end) throw this.#error(`fixed-width field ${num} runs past its message`, pos);
        this.charge(p1 + n - pos, pos);
        return { num, wire, offset: pos, start: p1, end: p1 + n, varint: 0n };
      }
      case WIRE_LEN: {
        const [len, p2] = this.#varintAt(p1, end);
        if (len > BigInt(end - p2)) throw this.#error(`length ${len} of field ${num} runs past its message`, pos);
        this.charge(p2 - pos, pos);
        return { num, wire, offset: pos, start: p2, end: p2 + Number(len), varint: 0n };
      }
      default:
        // Groups (3/4) are not used by ONNX or TensorFlow; wire types 6/7 do not exist.
        throw this.#error(`unsupported wire type ${wire} for field ${num}`, pos);
    }
  }

  /** Payload of a LEN field as UTF-8 text (malformed sequences become U+FFFD), charged to the budget. */
  async string(f: ProtoField, what = 'string'): Promise<string> {
    const bytes = await this.bytes(f, what);
    return UTF8.decode(bytes);
  }

  async bytes(f: ProtoField, what = 'bytes'): Promise<Uint8Array> {
    this.expectWire(f, WIRE_LEN, what);
    const len = f.end - f.start;
    this.charge(len, f.offset);
    return (await this.win.bytes(f.start, len, what)).slice();
  }

  /** A VARINT field's value as a safe integer (negative int64 values come back negative). */
  int(f: ProtoField, what = 'integer'): number {
    this.expectWire(f, WIRE_VARINT, what);
    const signed = BigInt.asIntN(64, f.varint);
    if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw this.#error(`${what} ${signed} is out of range`, f.offset);
    }
    return Number(signed);
  }

  expectWire(f: ProtoField, wire: number, what: string): void {
    if (f.wire !== wire) throw this.#error(`${what} (field ${f.num}) has wire type ${f.wire}, expected ${wire}`, f.offset);
  }

  #varintAt(pos: number, end: number): [bigint, number] {
    let result = 0n;
    let shift = 0n;
    for (let p = pos; p < end && p < pos + 10; p++) {
      if (!this.win.has(p, 1)) throw this.#error('varint crosses the read window', p);
      const b = this.win.u8(p);
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return [BigInt.asUintN(64, result), p + 1];
      shift += 7n;
    }
    throw this.#error('malformed or truncated varint', pos);
  }

  #error(message: string, offset: number): FormatParseError {
    return new FormatParseError(`${this.#rule}.protobuf`, message, offset);
  }
}

const UTF8 = new TextDecoder('utf-8');

/**
 * Synchronous prefix check for content sniffing: walks the fields of `bytes` (a possibly
 * truncated message) against `schema`. Returns the number of fields that matched, or -1 on the
 * first violation (unknown field number or wire type, impossible length, non-text string).
 * Fields that run past the end of `bytes` are checked as far as they go.
 */
export interface SniffSchema {
  readonly [num: number]: SniffField;
}
export type SniffField =
  | { readonly wire: 0 | 1 | 5 }
  /** A repeated scalar: packed (LEN) or one field per element (any scalar wire type). */
  | { readonly wire: 'scalars' }
  | { readonly wire: 2; readonly kind: 'string' | 'bytes' }
  | { readonly wire: 2; readonly kind: 'message'; readonly schema: () => SniffSchema };

export function sniffMessage(bytes: Uint8Array, schema: SniffSchema, depth = 0): number {
  let pos = 0;
  let matched = 0;
  while (pos < bytes.length) {
    const tag = sniffVarint(bytes, pos);
    if (tag === undefined) return matched; // truncated at the end of the head
    if (tag.value === -1) return -1;
    const num = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    const spec = schema[num];
    if (num === 0 || spec === undefined) return -1;
    if (spec.wire === 'scalars' ? wire === 3 || wire === 4 || wire > 5 : spec.wire !== wire) return -1;
    pos = tag.next;
    if (wire === WIRE_VARINT) {
      const v = sniffVarint(bytes, pos);
      if (v === undefined) return matched + 1;
      if (v.next === pos) return -1; // no terminating byte within 10 bytes
      pos = v.next;
    } else if (wire === WIRE_I64 || wire === WIRE_I32) {
      pos += wire === WIRE_I64 ? 8 : 4;
    } else {
      const len = sniffVarint(bytes, pos);
      if (len === undefined) return matched + 1;
      if (len.value === -1) return -1;
      const start = len.next;
      const end = start + len.value;
      const avail = bytes.subarray(start, Math.min(end, bytes.length));
      if (spec.wire === 2 && spec.kind === 'string' && !looksLikeText(avail)) return -1;
      if (spec.wire === 2 && spec.kind === 'message' && depth < 8) {
        const sub = sniffMessage(avail, spec.schema(), depth + 1);
        if (sub < 0) return -1;
        matched += sub;
      }
      pos = end;
    }
    matched++;
  }
  return matched;
}

function sniffVarint(bytes: Uint8Array, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let mul = 1;
  for (let p = pos; p < pos + 10; p++) {
    if (p >= bytes.length) return undefined;
    const b = bytes[p] ?? 0;
    value += (b & 0x7f) * mul;
    // Values beyond 2^53 (negative int64s) are well-formed but unusable as tags or lengths.
    if ((b & 0x80) === 0) return { value: value > Number.MAX_SAFE_INTEGER ? -1 : value, next: p + 1 };
    mul *= 128;
  }
  return { value: -1, next: pos };
}

/** Printable UTF-8 text (tabs and newlines allowed); a truncated trailing sequence is fine. */
export function looksLikeText(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
    if (b === 0x7f) return false;
  }
  const text = new TextDecoder('utf-8').decode(bytes, { stream: true });
  return !text.includes('\ufffd');
}
