import { createHash } from 'node:crypto';
import type { Json } from '../storage/ports/index.ts';

/**
 * A digest of a JSON value, for cache keys. Key order is part of the encoding: adapters build
 * facts deterministically, and a different order only costs a cache miss, never a wrong verdict.
 */
export function jsonDigest(value: Json): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url');
}

/** A digest of a text, for cache keys that would otherwise be long strings. */
export function digestText(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
