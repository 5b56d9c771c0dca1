/** Command-line options the benchmarks share. */

/** A count option (`--runs 3`, `--hot=8`): a whole number above zero, else a clear refusal. */
export function wholeNumber(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${option} wants a whole number above zero, got ${JSON.stringify(value)}`);
  return n;
}
