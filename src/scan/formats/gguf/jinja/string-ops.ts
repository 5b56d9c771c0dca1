/**
 * Python string operations on constants, so obfuscated attribute names fold back to what they
 * spell: `'%c%c' % (95, 95)`, `'{}{}'.format('__cla', 'ss__')`, `'ssalc__'[::-1]`,
 * `'__CLASS__'.lower()`, `'_'.join(...)`. Anything outside the modelled subset returns
 * undefined and the caller treats the result as a built, unknown string.
 */
import { skipAsciiDigits } from '../../../../core/index.ts';
import type { Prim } from './ast.ts';
import { MAX_STRING, pyStr } from './values.ts';

/** `fmt % args` (printf-style), for `%s %r %d %i %c %x %X %o %%` without mapping keys. */
export function printf(fmt: string, args: readonly Prim[]): string | undefined {
  let out = '';
  let ai = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const spec = printfSpec(fmt, i);
    if (spec === undefined) return undefined;
    i = spec.end - 1;
    const conv = spec.conv;
    if (conv === '%') {
      out += '%';
      continue;
    }
    const arg = args[ai++];
    if (arg === undefined) return undefined;
    let piece: string | undefined;
    switch (conv) {
      case 's':
        piece = pyStr(arg);
        break;
      case 'r':
        piece = typeof arg === 'string' ? `'${arg}'` : pyStr(arg);
        break;
      case 'd':
      case 'i':
        piece = typeof arg === 'number' ? String(Math.trunc(arg)) : typeof arg === 'boolean' ? String(Number(arg)) : undefined;
        break;
      case 'x':
      case 'X':
      case 'o':
        piece = typeof arg === 'number' && Number.isInteger(arg) ? arg.toString(conv === 'o' ? 8 : 16) : undefined;
        if (piece !== undefined && conv === 'X') piece = piece.toUpperCase();
        break;
      case 'c':
        piece = typeof arg === 'number' && Number.isInteger(arg) && arg >= 0 && arg <= 0x10ffff ? String.fromCodePoint(arg) : typeof arg === 'string' && [...arg].length === 1 ? arg : undefined;
        break;
    }
    if (piece === undefined) return undefined;
    const width = Number(spec.width === '' ? 0 : spec.width);
    // A padded result longer than any constant kept is unknown anyway: not built (a template's
    // `'%999999999s' % 'a'` would ask for a gigabyte, and threw on a longer one).
    if (width > MAX_STRING || out.length + Math.max(width, piece.length) > MAX_STRING) return undefined;
    out += spec.flags.includes('-') ? piece.padEnd(width) : piece.padStart(width);
  }
  return ai === args.length ? out : undefined;
}

interface PrintfSpec {
  readonly flags: string;
  readonly width: string;
  readonly conv: string;
  /** Where the text after the conversion character starts. */
  readonly end: number;
}

/**
 * The conversion specifier at `fmt[at] === '%'`: flags `-+ #0`, width digits, `.` and precision
 * digits, one of `sdirxXoc%`. Scanned in place, not a regular expression on the rest of the
 * text: there the 0 flag and the width's digits backtracked quadratically on a long run of 0s.
 */
function printfSpec(fmt: string, at: number): PrintfSpec | undefined {
  let i = at + 1;
  while (i < fmt.length && '-+ #0'.includes(fmt[i] as string)) i++;
  const flags = fmt.slice(at + 1, i);
  const widthAt = i;
  i = skipAsciiDigits(fmt, i);
  const width = fmt.slice(widthAt, i);
  if (fmt[i] === '.') {
    const precisionAt = i + 1;
    i = skipAsciiDigits(fmt, precisionAt);
    if (i === precisionAt) return undefined; // a point needs digits (the precision is not applied)
  }
  const conv = fmt[i];
  if (conv === undefined || !'sdirxXoc%'.includes(conv)) return undefined;
  return { flags, width, conv, end: i + 1 };
}

/**
 * `fmt.format(*args, **kwargs)` for fields without attribute/index steps (those are judged by
 * the caller as attribute accesses); conversions `!s`/`!r` and specs `c`, `s`, `d`, `x` and empty.
 */
export function strFormat(fmt: string, args: readonly Prim[], kwargs: ReadonlyMap<string, Prim>): string | undefined {
  let out = '';
  let auto = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c === '{' && fmt[i + 1] === '{') {
      out += '{';
      i++;
      continue;
    }
    if (c === '}' && fmt[i + 1] === '}') {
      out += '}';
      i++;
      continue;
    }
    if (c !== '{') {
      out += c;
      continue;
    }
    const close = fmt.indexOf('}', i);
    if (close < 0) return undefined;
    const field = fmt.slice(i + 1, close);
    i = close;
    const m = /^([A-Za-z_][A-Za-z0-9_]*|\d*)(?:!([rsa]))?(?::(.*))?$/.exec(field);
    if (m === null) return undefined;
    const key = m[1] ?? '';
    const arg = key === '' ? args[auto++] : /^\d+$/.test(key) ? args[Number(key)] : kwargs.get(key);
    if (arg === undefined) return undefined;
    const spec = m[3] ?? '';
    let piece: string | undefined;
    if (spec === '' || spec === 's') piece = m[2] === 'r' && typeof arg === 'string' ? `'${arg}'` : pyStr(arg);
    else if (spec === 'c' && typeof arg === 'number' && Number.isInteger(arg) && arg >= 0 && arg <= 0x10ffff) piece = String.fromCodePoint(arg);
    else if (spec === 'd' && typeof arg === 'number') piece = String(Math.trunc(arg));
    else if (spec === 'x' && typeof arg === 'number' && Number.isInteger(arg)) piece = arg.toString(16);
    if (piece === undefined) return undefined;
    out += piece;
  }
  return out;
}

/** Python slicing `s[start:stop:step]` of a string (code points). */
export function sliceString(s: string, start: number | null, stop: number | null, step: number | null): string | undefined {
  const chars = [...s];
  const n = chars.length;
  const st = step ?? 1;
  if (st === 0 || !Number.isInteger(st)) return undefined;
  const norm = (v: number | null, def: number): number => {
    if (v === null) return def;
    if (!Number.isInteger(v)) return Number.NaN;
    if (v < 0) return Math.max(st > 0 ? 0 : -1, v + n);
    return Math.min(v, st > 0 ? n : n - 1);
  };
  const a = norm(start, st > 0 ? 0 : n - 1);
  const b = norm(stop, st > 0 ? n : -1);
  if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
  let out = '';
  if (st > 0) for (let i = a; i < b; i += st) out += chars[i] ?? '';
  else for (let i = a; i > b; i += st) out += chars[i] ?? '';
  return out;
}

export function indexString(s: string, i: Prim): string | undefined {
  if (typeof i !== 'number' || !Number.isInteger(i)) return undefined;
  const chars = [...s];
  const k = i < 0 ? i + chars.length : i;
  return chars[k];
}

/** Unary string methods and filters that map a string to a string. */
export function unaryStringOp(name: string, s: string): string | undefined {
  switch (name) {
    case 'upper':
      return s.toUpperCase();
    case 'lower':
      return s.toLowerCase();
    case 'swapcase':
      return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    case 'capitalize':
      return s.length === 0 ? s : (s[0] ?? '').toUpperCase() + s.slice(1).toLowerCase();
    case 'title':
      return s.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase());
    case 'strip':
    case 'trim':
      return s.trim();
    case 'lstrip':
      return s.trimStart();
    case 'rstrip':
      return s.trimEnd();
    case 'reverse':
      return [...s].reverse().join('');
    case 'string':
    case 'safe':
    case 'e':
    case 'escape':
    case 'forceescape':
      return name === 'e' || name === 'escape' || name === 'forceescape' ? htmlEscape(s) : s;
    default:
      return undefined;
  }
}

function htmlEscape(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&#34;').replaceAll("'", '&#39;');
}

/** `s.replace(old, new[, count])`. */
export function replaceString(s: string, from: string, to: string, count?: number): string {
  if (count === undefined || count < 0) return from === '' ? [...s].map((c) => to + c).join('') + to : s.split(from).join(to);
  let out = s;
  let done = 0;
  let idx = 0;
  while (done < count) {
    const at = out.indexOf(from, idx);
    if (at < 0) break;
    out = out.slice(0, at) + to + out.slice(at + from.length);
    idx = at + to.length + (from === '' ? 1 : 0);
    done++;
  }
  return out;
}
