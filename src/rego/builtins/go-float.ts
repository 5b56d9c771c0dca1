/**
 * Go's strconv float formatting (`%e %f %g` and the shortest form `%v` uses) for doubles.
 * Digits come from the exact binary value with round-half-even, as Go does, so ties such as
 * `%.0f` of 2.5 print "2" (JavaScript's toFixed would print "3").
 */

export interface Digits {
  /** Decimal digits without leading or trailing zeros ('' for zero). */
  readonly d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  readonly dp: number;
}

/** Exact decimal expansion of a finite, non-negative double. */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  let digits: string;
  let dp: number;
  if (e >= 0) {
    digits = (mant << BigInt(e)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e)).toString();
    dp = digits.length + e;
  }
  return trim({ d: digits, dp });
}

function trim(x: Digits): Digits {
  let d = x.d;
  let end = d.length;
  while (end > 0 && d[end - 1] === '0') end--;
  let start = 0;
  while (start < end && d[start] === '0') start++;
  d = d.slice(start, end);
  return { d, dp: d === '' ? 0 : x.dp - start };
}

/** Keep n digits, rounding half to even on the exact value. */
function roundTo(x: Digits, n: number): Digits {
  if (n < 0) return { d: '', dp: 0 };
  if (n >= x.d.length) return x;
  const next = x.d.charCodeAt(n) - 48;
  let up: boolean;
  if (next > 5) up = true;
  else if (next < 5) up = false;
  else if (n + 1 < x.d.length) up = true; // more nonzero digits follow (trimmed form)
  else up = n > 0 && (x.d.charCodeAt(n - 1) - 48) % 2 === 1;
  if (!up) return trim({ d: x.d.slice(0, n), dp: x.dp });
  const digits = x.d.slice(0, n).split('').map(Number);
  let i = n - 1;
  while (i >= 0 && digits[i] === 9) {
    digits[i] = 0;
    i--;
  }
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  digits[i] = (digits[i] as number) + 1;
  return trim({ d: digits.slice(0, i + 1).join(''), dp: x.dp });
}

/** Shortest digits that round-trip (JavaScript and Go agree on these). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const s = x.toExponential(); // d.ddde±x, shortest
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m === null) throw new RangeError(`unexpected exponential form ${s}`);
  return trim({ d: (m[1] as string) + (m[2] ?? ''), dp: Number(m[3]) + 1 });
}

function digitAt(x: Digits, i: number): string {
  return i >= 0 && i < x.d.length ? (x.d[i] as string) : '0';
}

function fmtE(x: Digits, prec: number, ch: 'e' | 'E'): string {
  let out = digitAt(x, 0);
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(x, i);
  }
  const exp = x.d === '' ? 0 : x.dp - 1;
  const abs = Math.abs(exp);
  return `${out}${ch}${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

function fmtF(x: Digits, prec: number): string {
  let out = '';
  if (x.dp > 0) for (let i = 0; i < x.dp; i++) out += digitAt(x, i);
  else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digitAt(x, x.dp + i);
  }
  return out;
}

export type FloatVerb = 'e' | 'E' | 'f' | 'F' | 'g' | 'G';

/**
 * strconv.FormatFloat(x, verb, prec, 64) for finite x; prec -1 means shortest. Infinities and
 * NaN print as Go does (`+Inf`, `-Inf`, `NaN`).
 */
export function formatGoFloat(x: number, verb: FloatVerb, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const shortest = prec < 0;
  // Fast path for %.Nf: toFixed rounds the exact value correctly and differs from Go only on
  // exact halfway cases, which are sent down the exact path.
  if ((verb === 'f' || verb === 'F') && prec >= 0 && prec <= 20 && abs < 1e15) {
    const t = abs * 10 ** prec;
    if (Math.abs(t - Math.floor(t) - 0.5) > 1e-6) {
      const body = abs.toFixed(prec);
      return neg ? `-${body}` : body;
    }
  }
  let digs: Digits;
  if (shortest) digs = shortestDigits(abs);
  else {
    const exact = exactDigits(abs);
    switch (verb) {
      case 'e':
      case 'E':
        digs = roundTo(exact, prec + 1);
        break;
      case 'f':
      case 'F':
        digs = roundTo(exact, exact.dp + prec);
        break;
      default:
        digs = roundTo(exact, prec === 0 ? 1 : prec);
        break;
    }
  }
  let body: string;
  switch (verb) {
    case 'e':
    case 'E':
      body = fmtE(digs, shortest ? Math.max(digs.d.length - 1, 0) : prec, verb);
      break;
    case 'f':
    case 'F':
      body = fmtF(digs, shortest ? Math.max(digs.d.length - digs.dp, 0) : prec);
      break;
    default: {
      let eprec = shortest ? 6 : prec === 0 ? 1 : prec;
      if (!shortest && eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      const exp = digs.dp - 1;
      if (digs.d !== '' && (exp < -4 || exp >= eprec)) {
        body = fmtE(digs, Math.max(digs.d.length - 1, 0), verb === 'g' ? 'e' : 'E');
      } else body = fmtF(digs, Math.max(digs.d.length - digs.dp, 0));
      break;
    }
  }
  return neg ? `-${body}` : body;
}
