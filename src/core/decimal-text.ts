/**
 * Decimal number text, read in one pass: the grammar `^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`
 * (Go's and Python's plain decimal floats), which as a regular expression backtracked
 * quadratically on hostile input (40,000 zeros and a NUL: 3.4 s), because the digits either side
 * of an optional point can be split in as many ways as there are digits.
 */

export const isAsciiDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** The index after the run of ASCII digits at `i`. */
export function skipAsciiDigits(s: string, i: number): number {
  while (isAsciiDigit(s[i])) i++;
  return i;
}

/** Sign, digits with an optional point (at least one digit), optional exponent, nothing else. */
export function isDecimalFloat(s: string): boolean {
  let i = s[0] === '+' || s[0] === '-' ? 1 : 0;
  const start = i;
  i = skipAsciiDigits(s, i);
  let digits = i - start;
  if (s[i] === '.') {
    const fraction = i + 1;
    i = skipAsciiDigits(s, fraction);
    digits += i - fraction;
  }
  if (digits === 0) return false;
  if (s[i] === 'e' || s[i] === 'E') {
    const sign = s[i + 1] === '+' || s[i + 1] === '-' ? 1 : 0;
    const exponent = i + 1 + sign;
    i = skipAsciiDigits(s, exponent);
    if (i === exponent) return false;
  }
  return i === s.length;
}
