import { AirlockError } from './errors.ts';

/**
 * `s` without the run of any of `chars` at its end, in one pass from the end. The regular
 * expression one would write for it (`/\/+$/`, `/[. ]+$/`) is quadratic in V8 on a long run
 * followed by anything else: every position in the run starts a match that fails at the end (a
 * 4,096-character name took 41 ms, 200,000 characters 55 s), and these strings come from hostile
 * archives, listings and statements.
 */
export function trimTrailing(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1] as string)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** `s` without the runs of any of `chars` at its start and its end (see `trimTrailing`). */
export function trimBoth(s: string, chars: string): string {
  let start = 0;
  while (start < s.length && chars.includes(s[start] as string)) start++;
  return trimTrailing(s.slice(start), chars);
}

/**
 * The name of a person given as npm's legacy string `Name <email> (url)`: what comes before the
 * first `<`, without the blanks before it. Linear where `/\s*<.*$/` is quadratic on a long run of
 * blanks with no `<` after it (50,000 blanks: 2.2 s), and a packument's author is the publisher's
 * to write.
 */
export function personBeforeEmail(s: string): string {
  const lt = s.indexOf('<');
  return lt < 0 ? s : s.slice(0, lt).trimEnd();
}

/**
 * What a person wrote for Airlock to keep (a release or reject reason, an exception's reason, a
 * token's label), trimmed: at most `max` characters, and not empty unless `optional`. Throws
 * BAD_REQUEST naming `what`. (The stores refuse a NUL in it.)
 */
export function writtenText(raw: string, what: string, max: number, optional = false): string {
  const text = raw.trim();
  if (text === '' && !optional) throw new AirlockError('BAD_REQUEST', `${what} is required`);
  if (text.length > max) throw new AirlockError('BAD_REQUEST', `${what} is longer than ${max} characters`);
  return text;
}
