import { AirlockError } from '../../core/index.ts';
import type { Json } from '../ports/index.ts';

/** Largest JSON document stored in one column (facts snapshots, audit details). */
export const MAX_JSON_BYTES = 4 * 1024 * 1024;

/**
 * Encode a value for storage as JSON text. What is stored is exactly what reading it back
 * yields (no undefined members, no Dates, no NaN surprises later): callers that need the stored
 * form (e.g. to hash it) use `normaliseJson`.
 */
export function encodeJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new AirlockError('BAD_REQUEST', `${what} is not JSON-serialisable`, { cause: err });
  }
  if (text === undefined) throw new AirlockError('BAD_REQUEST', `${what} is not JSON-serialisable`);
  if (Buffer.byteLength(text, 'utf8') > MAX_JSON_BYTES) {
    throw new AirlockError('LIMIT_EXCEEDED', `${what} exceeds ${MAX_JSON_BYTES} bytes of JSON`);
  }
  return text;
}

export function decodeJson(text: string): Json {
  return JSON.parse(text) as Json;
}

/** The value as it will read back from storage. */
export function normaliseJson(value: unknown, what: string): Json {
  return decodeJson(encodeJson(value, what));
}
