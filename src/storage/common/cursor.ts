import { AirlockError } from '../../core/index.ts';

/**
 * Keyset cursors for newest-first listings ordered by (time, id): the position of the last item
 * of a page. Opaque to clients (base64url of a small JSON array), validated when read back.
 */
export interface TimeIdCursor {
  /** Epoch milliseconds. */
  readonly t: number;
  readonly id: string;
}

export function encodeCursor(position: TimeIdCursor): string {
  return Buffer.from(JSON.stringify([position.t, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): TimeIdCursor {
  const invalid = () => new AirlockError('BAD_REQUEST', 'invalid page cursor');
  if (text.length === 0 || text.length > 512 || !/^[A-Za-z0-9_-]+$/.test(text)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid();
  const [t, id] = value as [unknown, unknown];
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || typeof id !== 'string' || id.length === 0) throw invalid();
  return { t, id };
}

export const MAX_PAGE_SIZE = 1000;

/** A page size as asked, capped at MAX_PAGE_SIZE; zero, negative or fractional is an error. */
export function pageSize(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new AirlockError('BAD_REQUEST', `page limit must be a positive integer, got ${limit}`);
  }
  return Math.min(limit, MAX_PAGE_SIZE);
}
