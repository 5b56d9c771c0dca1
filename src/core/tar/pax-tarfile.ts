/**
 * Pax records as CPython's tarfile reads them, for readers that must see what a Python loader
 * extracts (checked by hand against CPython 3.11.7, 3.12.1 and 3.13.0). tarfile parses the
 * header's data to the end of its last 512-byte block, padding included. 3.11.7 and 3.12.1 parse
 * it leniently, with the pattern `(\d+) ([^=]+)=` at each record start: the key runs to the next
 * `=` wherever that is, the value ends where the length says whether or not a newline is there,
 * and the first position the pattern does not match ends the records silently; only a length
 * of 0 is refused. 3.13.0's stricter parser refuses any record that does not frame exactly
 * (security releases of older branches may have taken it too; not checked here). Where the
 * strict parser accepts a header both read the same records, so the lenient reading is the
 * wider one; `malformed` says why a strict reader (3.13, GNU tar) would refuse it.
 * Linear in the data: a hostile header makes 3.11's own parser quadratic, this one keeps the
 * end of the current digit run, zero run and key at hand, and decodes only short keys.
 */
import { Buffer } from 'node:buffer';
import { TarHeaderError } from './header.ts';

export interface TarfilePax {
  /** The selected records as tarfile's dict holds them: a later one of a key replaces an earlier. */
  readonly records: ReadonlyMap<string, string>;
  /** Why GNU tar or CPython 3.13's tarfile refuses the header; null when they read it alike. */
  readonly malformed: string | null;
  /**
   * CPython 3.11 and 3.12 refuse it too (a record length of 0, or of more than the 4,300 digits
   * Python's int() reads by default); `records` are then those before the refused one.
   */
  readonly refused: boolean;
}

/** Keys longer than this are not offered to `select`: no key a reader applies is that long. */
const MAX_SELECTED_KEY = 64;
/** Python's default int_max_str_digits. */
const PY_MAX_DIGITS = 4300;

const DIGIT_0 = 0x30;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= DIGIT_0 && c <= 0x39;

/** Records of `data` (the whole padded block) as tarfile reads them; `select` picks the keys kept. */
export function parseTarfilePax(data: Uint8Array, select: (key: string) => boolean): TarfilePax {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.length);
  const n = bytes.length;
  const records = new Map<string, string>();
  let malformed: string | null = null;
  // Each cache holds the end of a run found from an earlier, lower position: record starts only
  // move forward, so a start inside the run ends where the run ends.
  let digitsEnd = 0;
  let zerosEnd = 0;
  let eqAt = 0;
  let pos = 0;
  for (;;) {
    if (pos >= digitsEnd) for (digitsEnd = pos; isDigit(bytes[digitsEnd]); digitsEnd++);
    const d = digitsEnd;
    if (d === pos || bytes[d] !== 0x20) break;
    if (d + 1 > eqAt) {
      const i = bytes.indexOf(0x3d, d + 1);
      eqAt = i < 0 ? n : i;
    }
    const eq = eqAt;
    if (eq >= n || eq === d + 1) break;
    if (d - pos > PY_MAX_DIGITS) return { records, malformed: `the pax record at ${pos} has a length of more than ${PY_MAX_DIGITS} digits`, refused: true };
    if (pos >= zerosEnd) for (zerosEnd = pos; zerosEnd < d && bytes[zerosEnd] === DIGIT_0; zerosEnd++);
    const z = Math.min(zerosEnd, d);
    let length = 0;
    if (d - z > 16) length = Infinity;
    else for (let i = z; i < d; i++) length = length * 10 + ((bytes[i] as number) - DIGIT_0);
    if (length === 0) return { records, malformed: `the pax record at ${pos} has a length of 0`, refused: true };
    const last = pos + length - 1;
    if (malformed === null) {
      if (d - pos > 20 || length < 5 || pos + length > n) malformed = `the pax record length at ${pos} is malformed or runs past the header's ${n} bytes`;
      else if (eq >= last) malformed = `the pax record at ${pos} has no key=value`;
      else if (bytes[last] !== 0x0a) malformed = `the pax record at ${pos} does not end with a newline`;
    }
    if (eq - d - 1 <= MAX_SELECTED_KEY) {
      const key = bytes.toString('utf8', d + 1, eq);
      if (select(key)) records.set(key, last > eq + 1 ? bytes.toString('utf8', eq + 1, Math.min(last, n)) : '');
    }
    pos += length;
    if (pos >= n) break;
  }
  if (malformed === null && pos < n && bytes[pos] !== 0) malformed = `the bytes at ${pos} are not a pax record`;
  return { records, malformed, refused: false };
}

/**
 * A pax number as Python's int() reads it (tarfile's `size`): ASCII blanks around, a sign,
 * digits with single underscores between them; null where int() raises ValueError (tarfile
 * then takes 0). What cannot be matched exactly (non-ASCII digits and blanks, which int() also
 * reads; a negative or unsafe number; more digits than int() reads by default, a setting of the
 * loading process) is a TarHeaderError.
 */
export function pythonInt(value: string, key: string, offset: number): number | null {
  const refuse = (why: string): never => {
    throw new TarHeaderError(offset, `the pax ${key} ${JSON.stringify(value.slice(0, 40))} ${why}`);
  };
  if (/[^\x00-\x7f]/.test(value)) refuse('is not ASCII: Python reads it by rules the scanner does not follow');
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d(?:_?\d)*)[ \t\n\v\f\r]*$/.exec(value);
  if (m === null) return null;
  const digits = (m[2] as string).replaceAll('_', '');
  if (digits.length > PY_MAX_DIGITS) refuse(`has more than ${PY_MAX_DIGITS} digits`);
  const v = Number(digits.replace(/^0+(?=\d)/, ''));
  if (!Number.isSafeInteger(v)) refuse('is out of range');
  if (m[1] === '-' && v !== 0) refuse('is negative');
  return v;
}
