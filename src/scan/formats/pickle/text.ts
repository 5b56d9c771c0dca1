/**
 * Python's text decodings as the unpickler applies them: UTF-8, latin-1, `raw-unicode-escape`
 * (UNICODE), `escape_decode` (STRING) and `int()`/`float()` literals (INT, LONG, FLOAT, GET, PUT).
 */
import { isAsciiDigit, isDecimalFloat, trimBoth } from '../../../core/index.ts';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeUtf8(b: Uint8Array): string {
  if (b.length <= 64) {
    let ascii = true;
    for (let i = 0; i < b.length; i++) {
      if ((b[i] as number) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode(...b);
  }
  return utf8.decode(b);
}

export function decodeLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

export function encodeLatin1(s: string): Uint8Array | undefined {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return undefined;
    out[i] = c;
  }
  return out;
}

const HEX = /^[0-9a-fA-F]+$/;

/** `str(data, 'raw-unicode-escape')`: only \uXXXX and \UXXXXXXXX are escapes. */
export function decodeRawUnicodeEscape(b: Uint8Array): string | undefined {
  let out = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if (c === 0x5c && i + 1 < b.length && (b[i + 1] === 0x75 || b[i + 1] === 0x55)) {
      // Count the backslashes: an escape only when the run of backslashes before 'u' is odd.
      let run = 1;
      while (i - run >= 0 && b[i - run] === 0x5c) run++;
      if (run % 2 === 1) {
        const n = b[i + 1] === 0x75 ? 4 : 8;
        const digits = decodeLatin1(b.subarray(i + 2, i + 2 + n));
        if (digits.length !== n || !HEX.test(digits)) return undefined; // truncated \uXXXX
        const cp = Number.parseInt(digits, 16);
        if (cp > 0x10ffff) return undefined;
        out += String.fromCodePoint(cp);
        i += 1 + n;
        continue;
      }
    }
    out += String.fromCharCode(c);
  }
  return out;
}

/** `codecs.escape_decode` as used by the STRING opcode (after the quotes are removed). */
export function escapeDecode(b: Uint8Array): Uint8Array | undefined {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    i++;
    if (i >= b.length) return undefined; // trailing backslash
    const e = b[i] as number;
    switch (e) {
      case 0x0a: break; // backslash-newline: line continuation
      case 0x5c: out.push(0x5c); break;
      case 0x27: out.push(0x27); break;
      case 0x22: out.push(0x22); break;
      case 0x62: out.push(0x08); break;
      case 0x66: out.push(0x0c); break;
      case 0x74: out.push(0x09); break;
      case 0x6e: out.push(0x0a); break;
      case 0x72: out.push(0x0d); break;
      case 0x76: out.push(0x0b); break;
      case 0x61: out.push(0x07); break;
      case 0x78: {
        const h = decodeLatin1(b.subarray(i + 1, i + 3));
        if (h.length !== 2 || !HEX.test(h)) return undefined;
        out.push(Number.parseInt(h, 16));
        i += 2;
        break;
      }
      default:
        if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          let k = 0;
          while (k < 2 && i + 1 < b.length && (b[i + 1] as number) >= 0x30 && (b[i + 1] as number) <= 0x37) {
            v = v * 8 + ((b[i + 1] as number) - 0x30);
            i++;
            k++;
          }
          out.push(v & 0xff);
        } else {
          out.push(0x5c, e); // unknown escapes are kept verbatim
        }
    }
  }
  return Uint8Array.from(out);
}

/**
 * The blanks stripped from `int()` and `float()` text here: the six ASCII ones (trimBoth, one
 * pass: a leading-or-trailing run under /g backtracked quadratically on a hostile pickle's text).
 */
const ASCII_SPACE = ' \t\n\v\f\r';

/**
 * A 0, then 0s and underscores, then 1-9: a decimal with leading zeros, which `int(text, 0)`
 * refuses. Scanned, not a regular expression: that one was quadratic on a long run of zeros.
 */
function hasLeadingZeros(s: string): boolean {
  if (s[0] !== '0') return false;
  let i = 1;
  while (s[i] === '0' || s[i] === '_') i++;
  return isAsciiDigit(s[i]); // not a 0: the run took those
}

/**
 * `int(text, base)` for base 10 or 0 (prefix-detected) as `PyLong_FromString` reads it:
 * surrounding whitespace, a sign, single underscores between digits.
 */
export function parsePyInt(text: string, base: 10 | 0): bigint | undefined {
  let s = trimBoth(text, ASCII_SPACE);
  let neg = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    neg = s.startsWith('-');
    s = s.slice(1);
  }
  let radix = 10;
  if (base === 0 && /^0[xXoObB]/.test(s)) {
    const p = s[1]?.toLowerCase();
    radix = p === 'x' ? 16 : p === 'o' ? 8 : 2;
    s = s.slice(2);
    if (s.startsWith('_')) s = s.slice(1);
  } else if (base === 0 && hasLeadingZeros(s)) {
    return undefined; // int('010', 0) is an error in Python
  }
  if (s === '' || s.startsWith('_') || s.endsWith('_') || s.includes('__')) return undefined;
  const digits = s.replaceAll('_', '');
  const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : radix === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return undefined;
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  const v = BigInt(prefix + digits);
  return neg ? -v : v;
}

/** C `strtol(s, &end, 0)` as the C unpickler's INT tries first (accepts leading-zero octal). */
export function parseCStrtol(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (m === null) return undefined;
  const [, sign, body] = m as unknown as [string, string, string];
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body.startsWith('0')) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  return sign === '-' ? -v : v;
}

export function parsePyFloat(text: string): number | undefined {
  const s = trimBoth(text, ASCII_SPACE).replaceAll('_', '');
  if (/^[+-]?(nan|inf|infinity)$/i.test(s)) {
    if (/nan/i.test(s)) return Number.NaN;
    return s.startsWith('-') ? -Infinity : Infinity;
  }
  if (!isDecimalFloat(s)) return undefined;
  return Number(s);
}

export function toNumberIfSafe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Little-endian two's complement, as LONG1/LONG4 encode. */
export function decodeLong(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
  if (((b[b.length - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * b.length);
  return v;
}
