/**
 * A validating structural scanner for JSON held in a byte buffer. It locates object members
 * and value spans without building the document, so a packument can be edited by splicing byte
 * ranges (everything not edited stays byte-exact) with memory proportional to the input. It
 * accepts exactly the JSON grammar (RFC 8259) — anything `JSON.parse` would reject is rejected
 * here too, so Airlock never reads a document differently from the clients it serves.
 */

export class JsonScanError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'JsonScanError';
    this.offset = offset;
  }
}

/** One member of an object: key text and byte spans (end offsets exclusive). */
export interface JsonMember {
  readonly key: string;
  readonly keyStart: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

export interface JsonObjectSpan {
  readonly start: number;
  readonly end: number;
  readonly members: JsonMember[];
}

export const MAX_DEPTH = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function skipWs(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

/** `i` at the opening quote; returns the offset after the closing quote. */
export function scanString(b: Uint8Array, i: number): number {
  if (b[i] !== QUOTE) throw new JsonScanError('expected a string', i);
  const n = b.length;
  let j = i + 1;
  for (;;) {
    if (j >= n) throw new JsonScanError('unterminated string', i);
    const c = b[j] as number;
    if (c === QUOTE) return j + 1;
    if (c < 0x20) throw new JsonScanError('control character in string', j);
    if (c === BACKSLASH) {
      const e = b[j + 1];
      if (e === 0x75) {
        if (!isHex(b[j + 2]) || !isHex(b[j + 3]) || !isHex(b[j + 4]) || !isHex(b[j + 5])) throw new JsonScanError('bad \\u escape', j);
        j += 6;
        continue;
      }
      // " \ / b f n r t
      if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        j += 2;
        continue;
      }
      throw new JsonScanError('bad escape', j);
    }
    j++;
  }
}

function scanDigits(b: Uint8Array, i: number): number {
  const start = i;
  while (i < b.length && (b[i] as number) >= 0x30 && (b[i] as number) <= 0x39) i++;
  if (i === start) throw new JsonScanError('expected a digit', i);
  return i;
}

export function scanNumber(b: Uint8Array, i: number): number {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else i = scanDigits(b, i);
  if (b[i] === 0x2e) i = scanDigits(b, i + 1);
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    i = scanDigits(b, i);
  }
  return i;
}

function scanLiteral(b: Uint8Array, i: number, word: string): number {
  for (let k = 0; k < word.length; k++) {
    if (b[i + k] !== word.charCodeAt(k)) throw new JsonScanError('unexpected token', i);
  }
  return i + word.length;
}

/** `i` at the first byte of a value (no leading whitespace); returns the offset after it. */
export function scanValue(b: Uint8Array, i: number, depth = 0): number {
  const c = b[i];
  switch (c) {
    case QUOTE:
      return scanString(b, i);
    case 0x7b: // {
      return scanContainer(b, i, depth, true);
    case 0x5b: // [
      return scanContainer(b, i, depth, false);
    case 0x74:
      return scanLiteral(b, i, 'true');
    case 0x66:
      return scanLiteral(b, i, 'false');
    case 0x6e:
      return scanLiteral(b, i, 'null');
    default:
      if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return scanNumber(b, i);
      throw new JsonScanError(c === undefined ? 'unexpected end of input' : 'unexpected token', i);
  }
}

function scanContainer(b: Uint8Array, i: number, depth: number, isObject: boolean): number {
  if (depth >= MAX_DEPTH) throw new JsonScanError('nesting too deep', i);
  const close = isObject ? 0x7d : 0x5d;
  i = skipWs(b, i + 1);
  if (b[i] === close) return i + 1;
  for (;;) {
    if (isObject) {
      i = scanString(b, i);
      i = skipWs(b, i);
      if (b[i] !== 0x3a) throw new JsonScanError("expected ':'", i);
      i = skipWs(b, i + 1);
    }
    i = skipWs(b, scanValue(b, i, depth + 1));
    const c = b[i];
    if (c === 0x2c) {
      i = skipWs(b, i + 1);
      continue;
    }
    if (c === close) return i + 1;
    throw new JsonScanError(isObject ? "expected ',' or '}'" : "expected ',' or ']'", i);
  }
}

const utf8 = new TextDecoder('utf-8');

/** Decode the key string spanning [start, end) including its quotes. */
export function decodeString(b: Uint8Array, start: number, end: number): string {
  const inner = b.subarray(start + 1, end - 1);
  if (inner.indexOf(BACKSLASH) === -1) return utf8.decode(inner);
  return JSON.parse(utf8.decode(b.subarray(start, end))) as string;
}

export interface MembersOptions {
  /** Reject an object with the same key twice (JSON.parse keeps the last; editors must not guess). */
  readonly unique?: boolean;
  /**
   * Called per member to scan its value instead of `scanValue`; must return the value's end.
   * Lets callers descend into members they care about while everything is still validated.
   */
  readonly scanMember?: (key: string, valueStart: number, keyStart: number) => number;
  readonly depth?: number;
}

/** The members of the object starting at `i` (at '{'). Every value is validated. */
export function objectMembers(b: Uint8Array, i: number, options: MembersOptions = {}): JsonObjectSpan {
  const start = i;
  if (b[i] !== 0x7b) throw new JsonScanError('expected an object', i);
  const depth = options.depth ?? 0;
  if (depth >= MAX_DEPTH) throw new JsonScanError('nesting too deep', i);
  const members: JsonMember[] = [];
  const seen = options.unique === true ? new Set<string>() : null;
  i = skipWs(b, i + 1);
  if (b[i] === 0x7d) return { start, end: i + 1, members };
  for (;;) {
    const keyStart = i;
    i = scanString(b, i);
    const key = decodeString(b, keyStart, i);
    if (seen !== null) {
      if (seen.has(key)) throw new JsonScanError(`duplicate key ${JSON.stringify(key.slice(0, 60))}`, keyStart);
      seen.add(key);
    }
    i = skipWs(b, i);
    if (b[i] !== 0x3a) throw new JsonScanError("expected ':'", i);
    const valueStart = skipWs(b, i + 1);
    const valueEnd = options.scanMember === undefined ? scanValue(b, valueStart, depth + 1) : options.scanMember(key, valueStart, keyStart);
    members.push({ key, keyStart, valueStart, valueEnd });
    i = skipWs(b, valueEnd);
    const c = b[i];
    if (c === 0x2c) {
      i = skipWs(b, i + 1);
      continue;
    }
    if (c === 0x7d) return { start, end: i + 1, members };
    throw new JsonScanError("expected ',' or '}'", i);
  }
}

/** Validate that [i, end) holds exactly one JSON value surrounded by optional whitespace. */
export function expectEnd(b: Uint8Array, i: number): void {
  const j = skipWs(b, i);
  if (j !== b.length) throw new JsonScanError('unexpected data after the document', j);
}

/**
 * Visit the members of the object at `i` (at '{') without building key strings. `visit` gets
 * the key's span (with quotes) and the value's start, and returns the value's end when it
 * scanned the value itself, or -1 to have it scanned (validated) here. Returns the offset after
 * the object. Duplicate keys are allowed: callers that keep the last occurrence read the object
 * exactly as JSON.parse does.
 */
export function forEachMember(b: Uint8Array, i: number, depth: number, visit: (keyStart: number, keyEnd: number, valueStart: number) => number): number {
  if (b[i] !== 0x7b) throw new JsonScanError('expected an object', i);
  if (depth >= MAX_DEPTH) throw new JsonScanError('nesting too deep', i);
  i = skipWs(b, i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    const keyStart = i;
    const keyEnd = scanString(b, i);
    i = skipWs(b, keyEnd);
    if (b[i] !== 0x3a) throw new JsonScanError("expected ':'", i);
    const valueStart = skipWs(b, i + 1);
    const seen = visit(keyStart, keyEnd, valueStart);
    const valueEnd = seen === -1 ? scanValue(b, valueStart, depth + 1) : seen;
    i = skipWs(b, valueEnd);
    const c = b[i];
    if (c === 0x2c) {
      i = skipWs(b, i + 1);
      continue;
    }
    if (c === 0x7d) return i + 1;
    throw new JsonScanError("expected ',' or '}'", i);
  }
}

/**
 * Members of an object or elements of an array at `i` (0 for any other value), and the offset
 * after the value. Distinct keys are not checked: `{"a":1,"a":2}` counts 2.
 */
export function countEntries(b: Uint8Array, i: number, depth: number): { readonly count: number; readonly end: number } {
  let n = 0;
  if (b[i] === 0x7b) {
    const end = forEachMember(b, i, depth, () => {
      n++;
      return -1;
    });
    return { count: n, end };
  }
  if (b[i] !== 0x5b) return { count: 0, end: scanValue(b, i, depth) };
  i = skipWs(b, i + 1);
  if (b[i] === 0x5d) return { count: 0, end: i + 1 };
  for (;;) {
    i = skipWs(b, scanValue(b, i, depth + 1));
    n++;
    if (b[i] === 0x2c) {
      i = skipWs(b, i + 1);
      continue;
    }
    if (b[i] === 0x5d) return { count: n, end: i + 1 };
    throw new JsonScanError("expected ',' or ']'", i);
  }
}

/**
 * Recognises member keys from a fixed set without allocating: raw bytes are compared when the
 * key has no escapes, and the decoded key otherwise (so `"\u0064ist"` is `dist`, as for
 * JSON.parse — a hostile document cannot hide a member from Airlock that clients will see).
 */
export class KeySet {
  readonly #byLength = new Map<number, Array<{ readonly bytes: Buffer; readonly index: number }>>();
  readonly #byName = new Map<string, number>();

  constructor(names: readonly string[]) {
    names.forEach((name, index) => {
      const bytes = Buffer.from(name, 'utf8');
      const list = this.#byLength.get(bytes.length) ?? [];
      list.push({ bytes, index });
      this.#byLength.set(bytes.length, list);
      this.#byName.set(name, index);
    });
  }

  /** The index of the key spanning [keyStart, keyEnd) (with quotes), or -1. */
  match(b: Uint8Array, keyStart: number, keyEnd: number): number {
    const start = keyStart + 1;
    const end = keyEnd - 1;
    for (let k = start; k < end; k++) {
      if (b[k] === BACKSLASH) return this.#byName.get(decodeString(b, keyStart, keyEnd)) ?? -1;
    }
    const candidates = this.#byLength.get(end - start);
    if (candidates === undefined) return -1;
    outer: for (const c of candidates) {
      for (let k = 0; k < c.bytes.length; k++) if (b[start + k] !== c.bytes[k]) continue outer;
      return c.index;
    }
    return -1;
  }
}
