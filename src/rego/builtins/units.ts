/** `units.parse` (SI and binary suffixes, milli) and `units.parse_bytes`, computed exactly. */
import { isDecimalFloat, ownMember } from '../../core/index.ts';
import { fromDecimal, parseDecimal, type Decimal } from '../number.ts';
import type { Value } from '../value.ts';
import { builtinError, fn, str } from './args.ts';
import type { BuiltinDecl } from './types.ts';

const MAX_EXPONENT_DIGITS = 6;

class UnitsError extends Error {}

/** Split "10.5GiB" into number text and unit (OPA's extractNumAndUnit). */
function extractNumAndUnit(s: string): [string, string] {
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  let first = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (!(isDigit(c) || c === '.') && c !== 'e' && c !== 'E' && c !== '+' && c !== '-') {
      first = i;
      break;
    }
    if (c === 'e' || c === 'E') {
      const next = s[i + 1];
      if (i === s.length - 1 || (!isDigit(next) && next !== '+' && next !== '-')) {
        first = i;
        break;
      }
      if (next === '+' || next === '-') i++;
      let end = i + 1;
      while (isDigit(s[end])) end++;
      if (end - (i + 1) > MAX_EXPONENT_DIGITS) throw new UnitsError('exponent too large');
    }
  }
  if (first === -1) return [s, ''];
  if (first === 0) return ['', s];
  return [s.slice(0, first), s.slice(first)];
}

function parseAmount(num: string): Decimal | null {
  // Go's float syntax, read in one pass (a pattern for it backtracked on long runs of digits).
  if (!isDecimalFloat(num)) return null;
  let t = num.startsWith('+') ? num.slice(1) : num;
  t = t.replace(/^(-?)\./, '$10.').replace(/\.(?=[eE]|$)/, '');
  return parseDecimal(t);
}

const K = 1000n;
const KI = 1024n;

/** units.parse_bytes suffixes (input lower-cased). */
const BYTE_UNITS: Readonly<Record<string, bigint>> = {
  '': 1n,
  k: K, kb: K, ki: KI, kib: KI,
  m: K ** 2n, mb: K ** 2n, mi: KI ** 2n, mib: KI ** 2n,
  g: K ** 3n, gb: K ** 3n, gi: KI ** 3n, gib: KI ** 3n,
  t: K ** 4n, tb: K ** 4n, ti: KI ** 4n, tib: KI ** 4n,
  p: K ** 5n, pb: K ** 5n, pi: KI ** 5n, pib: KI ** 5n,
  e: K ** 6n, eb: K ** 6n, ei: KI ** 6n, eib: KI ** 6n,
};

/** units.parse suffixes (first letter as written, the rest lower-cased); "m" is milli. */
const UNITS: Readonly<Record<string, bigint>> = {
  '': 1n,
  k: K, K: K, ki: KI, Ki: KI,
  M: K ** 2n, mi: KI ** 2n, Mi: KI ** 2n,
  g: K ** 3n, G: K ** 3n, gi: KI ** 3n, Gi: KI ** 3n,
  t: K ** 4n, T: K ** 4n, ti: KI ** 4n, Ti: KI ** 4n,
  p: K ** 5n, P: K ** 5n, pi: KI ** 5n, Pi: KI ** 5n,
  e: K ** 6n, E: K ** 6n, ei: KI ** 6n, Ei: KI ** 6n,
};

function parseBytes(args: readonly Value[]): Value {
  const name = 'units.parse_bytes';
  const s = str(name, args, 0).toLowerCase().replaceAll('"', '');
  const fail = (msg: string): never => {
    throw builtinError(name, `${name}: ${msg}`);
  };
  if (s.includes(' ')) fail('spaces not allowed in resource strings');
  let num: string;
  let unit: string;
  try {
    [num, unit] = extractNumAndUnit(s);
  } catch {
    return fail('exponent too large');
  }
  if (num === '') fail('no byte amount provided');
  const mult = ownMember(BYTE_UNITS, unit);
  if (mult === undefined) return fail(`byte unit ${unit} not recognized`);
  const d = parseAmount(num);
  if (d === null) return fail('could not parse byte amount to a number');
  // Truncate toward zero, like big.Float.Int.
  let v = d.coef * mult;
  if (d.exp >= 0) v *= 10n ** BigInt(d.exp);
  else v /= 10n ** BigInt(-d.exp);
  return fromDecimal(v, 0);
}

function parseUnits(args: readonly Value[]): Value {
  const name = 'units.parse';
  const s = str(name, args, 0).replaceAll('"', '');
  const fail = (msg: string): never => {
    throw builtinError(name, `${name}: ${msg}`);
  };
  if (s.includes(' ')) fail('spaces not allowed in resource strings');
  let num: string;
  let unit: string;
  try {
    [num, unit] = extractNumAndUnit(s);
  } catch {
    return fail('exponent too large');
  }
  if (num === '') fail('no amount provided');
  if (unit.length > 1) unit = (unit[0] as string) + unit.slice(1).toLowerCase();
  const milli = unit === 'm';
  const mult = milli ? 1n : ownMember(UNITS, unit);
  if (mult === undefined) return fail(`unit ${unit} not recognized`);
  const d = parseAmount(num);
  if (d === null) return fail('could not parse amount to a number');
  const coef = d.coef * mult;
  const exp = d.exp - (milli ? 3 : 0);
  if (exp >= 0) return fromDecimal(coef, exp);
  // Non-integers are rounded to 10 decimals (half away from zero), as OPA prints them.
  if (exp >= -10) return fromDecimal(coef, exp);
  const scale = 10n ** BigInt(-exp - 10);
  const neg = coef < 0n;
  const abs = neg ? -coef : coef;
  let q = abs / scale;
  if ((abs % scale) * 2n >= scale) q += 1n;
  return fromDecimal(neg ? -q : q, -10);
}

export const UNITS_BUILTINS: readonly BuiltinDecl[] = [
  fn('units.parse', ['string'], 'number', parseUnits),
  fn('units.parse_bytes', ['string'], 'number', parseBytes),
];
