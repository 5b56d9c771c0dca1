import { AirlockError } from '../../core/index.ts';

/** Epoch milliseconds of a valid Date; an Invalid Date is a caller bug caught before storage. */
export function toMillis(date: Date, what: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new AirlockError('BAD_REQUEST', `${what} is not a valid date`);
  return ms;
}

export function toMillisOrNull(date: Date | null, what: string): number | null {
  return date === null ? null : toMillis(date, what);
}

/**
 * A text field as both drivers keep it, or BAD_REQUEST. A NUL is refused: PostgreSQL's text
 * cannot hold one (22021), so a NUL a reason or a name carried failed on PostgreSQL with a storage
 * error (a 500) and was kept by SQLite.
 */
export function requireText(value: string, what: string, maxLength = 4096): string {
  if (requireKey(value, what, maxLength).includes('\u0000')) throw new AirlockError('BAD_REQUEST', `${what} must not contain NUL`);
  return value;
}

/**
 * A key of the caller's making, kept as it was made: a NUL may part its fields (the served
 * ledger's), so the PostgreSQL driver stores it escaped rather than refuse it.
 */
export function requireKey(value: string, what: string, maxLength = 4096): string {
  if (typeof value !== 'string' || value.length === 0) throw new AirlockError('BAD_REQUEST', `${what} must be a non-empty string`);
  if (value.length > maxLength) throw new AirlockError('LIMIT_EXCEEDED', `${what} exceeds ${maxLength} characters`);
  return value;
}

/** `requireText` for a field that may be empty (a token's label). */
export function optionalText(value: string, what: string, maxLength: number): string {
  return value === '' ? value : requireText(value, what, maxLength);
}

/**
 * Text from elsewhere made storable rather than refused, where a refusal would lose more than the
 * odd character (a delivery's error, an advisory's summary): NUL, which PostgreSQL's text cannot
 * hold, and unpaired surrogates, which no store can, become U+FFFD, so both drivers keep the same
 * text; cut to `max` code units without splitting a pair.
 */
export function storableText(text: string, max: number): string {
  const clean = text.toWellFormed().replaceAll('\u0000', '\ufffd');
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

export function nonNegativeInteger(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new AirlockError('BAD_REQUEST', `${what} must be a non-negative integer`);
  return n;
}

/** Versions per first-seen call: a packument lists thousands at most; beyond this is hostile. */
export const MAX_SEEN_VERSIONS = 100_000;

/** A first-seen call's version list: bounded, each a non-empty string of at most 256 characters. */
export function requireVersions(versions: readonly string[]): void {
  if (versions.length > MAX_SEEN_VERSIONS) throw new AirlockError('LIMIT_EXCEEDED', `more than ${MAX_SEEN_VERSIONS} versions`);
  for (const v of versions) requireText(v, 'version', 256);
}

/** A valid Date (copied), for drivers that bind Dates directly. */
export function validDate(date: Date, what: string): Date {
  return new Date(toMillis(date, what));
}

export function validDateOrNull(date: Date | null, what: string): Date | null {
  return date === null ? null : validDate(date, what);
}
