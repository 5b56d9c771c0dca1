/**
 * base64, base64url, hex and URL query encoding, with Go's strictness and error texts.
 *
 * Rego strings are byte strings in OPA; here they are Unicode strings, so decoded bytes that
 * are not valid UTF-8 become U+FFFD (documented limitation).
 */
import { RObject, RSet, type RArray, type Value } from '../value.ts';
import { arg, builtinError, fn, operandError, str, typeError } from './args.ts';
import { goQuote } from './term-text.ts';
import type { BuiltinDecl } from './types.ts';

const UTF8 = new TextDecoder('utf-8');

export function bytesOf(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}

export function stringOf(b: Uint8Array): string {
  return UTF8.decode(b);
}

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decodeTable(alphabet: string): Int16Array {
  const t = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}
const STD_TABLE = decodeTable(STD);
const URL_TABLE = decodeTable(URL);

class CorruptInput extends Error {
  constructor(offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
  }
}

/** Go's base64 decoding with padding: newlines ignored, strict padding. */
function decodeBase64(s: string, table: Int16Array): Uint8Array {
  const src = bytesOf(s);
  const out: number[] = [];
  let si = 0;
  const n = src.length;
  const skipNewlines = (): void => {
    while (si < n && (src[si] === 0x0a || src[si] === 0x0d)) si++;
  };
  for (;;) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    for (; j < 4; j++) {
      skipNewlines();
      if (si === n) {
        if (j === 0) return Uint8Array.from(out);
        throw new CorruptInput(si - j);
      }
      const c = src[si] as number;
      si++;
      const v = table[c] as number;
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (c !== 0x3d) throw new CorruptInput(si - 1);
      // Padding.
      if (j < 2) throw new CorruptInput(si - 1);
      if (j === 2) {
        skipNewlines();
        if (si === n) throw new CorruptInput(n);
        if (src[si] !== 0x3d) throw new CorruptInput(si - 1);
        si++;
      }
      skipNewlines();
      if (si < n) throw new CorruptInput(si);
      dlen = j;
      break;
    }
    const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
    out.push((val >> 16) & 0xff);
    if (dlen > 2) out.push((val >> 8) & 0xff);
    if (dlen > 3) out.push(val & 0xff);
    if (dlen < 4) return Uint8Array.from(out);
  }
}

function base64Decode(name: string, s: string, table: Int16Array): string {
  try {
    return stringOf(decodeBase64(s, table));
  } catch (e) {
    if (e instanceof CorruptInput) throw builtinError(name, e.message);
    throw e;
  }
}

function hexRune(b: number): string {
  const code = `U+${b.toString(16).toUpperCase().padStart(4, '0')}`;
  const ch = String.fromCodePoint(b);
  return /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch) ? `${code} '${ch}'` : code;
}

function hexDecode(args: readonly Value[]): Value {
  const src = bytesOf(str('hex.decode', args, 0));
  const val = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);
  const out = new Uint8Array(src.length >> 1);
  let j = 1;
  for (; j < src.length; j += 2) {
    const a = val(src[j - 1] as number);
    const b = val(src[j] as number);
    if (a < 0) throw builtinError('hex.decode', `encoding/hex: invalid byte: ${hexRune(src[j - 1] as number)}`);
    if (b < 0) throw builtinError('hex.decode', `encoding/hex: invalid byte: ${hexRune(src[j] as number)}`);
    out[(j - 1) >> 1] = (a << 4) | b;
  }
  if (src.length % 2 === 1) {
    if (val(src[j - 1] as number) < 0) throw builtinError('hex.decode', `encoding/hex: invalid byte: ${hexRune(src[j - 1] as number)}`);
    throw builtinError('hex.decode', 'encoding/hex: odd length hex string');
  }
  return stringOf(out);
}

/** url.QueryEscape */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of bytesOf(s)) {
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export class EscapeError extends Error {}

/** url.QueryUnescape (or PathUnescape when plusIsSpace is false). */
export function queryUnescape(s: string, plusIsSpace = true): string {
  if (!s.includes('%') && !(plusIsSpace && s.includes('+'))) return s;
  const src = bytesOf(s);
  const out: number[] = [];
  const hexv = (c: number | undefined): number =>
    c === undefined ? -1 : c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as number;
    if (c === 0x25) {
      const a = hexv(src[i + 1]);
      const b = hexv(src[i + 2]);
      if (a < 0 || b < 0) {
        const bad = stringOf(src.subarray(i, Math.min(i + 3, src.length)));
        throw new EscapeError(`invalid URL escape ${goQuote(bad)}`);
      }
      out.push((a << 4) | b);
      i += 2;
    } else if (c === 0x2b && plusIsSpace) out.push(0x20);
    else out.push(c);
  }
  return stringOf(Uint8Array.from(out));
}

function queryDecode(args: readonly Value[]): Value {
  try {
    return queryUnescape(str('urlquery.decode', args, 0));
  } catch (e) {
    if (e instanceof EscapeError) throw builtinError('urlquery.decode', e.message);
    throw e;
  }
}

const ENCODE_OBJECT_ERR = 'values must be string, array[string], or set[string]';

function encodeObject(args: readonly Value[]): Value {
  const o = arg(args, 0);
  if (!(o instanceof RObject)) throw typeError('urlquery.encode_object', 1, o, 'object');
  const pairs: [string, string[]][] = [];
  o.forEach((k, v) => {
    const key = typeof k === 'string' ? k : String(k);
    let values: string[];
    if (typeof v === 'string') values = [v];
    else if (Array.isArray(v) || v instanceof RSet) {
      const items = v instanceof RSet ? v.values() : (v as RArray);
      values = [];
      for (const x of items) {
        if (typeof x !== 'string') throw operandError('urlquery.encode_object', 1, ENCODE_OBJECT_ERR);
        values.push(x);
      }
    } else throw operandError('urlquery.encode_object', 1, ENCODE_OBJECT_ERR);
    pairs.push([key, values]);
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const parts: string[] = [];
  for (const [k, vs] of pairs) for (const v of vs) parts.push(`${queryEscape(k)}=${queryEscape(v)}`);
  return parts.join('&');
}

/** url.ParseQuery into an object of string arrays. */
export function parseQuery(q: string): RObject {
  const acc = new Map<string, string[]>();
  let firstError: string | null = null;
  for (const part of q.split('&')) {
    if (part.includes(';')) {
      firstError ??= 'invalid semicolon separator in query';
      continue;
    }
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = queryUnescape(rawKey);
      value = queryUnescape(rawValue);
    } catch (e) {
      if (e instanceof EscapeError) {
        firstError ??= e.message;
        continue;
      }
      throw e;
    }
    const list = acc.get(key);
    if (list === undefined) acc.set(key, [value]);
    else list.push(value);
  }
  if (firstError !== null) throw new EscapeError(firstError);
  const out = new RObject();
  for (const [k, v] of acc) out.set(k, v);
  return out;
}

function decodeObject(args: readonly Value[]): Value {
  try {
    return parseQuery(str('urlquery.decode_object', args, 0));
  } catch (e) {
    if (e instanceof EscapeError) throw builtinError('urlquery.decode_object', e.message);
    throw e;
  }
}

function s2s(name: string, f: (s: string) => string): BuiltinDecl {
  return fn(name, ['string'], 'string', (args) => f(str(name, args, 0)));
}

export const ENCODING_BUILTINS: readonly BuiltinDecl[] = [
  s2s('base64.encode', (s) => Buffer.from(s, 'utf8').toString('base64')),
  s2s('base64.decode', (s) => base64Decode('base64.decode', s, STD_TABLE)),
  fn('base64.is_valid', ['string'], 'boolean', (args) => {
    const s = arg(args, 0);
    if (typeof s !== 'string') return false;
    try {
      decodeBase64(s, STD_TABLE);
      return true;
    } catch {
      return false;
    }
  }),
  s2s('base64url.encode', (s) => Buffer.from(s, 'utf8').toString('base64url').padEnd(Math.ceil(bytesOf(s).length / 3) * 4, '=')),
  s2s('base64url.encode_no_pad', (s) => Buffer.from(s, 'utf8').toString('base64url')),
  s2s('base64url.decode', (s) => {
    let t = s;
    if (!t.endsWith('=')) {
      switch (bytesOf(t).length % 4) {
        case 2:
          t += '==';
          break;
        case 3:
          t += '=';
          break;
        case 1:
          throw builtinError('base64url.decode', `illegal base64url string: ${s}`);
        default:
          break;
      }
    }
    return base64Decode('base64url.decode', t, URL_TABLE);
  }),
  s2s('hex.encode', (s) => Buffer.from(s, 'utf8').toString('hex')),
  fn('hex.decode', ['string'], 'string', hexDecode),
  s2s('urlquery.encode', queryEscape),
  fn('urlquery.decode', ['string'], 'string', queryDecode),
  fn(
    'urlquery.encode_object',
    [{ objectOf: { key: 'string', value: { anyOf: ['string', { arrayOf: 'string' }, { setOf: 'string' }] } } }],
    'string',
    encodeObject,
  ),
  fn('urlquery.decode_object', ['string'], { objectOf: { key: 'string', value: { arrayOf: 'string' } } }, decodeObject),
];
