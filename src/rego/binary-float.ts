/**
 * Binary floating point with a fixed mantissa precision, rounding to nearest-even: the
 * arithmetic OPA applies to non-integer numbers (Go's `big.Float` at its default 64-bit
 * precision), so that `1/3`, `0.1 * 3` or `round(2.5)` give the numbers OPA gives.
 *
 * A value is `±mant × 2^exp` with `mant < 2^prec`. Every operation is exact first, then
 * rounded once. Conversion back to decimal yields the shortest decimal that rounds to the same
 * binary value at the same precision (what `big.Float.Text('g', -1)` prints).
 */

export interface BinFloat {
  readonly neg: boolean;
  /** 0n for zero. */
  readonly mant: bigint;
  readonly exp: number;
  readonly prec: number;
}

export const DEFAULT_PREC = 64;

export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = (n < 0n ? -n : n).toString(16);
  const first = parseInt(hex[0] as string, 16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(first));
}

const ZERO: BinFloat = { neg: false, mant: 0n, exp: 0, prec: DEFAULT_PREC };

/** Round the positive rational num/den × 2^exp2 to `prec` bits. */
function roundRational(neg: boolean, num: bigint, den: bigint, exp2: number, prec: number): BinFloat {
  if (num === 0n) return { ...ZERO, prec };
  let e = bitLength(num) - bitLength(den) - prec;
  let n = num;
  let d = den;
  if (e >= 0) d <<= BigInt(e);
  else n <<= BigInt(-e);
  const top = 1n << BigInt(prec);
  let q = n / d;
  if (q >= top) {
    d <<= 1n;
    e += 1;
    q = n / d;
  } else if (q < top >> 1n) {
    n <<= 1n;
    e -= 1;
    q = n / d;
  }
  const r2 = (n - q * d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) {
    q += 1n;
    if (q === top) {
      q >>= 1n;
      e += 1;
    }
  }
  return { neg, mant: q, exp: e + exp2, prec };
}

const POW10: bigint[] = [];
const POW5: bigint[] = [];

function pow5(n: number): bigint {
  if (n < 1100) return (POW5[n] ??= 5n ** BigInt(n));
  return 5n ** BigInt(n);
}

function pow10(n: number): bigint {
  if (n < 400) return (POW10[n] ??= 10n ** BigInt(n));
  return 10n ** BigInt(n);
}

/** The decimal coef × 10^exp10, rounded to `prec` bits. */
export function binFromDecimal(coef: bigint, exp10: number, prec = DEFAULT_PREC): BinFloat {
  const neg = coef < 0n;
  const abs = neg ? -coef : coef;
  if (exp10 >= 0) return roundRational(neg, abs * pow10(exp10), 1n, 0, prec);
  return roundRational(neg, abs, pow10(-exp10), 0, prec);
}

export function binFromBigInt(i: bigint, prec = DEFAULT_PREC): BinFloat {
  return binFromDecimal(i, 0, Math.max(prec, bitLength(i)));
}

export function binAdd(x: BinFloat, y: BinFloat, prec = Math.max(x.prec, y.prec)): BinFloat {
  if (x.mant === 0n) return roundRational(y.neg, y.mant, 1n, y.exp, prec);
  if (y.mant === 0n) return roundRational(x.neg, x.mant, 1n, x.exp, prec);
  const e = Math.min(x.exp, y.exp);
  const a = (x.neg ? -x.mant : x.mant) << BigInt(x.exp - e);
  const b = (y.neg ? -y.mant : y.mant) << BigInt(y.exp - e);
  const s = a + b;
  return roundRational(s < 0n, s < 0n ? -s : s, 1n, e, prec);
}

export function binNeg(x: BinFloat): BinFloat {
  return { ...x, neg: !x.neg };
}

export function binSub(x: BinFloat, y: BinFloat, prec = Math.max(x.prec, y.prec)): BinFloat {
  return binAdd(x, binNeg(y), prec);
}

export function binMul(x: BinFloat, y: BinFloat, prec = Math.max(x.prec, y.prec)): BinFloat {
  return roundRational(x.neg !== y.neg, x.mant * y.mant, 1n, x.exp + y.exp, prec);
}

/** x / y; the caller rejects a zero divisor. */
export function binQuo(x: BinFloat, y: BinFloat, prec = Math.max(x.prec, y.prec)): BinFloat {
  if (y.mant === 0n) throw new RangeError('division by zero');
  return roundRational(x.neg !== y.neg, x.mant, y.mant, x.exp - y.exp, prec);
}

export function binIsZero(x: BinFloat): boolean {
  return x.mant === 0n;
}

/** The integer part (truncation toward zero), as Go's `Float.Int`. */
export function binTrunc(x: BinFloat): bigint {
  let i: bigint;
  if (x.exp >= 0) i = x.mant << BigInt(x.exp);
  else i = x.mant >> BigInt(-x.exp);
  return x.neg ? -i : i;
}

export function binIsInt(x: BinFloat): boolean {
  if (x.exp >= 0 || x.mant === 0n) return true;
  return (x.mant & ((1n << BigInt(-x.exp)) - 1n)) === 0n;
}

export function binCmp(x: BinFloat, y: BinFloat): number {
  const d = binSub(x, y, Math.max(bitLength(x.mant), bitLength(y.mant), 1) + Math.abs(x.exp - y.exp) + 2);
  return d.mant === 0n ? 0 : d.neg ? -1 : 1;
}

/**
 * The shortest decimal (coef × 10^exp) that rounds back to x at x's precision, choosing the
 * nearest candidate (ties to the even digit) when two of the same length qualify.
 */
export function binToDecimal(x: BinFloat): { coef: bigint; exp: number } {
  if (x.mant === 0n) return { coef: 0n, exp: 0 };
  // Mantissa with prec+1 bits, so that one unit is half an ulp.
  const shift = x.prec + 1 - bitLength(x.mant);
  const m2 = x.mant << BigInt(shift);
  const e2 = x.exp - shift;
  const inclusive = (m2 & 2n) === 0n;
  // value = V / D, bounds = (V ∓ 1) / D, all over the same denominator.
  let V: bigint;
  let D: bigint;
  let unit: bigint;
  if (e2 >= 0) {
    unit = 1n << BigInt(e2);
    V = m2 * unit;
    D = 1n;
  } else {
    unit = 1n;
    V = m2;
    D = 1n << BigInt(-e2);
  }
  const L = V - unit;
  const U = V + unit;
  // Exact decimal digits of the value: V / D = digits × 10^p0.
  let digits: bigint;
  let p0: number;
  if (e2 >= 0) {
    digits = V;
    p0 = 0;
  } else {
    digits = V * pow5(-e2);
    p0 = e2;
  }
  while (digits % 10n === 0n) {
    digits /= 10n;
    p0 += 1;
  }
  const total = digits.toString().length;
  /** The n-digit candidate that rounds back to x, or null (monotone in n, so binary search). */
  const candidate = (n: number): bigint | null => {
    const p = p0 + total - n; // unit of the last kept digit is 10^p
    const scale = pow10(total - n);
    const k = digits / scale;
    const rest = digits - k * scale;
    // Compare c × 10^p with a bound over the denominator D.
    const cmpBound = (c: bigint, bound: bigint): number => {
      const lhs = p >= 0 ? c * pow10(p) * D : c * D;
      const rhs = p >= 0 ? bound : bound * pow10(-p);
      return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
    };
    const lo = cmpBound(k, L);
    const okDown = lo > 0 || (inclusive && lo === 0);
    const hi = cmpBound(k + 1n, U);
    const okUp = hi < 0 || (inclusive && hi === 0);
    if (okDown && okUp) {
      const twice = rest * 2n;
      return twice > scale || (twice === scale && (k & 1n) === 1n) ? k + 1n : k;
    }
    if (okDown) return k;
    if (okUp) return k + 1n;
    return null;
  };
  // Short answers are the common case: scan the first few lengths, then bisect (existence of
  // an n-digit candidate is monotone in n).
  let lo = 1;
  for (; lo <= Math.min(4, total - 1); lo++) {
    const c = candidate(lo);
    if (c !== null) return { coef: x.neg ? -c : c, exp: p0 + total - lo };
  }
  let hi = total;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (candidate(mid) === null) lo = mid + 1;
    else hi = mid;
  }
  if (lo < total) {
    const c = candidate(lo) as bigint;
    return { coef: x.neg ? -c : c, exp: p0 + total - lo };
  }
  return { coef: x.neg ? -digits : digits, exp: p0 };
}

export function binToDouble(x: BinFloat): number {
  const d = binToDecimal(x);
  return Number(`${d.coef}e${d.exp}`);
}
