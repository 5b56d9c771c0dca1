/**
 * `sprintf(format, values)`: Go's fmt.Sprintf as OPA drives it. OPA hands Go an int64 for
 * integers, a *big.Int for larger integers, a float64 for other numbers, the string itself
 * for strings, and the Rego term text (`["a", 1]`, `{1, 2}`, `true`) for everything else.
 * Verbs, flags, width, precision, argument indexes and Go's `%!verb(type=value)` complaints
 * follow package fmt.
 */
import { BigNum, isInteger, toBigInt, toDecimal, toDouble } from '../number.ts';
import type { Value } from '../value.ts';
import { array, fn, str } from './args.ts';
import { formatGoFloat, type FloatVerb } from './go-float.ts';
import { goQuote, numberText, termText } from './term-text.ts';
import type { BuiltinDecl } from './types.ts';

type GoArg =
  | { readonly k: 'int64'; readonly v: bigint }
  | { readonly k: 'big'; readonly v: bigint }
  | { readonly k: 'float64'; readonly v: number }
  | { readonly k: 'string'; readonly v: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function toGoArg(v: Value): GoArg {
  if (typeof v === 'string') return { k: 'string', v };
  if (typeof v === 'number' || v instanceof BigNum) {
    if (isInteger(v)) {
      const b = toBigInt(v) as bigint;
      if (b >= INT64_MIN && b <= INT64_MAX) return { k: 'int64', v: b };
      // A round integer beyond int64 (1e21, 3e100) was almost certainly written with an
      // exponent, which OPA hands to Go as a float64 (or as text when no float64 holds it).
      const d = toDecimal(v);
      const round = d.exp > 0 && (d.coef < 0n ? -d.coef : d.coef).toString().length <= 15;
      if (round && Number.isFinite(toDouble(v))) return { k: 'float64', v: toDouble(v) };
      if (round) return { k: 'string', v: numberText(v) };
      return { k: 'big', v: b };
    }
    const d = toDouble(v);
    return Number.isFinite(d) ? { k: 'float64', v: d } : { k: 'string', v: numberText(v) };
  }
  return { k: 'string', v: termText(v) };
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | null;
  prec: number | null;
}

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, spec: Spec, zeroOk: boolean): string {
  if (spec.width === null) return s;
  const n = spec.width - runeLength(s);
  if (n <= 0) return s;
  if (spec.minus) return s + ' '.repeat(n);
  if (spec.zero && zeroOk) {
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? (s[0] as string) : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

function typeName(a: GoArg): string {
  return a.k === 'big' ? '*big.Int' : a.k;
}

function plainValue(a: GoArg): string {
  switch (a.k) {
    case 'int64':
    case 'big':
      return a.v.toString();
    case 'float64':
      return formatGoFloat(a.v, 'g', -1);
    case 'string':
      return a.v;
  }
}

/** Go's complaint for a verb that does not fit the operand: the value is printed as %v with the same flags. */
function badVerb(verb: string, a: GoArg, spec: Spec): string {
  return `%!${verb}(${typeName(a)}=${formatArg(a, 'v', spec)})`;
}

/** strconv.QuoteToASCII from a quoted string: non-ASCII runes as \\u / \\U escapes. */
function toAscii(quoted: string): string {
  let out = '';
  for (const ch of quoted) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) out += ch;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return out;
}

/** strconv.QuoteRune */
function quoteRune(ch: string): string {
  const inner = goQuote(ch).slice(1, -1).replace('\\"', '"').replace("'", "\\'");
  return `'${inner}'`;
}

/** A rune for %c / %q: out-of-range values and surrogates become U+FFFD, as in Go. */
function rune(v: bigint): string {
  if (v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn)) return '\ufffd';
  return String.fromCodePoint(Number(v));
}

function signed(neg: boolean, body: string, spec: Spec): string {
  if (neg) return `-${body}`;
  if (spec.plus) return `+${body}`;
  if (spec.space) return ` ${body}`;
  return body;
}

function formatInt(v: bigint, verb: string, spec: Spec, big: boolean): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let body: string;
  let prefix = '';
  switch (verb) {
    case 'd':
    case 'v':
    case 's':
      body = abs.toString(10);
      break;
    case 'b':
      body = abs.toString(2);
      if (spec.sharp) prefix = '0b';
      break;
    case 'o':
    case 'O':
      body = abs.toString(8);
      if (verb === 'O') prefix = '0o';
      else if (spec.sharp && body[0] !== '0') prefix = '0';
      break;
    case 'x':
      body = abs.toString(16);
      if (spec.sharp) prefix = '0x';
      break;
    case 'X':
      body = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = '0X';
      break;
    case 'c':
      if (big) return `%!c(big.Int=${v})`;
      return pad(rune(v), spec, true);
    case 'q':
      if (big) return `%!q(big.Int=${v})`;
      return pad(spec.plus ? toAscii(quoteRune(rune(v))) : quoteRune(rune(v)), spec, true);
    case 'U': {
      if (big) return `%!U(big.Int=${v})`;
      // Go formats the value as a uint64.
      const h = (neg ? (1n << 64n) + v : v).toString(16).toUpperCase().padStart(4, '0');
      return pad(`U+${h}`, spec, true);
    }
    default:
      return badVerb(verb, { k: big ? 'big' : 'int64', v }, spec);
  }
  if (spec.prec !== null) {
    if (spec.prec === 0 && abs === 0n) body = '';
    else body = body.padStart(spec.prec, '0');
  } else if (spec.zero && !spec.minus && spec.width !== null) {
    const sign = neg || spec.plus || spec.space ? 1 : 0;
    body = body.padStart(spec.width - sign - prefix.length, '0');
  }
  return pad(signed(neg, prefix + body, spec), spec, false);
}

function formatFloat(v: number, verb: string, spec: Spec): string {
  let fverb: FloatVerb;
  let prec: number;
  switch (verb) {
    case 'v':
      fverb = 'g';
      prec = spec.prec ?? -1;
      break;
    case 'g':
    case 'G':
      fverb = verb;
      prec = spec.prec ?? -1;
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
      fverb = verb;
      prec = spec.prec ?? 6;
      break;
    case 'x':
    case 'X': {
      let hex = hexFloat(Math.abs(v), verb, spec.prec);
      if (spec.sharp && !hex.includes('.')) hex = hex.replace(/[pP]/, (m) => `.${m}`);
      return pad(signed(v < 0, hex, spec), spec, true);
    }
    case 'b':
      return pad(signed(v < 0, binaryExponent(Math.abs(v)), spec), spec, true);
    default:
      return badVerb(verb, { k: 'float64', v }, spec);
  }
  let text = formatGoFloat(v, fverb, prec);
  if (!Number.isFinite(v)) return pad(text === '+Inf' && !spec.plus ? (spec.space ? ' Inf' : '+Inf') : text, spec, false);
  if (spec.sharp) text = alternateFloat(text, fverb, prec);
  const neg = text[0] === '-';
  return pad(signed(neg, neg ? text.slice(1) : text, spec), spec, true);
}

/**
 * The '#' flag on floats: always a decimal point, and %g keeps its trailing zeros up to the
 * precision (6 when none is given).
 */
function alternateFloat(text: string, verb: FloatVerb, prec: number): string {
  const m = /^(-?)([0-9.]+)([eE][+-]\d+)?$/.exec(text);
  if (m === null) return text;
  let mant = m[2] as string;
  const exp = m[3] ?? '';
  if (verb === 'g' || verb === 'G') {
    const want = prec < 0 ? 6 : prec === 0 ? 1 : prec;
    const sig = mant.replace('.', '').replace(/^0+/, '').length || 1;
    if (!mant.includes('.')) mant += '.';
    if (sig < want) mant += '0'.repeat(want - sig);
  } else if (!mant.includes('.')) mant += '.';
  return `${m[1]}${mant}${exp}`;
}

/** Go's %b for floats: decimal mantissa and binary exponent, 4503599627370496p-52. */
function binaryExponent(x: number): string {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = exp - 1075;
  }
  return `${mant}p${e < 0 ? '-' : '+'}${Math.abs(e)}`;
}

/** Go's %x for floats: -0x1.8p+01 (shortest hex mantissa unless a precision is given). */
function hexFloat(x: number, verb: 'x' | 'X', prec: number | null): string {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0 && mant === 0n) exp = 1023;
  else if (exp === 0) {
    // Subnormal: normalise.
    exp = 1;
    while ((mant & (1n << 52n)) === 0n) {
      mant <<= 1n;
      exp--;
    }
    mant &= (1n << 52n) - 1n;
  }
  let e = x === 0 ? 0 : exp - 1023;
  let lead = x === 0 ? 0n : 1n;
  let frac: string;
  if (prec === null || prec >= 13) {
    frac = mant.toString(16).padStart(13, '0');
    frac = prec === null ? frac.replace(/0+$/, '') : frac.padEnd(prec, '0');
  } else {
    // Round the 52-bit fraction to prec hex digits, half to even.
    const drop = BigInt(52 - 4 * prec);
    let full = (lead << 52n) | mant;
    const rem = full & ((1n << drop) - 1n);
    full >>= drop;
    const half = 1n << (drop - 1n);
    if (rem > half || (rem === half && (full & 1n) === 1n)) full += 1n;
    if (full >> BigInt(4 * prec) > 1n) {
      full >>= 1n;
      e += 1;
    }
    lead = full >> BigInt(4 * prec);
    frac = prec === 0 ? '' : (full & ((1n << BigInt(4 * prec)) - 1n)).toString(16).padStart(prec, '0');
  }
  const out = `0x${lead}${frac === '' ? '' : `.${frac}`}p${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return verb === 'X' ? out.toUpperCase() : out;
}

function formatString(v: string, verb: string, spec: Spec): string {
  let s = v;
  switch (verb) {
    case 'v':
    case 's':
      if (spec.prec !== null) s = Array.from(s).slice(0, spec.prec).join('');
      return pad(s, spec, true);
    case 'q':
      if (spec.prec !== null) s = Array.from(s).slice(0, spec.prec).join('');
      // %#q: a raw (backquoted) string when it can be one.
      if (spec.sharp && !/[`\u0000-\u0008\u000a-\u001f\u007f\ufeff]/.test(s)) return pad(`\`${s}\``, spec, true);
      return pad(spec.plus ? toAscii(goQuote(s)) : goQuote(s), spec, true);
    case 'x':
    case 'X': {
      let bytes = Buffer.from(s, 'utf8');
      if (spec.prec !== null) bytes = bytes.subarray(0, spec.prec);
      const prefix = spec.sharp ? (verb === 'X' ? '0X' : '0x') : '';
      const hexes = Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));
      // % x separates the bytes (each with its own prefix under #).
      let h = spec.space ? hexes.map((x) => prefix + x).join(' ') : prefix + hexes.join('');
      if (verb === 'X') h = h.toUpperCase();
      return pad(h, spec, true);
    }
    default:
      return badVerb(verb, { k: 'string', v }, spec);
  }
}

const FLOAT_VERBS = new Set(['e', 'E', 'f', 'F', 'g', 'G']);

function formatArg(a: GoArg, verb: string, spec: Spec): string {
  if (verb === 'T') return formatString(typeName(a), 's', spec);
  // Deliberate difference from Go: an integer under a float verb is formatted as a float.
  // OPA keeps the text of JSON numbers, so a CVSS score of 9.0 reaches Go as a float64 and
  // prints "9.0" under %.1f; here 9.0 and 9 are one number, and printing "%!f(int64=9)" for
  // it would be a regression in every policy formatting scores.
  if ((a.k === 'int64' || a.k === 'big') && FLOAT_VERBS.has(verb)) return formatFloat(Number(a.v), verb, spec);
  switch (a.k) {
    case 'int64':
      return verb === 's' ? badVerb(verb, a, spec) : formatInt(a.v, verb, spec, false);
    case 'big':
      return formatInt(a.v, verb, spec, true);
    case 'float64':
      return formatFloat(a.v, verb, spec);
    case 'string':
      return formatString(a.v, verb, spec);
  }
}

/** Go's fmt.Sprintf over already converted operands. */
export function goSprintf(format: string, args: readonly GoArg[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  const end = format.length;
  let i = 0;
  const readNum = (): number | null => {
    let j = i;
    while (j < end && format.charCodeAt(j) >= 48 && format.charCodeAt(j) <= 57) j++;
    if (j === i) return null;
    const n = Math.min(Number(format.slice(i, j)), 1_000_000);
    i = j;
    return n;
  };
  const argIndex = (): boolean => {
    if (format[i] !== '[') return true;
    reordered = true;
    const close = format.indexOf(']', i);
    if (close < 0) return false;
    const n = Number(format.slice(i + 1, close));
    i = close + 1;
    if (!Number.isInteger(n) || n < 1 || n > args.length) return false;
    argNum = n - 1;
    return true;
  };
  const starArg = (): number | null => {
    const a = args[argNum++];
    if (a === undefined || a.k !== 'int64') return null;
    return Number(a.v);
  };
  while (i < end) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, width: null, prec: null };
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          spec.sharp = true;
          break;
        case '0':
          spec.zero = true;
          break;
        case '+':
          spec.plus = true;
          break;
        case '-':
          spec.minus = true;
          break;
        case ' ':
          spec.space = true;
          break;
        default:
          break flags;
      }
    }
    let goodIndex = argIndex();
    if (format[i] === '*') {
      i++;
      const w = starArg();
      if (w === null) out += '%!(BADWIDTH)';
      else if (w < 0) {
        spec.minus = true;
        spec.width = -w;
      } else spec.width = w;
    } else spec.width = readNum();
    if (format[i] === '.') {
      i++;
      goodIndex = goodIndex && argIndex();
      if (format[i] === '*') {
        i++;
        const p = starArg();
        if (p === null || p < 0) out += '%!(BADPREC)';
        else spec.prec = p;
      } else spec.prec = readNum() ?? 0;
    }
    goodIndex = goodIndex && argIndex();
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    const a = args[argNum];
    if (a === undefined) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    argNum++;
    if (verb === 'v') {
      // Go reads %+v and %#v as struct-field and Go-syntax forms: the flags do not apply to
      // the value itself (%#v quotes strings).
      const sharpV = spec.sharp;
      spec.plus = false;
      spec.sharp = false;
      if (sharpV && a.k === 'string') {
        const text = spec.prec === null ? a.v : Array.from(a.v).slice(0, spec.prec).join('');
        out += pad(goQuote(text), spec, false);
        continue;
      }
    }
    out += formatArg(a, verb, spec);
  }
  if (!reordered && argNum < args.length) {
    out += `%!(EXTRA ${args
      .slice(argNum)
      .map((a) => `${typeName(a)}=${plainValue(a)}`)
      .join(', ')})`;
  }
  return out;
}

function sprintf(args: readonly Value[]): Value {
  const format = str('sprintf', args, 0);
  const values = array('sprintf', args, 1);
  // Fast path: sprintf("%d", [n]) and sprintf("%s", [s]) as to-string conversions.
  if (values.length === 1) {
    const only = values[0] as Value;
    if (format === '%d' && typeof only === 'number' && Number.isSafeInteger(only)) return String(only);
    if ((format === '%s' || format === '%v') && typeof only === 'string') return only;
  }
  return goSprintf(format, values.map(toGoArg));
}

export const SPRINTF_BUILTINS: readonly BuiltinDecl[] = [fn('sprintf', ['string', { arrayOf: 'any' }], 'string', sprintf)];
