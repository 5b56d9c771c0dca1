/**
 * Rego numbers: arbitrary precision, exact decimals.
 *
 * A number is a JS `number` whenever the exact decimal value equals the shortest decimal
 * representation of some finite double (`String(x)`): that covers every safe integer and every
 * decimal literal of ordinary size, and keeps the hot path on plain doubles. Anything else
 * (integers beyond 2^53 that no double spells, 1e400, 0.1000000000000000000001 …) is a
 * `BigNum`: an exact decimal `coef × 10^exp`. The representation is canonical: every value has
 * exactly one of the two forms, so equality and hashing may compare representations directly.
 */

export class BigNum {
  /** Normalised: no trailing decimal zeros in `coef` unless it is 0 (then `exp` is 0). */
  readonly coef: bigint;
  readonly exp: number;

  constructor(coef: bigint, exp: number) {
    this.coef = coef;
    this.exp = exp;
  }

  toString(): string {
    return decimalToString(this.coef, this.exp);
  }
}

export type RNumber = number | BigNum;

export interface Decimal {
  readonly coef: bigint;
  readonly exp: number;
}

const NUMBER_RE = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** Exponent bound for parsed literals: beyond it a number is a denial-of-service, not data. */
const MAX_EXPONENT = 100_000;

function normalizeDecimal(coef: bigint, exp: number): Decimal {
  if (coef === 0n) return { coef: 0n, exp: 0 };
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp += 1;
  }
  return { coef, exp };
}

/** Parse decimal number text (JSON or Rego literal syntax) into an exact decimal. */
export function parseDecimal(text: string): Decimal | null {
  const m = NUMBER_RE.exec(text);
  if (m === null) return null;
  const intPart = m[2] as string;
  const frac = m[3] ?? '';
  const e = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(e) || Math.abs(e) > MAX_EXPONENT) return null;
  let coef = BigInt(intPart + frac);
  if (m[1] === '-') coef = -coef;
  return normalizeDecimal(coef, e - frac.length);
}

function decimalOfDouble(x: number): Decimal {
  // String(x) is the shortest round-trip representation; it always matches NUMBER_RE
  // after removing the '+' of the exponent.
  const d = parseDecimal(String(x).replace('e+', 'e'));
  if (d === null) throw new RangeError(`not a finite number: ${x}`);
  return d;
}

export function toDecimal(n: RNumber): Decimal {
  return typeof n === 'number' ? decimalOfDouble(n) : n;
}

/** The canonical RNumber for an exact decimal. */
export function fromDecimal(coef: bigint, exp: number): RNumber {
  const d = normalizeDecimal(coef, exp);
  if (d.exp >= 0 && d.exp <= 15) {
    const big = d.coef * 10n ** BigInt(d.exp);
    if (big >= -9007199254740991n && big <= 9007199254740991n) return Number(big);
  }
  const text = decimalToString(d.coef, d.exp);
  if (text.length <= 40) {
    const x = Number(text);
    if (Number.isFinite(x)) {
      const back = decimalOfDouble(x);
      if (back.coef === d.coef && back.exp === d.exp) return x;
    }
  }
  return new BigNum(d.coef, d.exp);
}

/** Parse number text into its canonical form; null when it is not a number. */
export function parseNumber(text: string): RNumber | null {
  const d = parseDecimal(text);
  return d === null ? null : fromDecimal(d.coef, d.exp);
}

/** Plain decimal notation, never exponent notation: `12300`, `-0.0045`. */
export function decimalToString(coef: bigint, exp: number): string {
  const neg = coef < 0n;
  const digits = (neg ? -coef : coef).toString();
  let out: string;
  if (exp >= 0) out = digits + '0'.repeat(exp);
  else {
    const point = digits.length + exp;
    out = point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${'0'.repeat(-point)}${digits}`;
  }
  return neg ? `-${out}` : out;
}

export function isInteger(n: RNumber): boolean {
  return typeof n === 'number' ? Number.isInteger(n) : n.exp >= 0;
}

/** The integer value as a bigint; null when the number is not an integer. */
export function toBigInt(n: RNumber): bigint | null {
  if (typeof n === 'number') return Number.isInteger(n) ? BigInt(n) : null;
  return n.exp >= 0 ? n.coef * 10n ** BigInt(n.exp) : null;
}

export function fromBigInt(i: bigint): RNumber {
  if (i >= -9007199254740991n && i <= 9007199254740991n) return Number(i);
  return fromDecimal(i, 0);
}

/** A JS double approximating the number (lossy for BigNum). */
export function toDouble(n: RNumber): number {
  return typeof n === 'number' ? n : Number(n.toString());
}

export function compareNumbers(a: RNumber, b: RNumber): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const x = toDecimal(a);
  const y = toDecimal(b);
  const e = Math.min(x.exp, y.exp);
  const xc = x.coef * 10n ** BigInt(x.exp - e);
  const yc = y.coef * 10n ** BigInt(y.exp - e);
  return xc < yc ? -1 : xc > yc ? 1 : 0;
}

export function numbersEqual(a: RNumber, b: RNumber): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b; // canonical forms
  return a.coef === b.coef && a.exp === b.exp;
}

function exactBinary(a: RNumber, b: RNumber, op: (x: bigint, y: bigint) => bigint): RNumber {
  const x = toDecimal(a);
  const y = toDecimal(b);
  const e = Math.min(x.exp, y.exp);
  return fromDecimal(op(x.coef * 10n ** BigInt(x.exp - e), y.coef * 10n ** BigInt(y.exp - e)), e);
}

export function addNumbers(a: RNumber, b: RNumber): RNumber {
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return exactBinary(a, b, (x, y) => x + y);
}

export function subtractNumbers(a: RNumber, b: RNumber): RNumber {
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return exactBinary(a, b, (x, y) => x - y);
}

export function multiplyNumbers(a: RNumber, b: RNumber): RNumber {
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r;
  }
  const x = toDecimal(a);
  const y = toDecimal(b);
  return fromDecimal(x.coef * y.coef, x.exp + y.exp);
}

export function negateNumber(a: RNumber): RNumber {
  return typeof a === 'number' ? (a === 0 ? 0 : -a) : new BigNum(-a.coef, a.exp);
}

/** Number → text as OPA prints it in JSON: integers in full, other values in plain decimal. */
export function formatNumber(n: RNumber): string {
  if (typeof n === 'number') {
    if (Number.isInteger(n) && Math.abs(n) >= 1e21) return BigInt(n).toString();
    const s = String(n);
    if (!s.includes('e')) return s;
    const d = decimalOfDouble(n);
    return decimalToString(d.coef, d.exp);
  }
  return n.toString();
}
