/** The page is not one Airlock can read; the message says what was wrong (safe to log, quotes are escaped). */
export class PageFormatError extends Error {
  override readonly name = 'PageFormatError';
}
