/** Go's time.ParseDuration: "300ms", "-1.5h", "2h45m", units ns us µs μs ms s m h. */
import { ownMember } from '../../core/index.ts';
import { goQuote } from './term-text.ts';

export class DurationError extends Error {}

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const INT64_MAX = 2n ** 63n - 1n;

/** Duration in nanoseconds (int64 range, like Go). */
export function parseDuration(text: string): bigint {
  const invalid = (): DurationError => new DurationError(`time: invalid duration ${goQuote(text)}`);
  let s = text;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s) as RegExpExecArray;
    const intPart = m[1] as string;
    const frac = m[2];
    if (intPart === '' && (frac === undefined || frac === '')) throw invalid();
    s = s.slice(m[0].length);
    const u = /^[^0-9.]+/.exec(s);
    if (u === null) throw new DurationError(`time: missing unit in duration ${goQuote(text)}`);
    const unit = ownMember(UNITS, u[0]);
    if (unit === undefined) throw new DurationError(`time: unknown unit ${goQuote(u[0])} in duration ${goQuote(text)}`);
    s = s.slice(u[0].length);
    let v = BigInt(intPart === '' ? '0' : intPart) * unit;
    if (frac !== undefined && frac !== '') {
      // Fraction scaled by the unit, truncated as Go does.
      const scale = 10n ** BigInt(frac.length);
      v += (BigInt(frac) * unit) / scale;
    }
    total += v;
    if (total > INT64_MAX + (neg ? 1n : 0n)) throw invalid();
  }
  return neg ? -total : total;
}
