/**
 * `s` without the run of `char` at its end, in one pass from the end. The regular expression one
 * would write for it (`/\/+$/`) is quadratic in V8 on a long run followed by anything else: every
 * position in the run starts a match that fails at the end (a 4,096-character name took 41 ms,
 * 200,000 characters 55 s), and these strings come from hostile archives and statements.
 */
export function trimTrailing(s: string, char: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === char) end--;
  return end === s.length ? s : s.slice(0, end);
}
