import { createHash } from 'node:crypto';
import { canonicalJson, type Json } from '../storage/ports/index.ts';

/** A digest of a JSON value that does not depend on key order. */
export function jsonDigest(value: Json): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}
