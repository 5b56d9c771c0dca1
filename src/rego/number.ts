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
import {
  binAdd,
  binFromDecimal,
  binMul,
  binQuo,
  binSub,
  binToDecimal,
  binTrunc,
  type BinFloat,
} from './binary-float.ts';

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

const TEN_16 = 10n ** 16n;

function normalizeDecimal(coef: bigint, exp: number): Decimal {
  if (coef === 0n) return { coef: 0n, exp: 0 };
  if (coef % 10n !== 0n) return { coef, exp };
  // Strip trailing zeros in chunks first: a coefficient with many zeros (10^100000) would
  // otherwise cost one big division per digit.
  while (coef % TEN_16 === 0n) {
    coef /= TEN_16;
    exp += 16;
  }
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
  if (typeof n === 'number') {
    if (!Number.isInteger(n)) return null;
    if (Number.isSafeInteger(n)) return BigInt(n);
    // A large double stands for its shortest decimal (e.g. 1585852421593912000), not for its
    // binary value (…064): convert through the decimal.
    const d = decimalOfDouble(n);
    return d.coef * 10n ** BigInt(d.exp);
  }
  return n.exp >= 0 ? n.coef * 10n ** BigInt(n.exp) : null;
}

/** Integers below this print in full, with no exponent, through `String(x)`. */
const BIG_PLAIN = 10n ** 21n;
const MILLION = 1_000_000n;

export function fromBigInt(i: bigint): RNumber {
  if (i >= -9007199254740991n && i <= 9007199254740991n) return Number(i);
  // Only the nearest double can spell an integer (a shortest decimal reads back as its double):
  // the integer is that double when it prints as exactly these digits (below 1e21 a double
  // prints without exponent notation), else a BigNum. A multiple of 10^6 below 1e21 has at most
  // 15 significant digits, which every double keeps, so it is that double without comparing any
  // text: nanosecond timestamps (about 1.7e18) at millisecond precision, as RFC 3339 times
  // usually are, are settled so.
  if (i > -BIG_PLAIN && i < BIG_PLAIN) {
    if (i % MILLION === 0n) return Number(i);
    const x = Number(i);
    if (String(x) === i.toString()) return x;
    const d = normalizeDecimal(i, 0);
    return new BigNum(d.coef, d.exp);
  }
  return fromDecimal(i, 0);
}

/**
 * The exact integer a double stands for (its shortest decimal), or null when it is not an
 * integer or too large to print in full.
 */
function plainInteger(n: RNumber): bigint | null {
  if (typeof n !== 'number' || !Number.isInteger(n) || !(Math.abs(n) < 1e21)) return null;
  return Number.isSafeInteger(n) ? BigInt(n) : BigInt(String(n));
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

/** An arithmetic failure; the message is OPA's (`divide by zero`, `modulo by zero` …). */
export class NumberError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NumberError';
  }
}

function isSafeInt(n: RNumber): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n);
}

function toBin(n: RNumber): BinFloat {
  const d = toDecimal(n);
  return binFromDecimal(d.coef, d.exp);
}

function fromBin(x: BinFloat): RNumber {
  const d = binToDecimal(x);
  return fromDecimal(d.coef, d.exp);
}

/**
 * OPA's arithmetic: integers are exact at any size; any other operand sends the operation
 * through a binary float with a 64-bit mantissa (Go's big.Float), whose result is the
 * shortest decimal that rounds back to it.
 */
function arith(
  a: RNumber,
  b: RNumber,
  exact: (x: bigint, y: bigint) => bigint,
  float: (x: BinFloat, y: BinFloat) => BinFloat,
): RNumber {
  const pa = plainInteger(a);
  const pb = pa === null ? null : plainInteger(b);
  if (pb !== null) return fromBigInt(exact(pa as bigint, pb));
  if (isInteger(a) && isInteger(b)) {
    // Exact on the decimal forms (coef × 10^exp, exp ≥ 0), aligned to the smaller exponent,
    // so that 1e100000 × 1e100000 never expands both operands into digits.
    const x = toDecimal(a);
    const y = toDecimal(b);
    const e = Math.min(x.exp, y.exp);
    if (exact === MUL) return fromDecimal(x.coef * y.coef, x.exp + y.exp);
    return fromDecimal(exact(x.coef * 10n ** BigInt(x.exp - e), y.coef * 10n ** BigInt(y.exp - e)), e);
  }
  return fromBin(float(toBin(a), toBin(b)));
}

const MUL = (x: bigint, y: bigint): bigint => x * y;

export function addNumbers(a: RNumber, b: RNumber): RNumber {
  if (isSafeInt(a) && isSafeInt(b)) {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return arith(a, b, (x, y) => x + y, (x, y) => binAdd(x, y));
}

export function subtractNumbers(a: RNumber, b: RNumber): RNumber {
  if (isSafeInt(a) && isSafeInt(b)) {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  return arith(a, b, (x, y) => x - y, (x, y) => binSub(x, y));
}

export function multiplyNumbers(a: RNumber, b: RNumber): RNumber {
  if (isSafeInt(a) && isSafeInt(b)) {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  return arith(a, b, MUL, (x, y) => binMul(x, y));
}

function isZero(n: RNumber): boolean {
  return typeof n === 'number' ? n === 0 : n.coef === 0n;
}

/**
 * a / b. Exact when both are small integers and b divides a; otherwise a float quotient (as
 * OPA: big integers too), e.g. 1/3 = 0.33333333333333333334.
 */
export function divideNumbers(a: RNumber, b: RNumber): RNumber {
  if (isZero(b)) throw new NumberError('divide by zero');
  if (isSafeInt(a) && isSafeInt(b) && a !== 0) {
    if (a % b === 0) return a / b;
    const q = exactShortQuotient(a, b);
    if (q !== null) return q;
  }
  return fromBin(binQuo(toBin(a), toBin(b)));
}

/**
 * Fast path for a/b on small integers when the quotient is a short exact decimal (10/4 = 2.5,
 * 1/8 = 0.125): the 64-bit float quotient then prints as that decimal, so the double is the
 * answer. Null when the quotient is not a short exact decimal (1/3).
 */
function exactShortQuotient(a: number, b: number): number | null {
  const q = a / b;
  const s = String(q);
  if (s.includes('e')) return null;
  const dot = s.indexOf('.');
  const digits = s.replace('-', '').replace('.', '').replace(/^0+/, '');
  if (dot < 0 || digits.length > 15) return null;
  const scale = s.length - dot - 1;
  return BigInt(s.replace('.', '')) * BigInt(b) === BigInt(a) * 10n ** BigInt(scale) ? q : null;
}

/** a % b on integers, with the sign of the dividend (Go's and JS's truncated remainder). */
export function remainderNumbers(a: RNumber, b: RNumber): RNumber {
  if (isSafeInt(a) && isSafeInt(b)) {
    if (b === 0) throw new NumberError('modulo by zero');
    const r = a % b;
    return r === 0 ? 0 : r;
  }
  const x = toBigInt(a);
  const y = toBigInt(b);
  if (x === null || y === null) throw new NumberError('modulo on floating-point number');
  if (y === 0n) throw new NumberError('modulo by zero');
  return fromBigInt(x % y);
}

export function absNumber(a: RNumber): RNumber {
  if (typeof a === 'number') return Math.abs(a);
  return a.coef < 0n ? new BigNum(-a.coef, a.exp) : a;
}

const HALF = binFromDecimal(5n, -1);

/** Rounds half away from zero (OPA's `round`); integers are returned unchanged. */
export function roundNumber(a: RNumber): RNumber {
  if (isInteger(a)) return a;
  const x = toBin(a);
  return fromBigInt(binTrunc(x.neg ? binSub(x, HALF) : binAdd(x, HALF)));
}

/**
 * Ceiling. Integers unchanged; others through OPA's float path. Deliberate deviation: OPA
 * answers ceil(x) = 1 for -1 < x < 0 (a sign slip on the truncated zero); this answers 0.
 */
export function ceilNumber(a: RNumber): RNumber {
  if (isInteger(a)) return a;
  const x = toBin(a);
  const t = binTrunc(x);
  return fromBigInt(x.neg ? t : t + 1n);
}

/** Floor. Deliberate deviation as for ceil: OPA answers floor(x) = 0 for -1 < x < 0. */
export function floorNumber(a: RNumber): RNumber {
  if (isInteger(a)) return a;
  const x = toBin(a);
  const t = binTrunc(x);
  return fromBigInt(x.neg ? t - 1n : t);
}

/** The sum of numbers as OPA's `sum`: exact over integers, otherwise a 64-bit float fold. */
export function sumNumbers(ns: readonly RNumber[]): RNumber {
  let small = 0;
  let i = 0;
  for (; i < ns.length; i++) {
    const n = ns[i] as RNumber;
    if (!isSafeInt(n)) break;
    const r = small + n;
    if (!Number.isSafeInteger(r)) break;
    small = r;
  }
  if (i === ns.length) return small;
  const ints: bigint[] = [];
  for (const n of ns) {
    const b = toBigInt(n);
    if (b === null) {
      let acc = binFromDecimal(0n, 0);
      for (const m of ns) acc = binAdd(acc, toBin(m));
      return fromBin(acc);
    }
    ints.push(b);
  }
  let total = 0n;
  for (const b of ints) total += b;
  return fromBigInt(total);
}

/** The product of numbers as OPA's `product`. */
export function productNumbers(ns: readonly RNumber[]): RNumber {
  let total = 1n;
  for (const n of ns) {
    const b = toBigInt(n);
    if (b === null) {
      let acc = binFromDecimal(1n, 0);
      for (const m of ns) acc = binMul(acc, toBin(m));
      return fromBin(acc);
    }
    total *= b;
  }
  return fromBigInt(total);
}

export function negateNumber(a: RNumber): RNumber {
  return typeof a === 'number' ? (a === 0 ? 0 : -a) : new BigNum(-a.coef, a.exp);
}

/** Number → text as OPA prints it in JSON: integers in full, other values in plain decimal. */
export function formatNumber(n: RNumber): string {
  if (typeof n === 'number') {
    const s = String(n);
    if (!s.includes('e')) return s;
    const d = decimalOfDouble(n);
    return decimalToString(d.coef, d.exp);
  }
  return n.toString();
}
