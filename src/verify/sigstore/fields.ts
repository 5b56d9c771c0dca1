/**
 * Reading fields of untrusted protobuf-JSON (bundles, trusted roots) under limits. Every reader
 * names the field's path in its error, so a rejected bundle says which field was wrong and why;
 * sizes are checked before any decoding, so a hostile document costs at most its caps.
 */
import { isPlainObject, shownJson, type PlainObject } from '../../core/index.ts';

/** A malformed Sigstore document or a failed check; its message names the field or the check. */
export class SigstoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigstoreError';
  }
}

/** Said of a signer, log or authority the trusted root does not list (the root may predate it). */
export const STALE_ROOT = ' (if Sigstore has added it since, give a newer trusted root: sigstoreTrustedRoot)';

/** A check that did not pass: 'invalid', or 'unsupported' for what this verifier does not read. */
export type Problem = { readonly status: 'invalid' | 'unsupported'; readonly error: string };

export function fail(message: string): never {
  throw new SigstoreError(message);
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const INT64_RE = /^(?:0|[1-9][0-9]{0,18})$/;
const INT64_MAX = 2n ** 63n - 1n;
/** Longest string shown back in an error (field values are hostile and may be long). */
const MAX_SHOWN = 80;

export function shown(v: unknown): string {
  return shownJson(v, MAX_SHOWN);
}

export function object(v: unknown, path: string): PlainObject {
  if (!isPlainObject(v)) fail(`${path} is not an object (got ${shown(v)})`);
  return v;
}

export function optionalObject(v: unknown, path: string): PlainObject | null {
  return v === undefined || v === null ? null : object(v, path);
}

export function list(v: unknown, path: string, max: number): readonly unknown[] {
  if (!Array.isArray(v)) fail(`${path} is not a list (got ${shown(v)})`);
  if (v.length > max) fail(`${path} has ${v.length} entries (at most ${max} are accepted)`);
  return v;
}

export function string(v: unknown, path: string, max: number): string {
  if (typeof v !== 'string') fail(`${path} is not a string (got ${shown(v)})`);
  if (v.length > max) fail(`${path} is ${v.length} characters long (at most ${max})`);
  return v;
}

/** Standard base64 (padding optional), decoded; `maxChars` caps the text before decoding. */
export function base64(v: unknown, path: string, maxChars: number, allowEmpty = false): Buffer {
  const s = string(v, path, maxChars);
  if (s.length % 4 === 1 || !BASE64_RE.test(s)) fail(`${path} is not base64`);
  if (s.length === 0 && !allowEmpty) fail(`${path} is empty`);
  return Buffer.from(s, 'base64');
}

/** A protobuf int64 as JSON gives it: a string of decimal digits (a plain JSON number is accepted too). */
export function int64(v: unknown, path: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== 'string' || !INT64_RE.test(v)) fail(`${path} is not a non-negative int64 (a string of digits; got ${shown(v)})`);
  const n = BigInt(v);
  if (n > INT64_MAX) fail(`${path} is larger than an int64`);
  return n;
}

/** An int64 that must also fit a JS number exactly (log indexes, times in seconds). */
export function safeInt(v: unknown, path: string): number {
  const n = int64(v, path);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${path} is too large (${n})`);
  return Number(n);
}

/** An RFC 3339 time (protobuf Timestamp) as ms since the epoch. */
export function timestamp(v: unknown, path: string): number {
  const s = string(v, path, 64);
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/.test(s) ? Date.parse(s) : Number.NaN;
  if (Number.isNaN(ms)) fail(`${path} is not an RFC 3339 time (got ${shown(s)})`);
  return ms;
}

export function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}
