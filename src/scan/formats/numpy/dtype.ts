/**
 * What a `.npy` `descr` means for a scanner: does the dtype hold Python objects anywhere (then
 * numpy wrote the array with pickle), and how many bytes is one element (to check the payload
 * size). Mirrors `numpy.lib.format.descr_to_dtype`: a string is a dtype spec (which may itself be
 * a comma-separated list of fields, with sub-array prefixes), a tuple is `(base, shape)`, a list
 * holds `(name, format[, shape])` fields.
 */
import { ownMember } from '../../../core/index.ts';
import type { PyValue } from './py-literal.ts';
import { PyTuple } from './py-literal.ts';

export interface DtypeInfo {
  /** Bytes per element, when known. */
  readonly itemsize: bigint | undefined;
  readonly hasObject: boolean;
  /** Specs the scanner could not size (reported, never guessed). */
  readonly unknown: readonly string[];
}

const FIXED: Readonly<Record<string, number>> = { '?': 1, b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, l: 8, L: 8, q: 8, Q: 8, p: 8, P: 8, e: 2, f: 4, d: 8, g: 16, F: 8, D: 16, G: 32 };
const NAMED: Readonly<Record<string, number>> = {
  bool: 1, bool_: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8,
  float16: 2, float32: 4, float64: 8, float128: 16, complex64: 8, complex128: 16, complex256: 32,
  half: 2, single: 4, double: 8, longdouble: 16, int: 8, float: 8, complex: 16, byte: 1, ubyte: 1,
  short: 2, ushort: 2, intc: 4, uintc: 4, longlong: 8, ulonglong: 8, intp: 8, uintp: 8,
};
const OBJECT_NAMES = new Set(['O', 'object', 'object_', 'object0']);

export function dtypeInfo(descr: PyValue): DtypeInfo {
  const acc = { hasObject: false, unknown: [] as string[] };
  const size = sizeOf(descr, acc, 0);
  return { itemsize: size, hasObject: acc.hasObject, unknown: acc.unknown };
}

interface Acc {
  hasObject: boolean;
  unknown: string[];
}

function sizeOf(d: PyValue, acc: Acc, depth: number): bigint | undefined {
  if (depth > 32) {
    acc.unknown.push('nested too deeply');
    return undefined;
  }
  if (typeof d === 'string') return sizeOfSpec(d, acc);
  if (d instanceof PyTuple) {
    // (base, shape) sub-array, or (base, itemsize) for flexible types.
    const [base, shape] = d.items;
    const b = base === undefined ? undefined : sizeOf(base, acc, depth + 1);
    const n = shape === undefined ? 1n : elements(shape);
    return b === undefined || n === undefined ? undefined : b * n;
  }
  // A structured dtype: numpy iterates the descr (a dict iterates its keys) and unpacks every
  // field as (name, format[, shape]) — a 2- or 3-character string unpacks character by character.
  const fields = Array.isArray(d) ? d : d instanceof Map ? [...d.keys()] : undefined;
  if (fields !== undefined) {
    let total: bigint | undefined = 0n;
    for (const field of fields) {
      const items = field instanceof PyTuple ? field.items : Array.isArray(field) ? field : typeof field === 'string' ? [...field] : undefined;
      if (items === undefined || items.length < 2 || items.length > 3) {
        acc.unknown.push('malformed field');
        total = undefined;
        continue;
      }
      const [, format, shape] = items;
      const s = format === undefined ? undefined : sizeOf(format, acc, depth + 1);
      const n = shape === undefined ? 1n : elements(shape);
      total = total === undefined || s === undefined || n === undefined ? undefined : total + s * n;
    }
    return total;
  }
  acc.unknown.push(String(d));
  return undefined;
}

/** Element count of a shape (an int or a tuple of ints), undefined if malformed. */
export function elements(shape: PyValue): bigint | undefined {
  if (typeof shape === 'bigint') return shape >= 0n ? shape : undefined;
  if (!(shape instanceof PyTuple)) return undefined;
  let n = 1n;
  for (const s of shape.items) {
    if (typeof s !== 'bigint' || s < 0n) return undefined;
    n *= s;
  }
  return n;
}

function sizeOfSpec(spec: string, acc: Acc): bigint | undefined {
  const parts = splitTopLevel(spec).map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) {
    acc.unknown.push(spec);
    return undefined;
  }
  let total: bigint | undefined = 0n;
  for (const part of parts) {
    const s = sizeOfSingle(part, acc);
    total = total === undefined || s === undefined ? undefined : total + s;
  }
  return total;
}

const BLANK = /\s/;
const ORDER_MARKS = '<>|=!';
const LINE_END = /[\n\r\u2028\u2029]/;

/**
 * A comma spec's part split into its sub-array prefix (`(2,3)`: numbers between parentheses,
 * commas between them, a trailing one and blanks allowed) and, after blanks and a byte-order mark,
 * its type. A part with a line end after the prefix has no prefix and is its own type, as in the
 * pattern this replaces. By hand, in one pass: the patterns for it backtracked on a prefix that
 * does not close (with commas optional a run of 30 digits took seconds, with them required a
 * run of 10,000 blanks took 108 s), and a .npy header is the file's author's to write.
 */
export function splitSubarray(part: string): { shape: readonly string[] | undefined; body: string } {
  const close = part[0] === '(' ? part.indexOf(')') : -1;
  const shape = close < 0 ? undefined : subarrayShape(part.slice(1, close));
  let i = shape === undefined ? 0 : close + 1;
  while (i < part.length && BLANK.test(part[i] as string)) i++;
  if (i < part.length && ORDER_MARKS.includes(part[i] as string)) i++;
  const body = part.slice(i);
  return LINE_END.test(body) ? { shape: undefined, body: part } : { shape, body };
}

/** The numbers between a prefix's parentheses, or undefined when they make no prefix. */
function subarrayShape(inner: string): string[] | undefined {
  const items = inner.split(',');
  // Blanks alone: `()`. A trailing comma after a number leaves blanks as the last item.
  if (items.length === 1 && items[0]?.trim() === '') return [];
  if (items.length > 1 && items.at(-1)?.trim() === '') items.pop();
  const numbers: string[] = [];
  for (const item of items) {
    const n = /^\s*(\d+)\s*$/.exec(item)?.[1];
    if (n === undefined) return undefined;
    numbers.push(n);
  }
  return numbers;
}

function sizeOfSingle(part: string, acc: Acc): bigint | undefined {
  const { shape, body } = splitSubarray(part);
  let count = 1n;
  if (shape !== undefined) for (const n of shape) count *= BigInt(n);
  if (OBJECT_NAMES.has(body) || /^O\d*$/.test(body)) {
    acc.hasObject = true;
    return 8n * count;
  }
  // Own members only: a descr of `constructor` or `__proto__` names no dtype.
  const named = ownMember(NAMED, body);
  if (named !== undefined) return BigInt(named) * count;
  const t = /^([a-zA-Z?])(\d*)(\[[A-Za-z0-9]+\])?$/.exec(body);
  if (t === null) {
    acc.unknown.push(part);
    return undefined;
  }
  const [, code = '', digits = '', unit] = t;
  const n = digits === '' ? undefined : BigInt(digits);
  switch (code) {
    case 'b':
    case 'i':
    case 'u':
    case 'f':
    case 'c': {
      if (n !== undefined) return n * count;
      const fixed = FIXED[code];
      if (fixed !== undefined) return BigInt(fixed) * count;
      acc.unknown.push(part);
      return undefined;
    }
    case 'S':
    case 'a':
    case 'V':
      return (n ?? 0n) * count;
    case 'U':
      return 4n * (n ?? 0n) * count;
    case 'M':
    case 'm':
      // datetime64/timedelta64 are 8 bytes whatever the unit.
      return unit === undefined && n !== undefined && n !== 8n ? undefined : 8n * count;
    default: {
      const fixed = FIXED[code];
      if (fixed !== undefined && n === undefined) return BigInt(fixed) * count;
      acc.unknown.push(part);
      return undefined;
    }
  }
}

/** Splits a comma-separated dtype spec, keeping sub-array prefixes like `(2,3)` intact. */
function splitTopLevel(spec: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(spec.slice(start, i));
      start = i + 1;
    }
  }
  out.push(spec.slice(start));
  return out;
}
