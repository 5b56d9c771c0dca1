/** Small validators that name the exact config path in every error. */
import { resolve } from 'node:path';
import { AirlockError, setMember } from '../../core/index.ts';
import { formatDuration, parseDuration } from '../../gate/duration.ts';
import { parseSize } from './units.ts';

export type Raw = { readonly [k: string]: unknown };

export function fail(path: string, message: string): never {
  throw new AirlockError('CONFIG_INVALID', `${path === '' ? '(top level)' : path}: ${message}`);
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function kind(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/** Longest unknown key quoted whole in a message. */
const MAX_SHOWN_KEY = 64;

/**
 * An unknown key as its message names it: as written when it is a plain name, else quoted as JSON
 * (line breaks and control characters escaped), cut at MAX_SHOWN_KEY characters. A key of 100,000
 * characters made a message, and a log line, of 100,000.
 */
function shownKey(k: string): string {
  if (k.length <= MAX_SHOWN_KEY && /^[\w.-]+$/.test(k)) return k;
  return JSON.stringify(k.length > MAX_SHOWN_KEY ? `${k.slice(0, MAX_SHOWN_KEY)}…` : k);
}

export function object(v: unknown, path: string, allowed: readonly string[]): Raw {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `expected a mapping, got ${kind(v)}`);
  const o = v as Raw;
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) fail(join(path, shownKey(k)), `unknown key (expected one of: ${allowed.join(', ')})`);
  }
  return o;
}

export function optionalObject(v: unknown, path: string, allowed: readonly string[]): Raw {
  return v === undefined || v === null ? {} : object(v, path, allowed);
}

export function string(v: unknown, path: string, options: { readonly max?: number; readonly pattern?: RegExp; readonly hint?: string } = {}): string {
  if (typeof v !== 'string') fail(path, `expected a string, got ${kind(v)}`);
  if (v === '') fail(path, 'must not be empty');
  if (v.length > (options.max ?? 4096)) fail(path, `longer than ${options.max ?? 4096} characters`);
  if (options.pattern !== undefined && !options.pattern.test(v)) fail(path, options.hint ?? `invalid value ${JSON.stringify(v)}`);
  return v;
}

/** A file's path as written: a string without NUL characters, which no file name holds (Node throws a TypeError on one). */
export function pathText(v: unknown, path: string): string {
  const text = string(v, path);
  if (text.includes('\0')) fail(path, 'not a file path: it holds a NUL character');
  return text;
}

/** A file setting: its path, relative to `baseDir` (the configuration file's directory). */
export function filePath(v: unknown, path: string, baseDir: string): string {
  return resolve(baseDir, pathText(v, path));
}

export function boolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, `expected true or false, got ${kind(v)}`);
  return v;
}

export function integer(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(path, `expected an integer, got ${kind(v)}`);
  if (v < min || v > max) fail(path, `must be between ${min} and ${max}`);
  return v;
}

export function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    fail(path, `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${typeof v === 'string' ? JSON.stringify(v) : kind(v)}`);
  }
  return v as T;
}

/** A duration: `30s`, `5m`, `1d` … or a number of milliseconds. */
export function duration(v: unknown, path: string, minMs: number, maxMs: number): number {
  let ms: number;
  if (typeof v === 'number' && Number.isInteger(v)) ms = v;
  else if (typeof v === 'string') {
    try {
      ms = parseDuration(v);
    } catch (err) {
      fail(path, err instanceof Error ? err.message : String(err));
    }
  } else fail(path, `expected a duration such as 30s, 5m or 1d, got ${kind(v)}`);
  if (ms < minMs || ms > maxMs) fail(path, `must be between ${formatDuration(minMs)} and ${formatDuration(maxMs)}`);
  return ms;
}

/** A byte size: `512MB`, `1GiB` … or a number of bytes. */
export function size(v: unknown, path: string, min: number, max: number): number {
  let n: number;
  if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string') {
    try {
      n = parseSize(v);
    } catch (err) {
      fail(path, err instanceof Error ? err.message : String(err));
    }
  } else fail(path, `expected a size such as 512MB, got ${kind(v)}`);
  if (n < min || n > max) fail(path, `must be between ${min} and ${max} bytes`);
  return n;
}

export function list(v: unknown, path: string, max: number): readonly unknown[] {
  if (!Array.isArray(v)) fail(path, `expected a list, got ${kind(v)}`);
  if (v.length > max) fail(path, `at most ${max} entries`);
  return v;
}

/**
 * An absolute http(s) URL without query or fragment, normalised to end with `/`: what it names
 * is a base other paths are appended to, so a bare `?` or `#` (an empty query or fragment, which
 * the URL keeps) is dropped, or `https://r.example/npm?` would become `https://r.example/npm?/`,
 * a query every request path lands in.
 */
export function httpUrl(v: unknown, path: string): string {
  const text = string(v, path);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(path, `not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(path, 'must be an http:// or https:// URL');
  if (url.search !== '' || url.hash !== '') fail(path, 'must not have a query or fragment');
  if (url.username !== '' || url.password !== '') fail(path, 'must not contain credentials; use upstreamAuth with a secret reference');
  url.search = '';
  url.hash = '';
  const s = url.toString();
  const kept = s.endsWith('/') ? s : `${s}/`;
  // Percent-encoding lengthens what was written: the URL kept is held to the same limit, so that it reads the same again.
  if (kept.length > 4096) fail(path, 'longer than 4096 characters as kept (percent-encoded, ending in /)');
  return kept;
}

/** Arbitrary JSON data (policy data): mappings, lists, strings, finite numbers, booleans, null. */
export function jsonData(v: unknown, path: string, depth = 0): unknown {
  if (depth > 32) fail(path, 'nested too deeply');
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(path, 'not a finite number');
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => jsonData(x, join(path, i), depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    // Any key is data, as in OPA: `__proto__` too (assigned, it would set the prototype instead).
    for (const [k, x] of Object.entries(v)) setMember(out, k, jsonData(x, join(path, k), depth + 1));
    return out;
  }
  fail(path, 'not JSON data');
}
