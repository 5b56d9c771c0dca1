/**
 * `npm search` through Airlock (`GET /-/v1/search`, npm.md §1): the upstream's results, each shown
 * at the version an install of that name gets through the gate (its view's `latest`) and with that
 * version's publication time, and left out when the gate lets no version of it through or Airlock
 * cannot read the package. A search result is not an artifact, but it is where an agent picks a
 * name: a blocked or quarantined package should not be offered at a version it cannot install.
 *
 * The upstream's answer is data to check, not to pass on: every result is rebuilt from fields of
 * the expected types, sizes and counts (npm's formatter throws on a result without a
 * `maintainers` array of usernames, or with a date it cannot read), and control characters are
 * taken out of what terminals print.
 */
import { AirlockError, isAirlockError, isPlainObject, parseNpmPackageName, type NpmPackageName } from '../../core/index.ts';
import type { Json } from '../../storage/ports/index.ts';

/** Results judged per search at most; a larger `size` is served this many (npm asks for 20). */
export const MAX_SEARCH_SIZE = 100;
/** The longest search text passed on (characters). */
export const MAX_SEARCH_TEXT = 256;
/** The furthest `from` passed on. */
const MAX_SEARCH_FROM = 10_000;
/** The largest upstream answer read (decoded bytes). */
export const MAX_SEARCH_BODY = 4 * 1024 * 1024;

const MAX_DESCRIPTION = 1024;
const MAX_KEYWORDS = 32;
const MAX_KEYWORD = 128;
const MAX_PEOPLE = 32;
const MAX_PERSON_FIELD = 256;
const MAX_URL = 2048;
const MAX_SHORT = 256;

export interface SearchQuery {
  readonly text: string;
  readonly size: number;
  readonly from: number;
  /** The weights npm sends (0 to 1), passed on when given. */
  readonly weights: Readonly<Partial<Record<'quality' | 'popularity' | 'maintenance', number>>>;
}

function wholeParam(params: URLSearchParams, key: string, fallback: number, max: number): number {
  const raw = params.get(key);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new AirlockError('BAD_REQUEST', `search ${key} must be a whole number, got ${JSON.stringify(raw.slice(0, 32))}`);
  return Math.min(Number(raw), max);
}

/** The search request's query string (without `?`), checked. */
export function parseSearchQuery(query: string): SearchQuery {
  const params = new URLSearchParams(query);
  const text = (params.get('text') ?? '').trim();
  if (text === '') throw new AirlockError('BAD_REQUEST', 'search needs a text parameter');
  if (text.length > MAX_SEARCH_TEXT) throw new AirlockError('BAD_REQUEST', `search text is longer than ${MAX_SEARCH_TEXT} characters`);
  const size = wholeParam(params, 'size', 20, MAX_SEARCH_SIZE);
  if (size === 0) throw new AirlockError('BAD_REQUEST', 'search size must be at least 1');
  const from = wholeParam(params, 'from', 0, MAX_SEARCH_FROM);
  const weights: Partial<Record<'quality' | 'popularity' | 'maintenance', number>> = {};
  for (const key of ['quality', 'popularity', 'maintenance'] as const) {
    const raw = params.get(key);
    if (raw === null || raw === '') continue;
    const n = /^(?:0|1|0?\.\d{1,6}|1\.0{1,6})$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= 0 && n <= 1)) throw new AirlockError('BAD_REQUEST', `search ${key} must be a number from 0 to 1, got ${JSON.stringify(raw.slice(0, 32))}`);
    weights[key] = n;
  }
  return { text, size, from, weights };
}

/** A checked search as a query string (without `?`). */
export function searchQueryString(q: SearchQuery): string {
  const params = new URLSearchParams({ text: q.text, size: String(q.size), from: String(q.from) });
  for (const [k, v] of Object.entries(q.weights)) params.set(k, String(v));
  return params.toString();
}

/** The upstream path of a checked search (relative to the upstream's base URL). */
export function upstreamSearchPath(q: SearchQuery): string {
  return `-/v1/search?${searchQueryString(q)}`;
}

export interface SearchHit {
  readonly name: NpmPackageName;
  /** The result rebuilt from checked fields, without `package.version` and `package.date`. */
  readonly result: { [k: string]: Json };
}

export interface SearchAnswer {
  readonly hits: readonly SearchHit[];
  readonly total: number;
  readonly time: string | null;
  /** Upstream results left out as unreadable (not an object, or no valid package name). */
  readonly malformed: number;
}

// C0 and C1 control characters (escape sequences start with ESC or CSI) and DEL.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

/** A display string: control characters become spaces; cut at `max` characters. */
function text(v: unknown, max: number): string | undefined {
  if (typeof v !== 'string') return undefined;
  const clean = v.replace(CONTROL, ' ');
  return clean.length > max ? clean.slice(0, max) : clean;
}

/**
 * An http(s) link, kept as written. One with a control character is left out: the URL parser
 * drops tabs and newlines and encodes the rest, so the text is not the link it parses as, and it
 * would reach a terminal or a page raw.
 */
function httpUrl(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > MAX_URL || v.search(CONTROL) !== -1) return undefined;
  let url: URL;
  try {
    url = new URL(v.startsWith('git+') ? v.slice(4) : v);
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? v : undefined;
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function isoTime(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 80) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** An object of the given fields, each checked by its function; undefined ones left out. */
function pick(src: unknown, fields: Readonly<Record<string, (v: unknown) => Json | undefined>>): { [k: string]: Json } | undefined {
  if (!isPlainObject(src)) return undefined;
  const out: { [k: string]: Json } = {};
  for (const [k, check] of Object.entries(fields)) {
    const v = check(src[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

const personField = (v: unknown): string | undefined => text(v, MAX_PERSON_FIELD);

/** npm search's people: `{username, email}`; an entry without a username is dropped. */
function people(v: unknown): Json[] {
  if (!Array.isArray(v)) return [];
  const out: Json[] = [];
  for (const p of v.slice(0, MAX_PEOPLE)) {
    const person = pick(p, { username: personField, email: personField });
    if (person !== undefined && typeof person['username'] === 'string') out.push(person);
  }
  return out;
}

function keywords(v: unknown): Json[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Json[] = [];
  for (const k of v.slice(0, MAX_KEYWORDS)) {
    const s = text(k, MAX_KEYWORD);
    if (s !== undefined) out.push(s);
  }
  return out;
}

function numbers(v: unknown, keys: readonly string[]): { [k: string]: Json } | undefined {
  return pick(v, Object.fromEntries(keys.map((k) => [k, finite])));
}

/** One upstream result rebuilt, or null when it names no valid package. */
function rebuild(raw: unknown): SearchHit | null {
  if (!isPlainObject(raw) || !isPlainObject(raw['package'])) return null;
  const p = raw['package'];
  let name: NpmPackageName;
  try {
    name = parseNpmPackageName(typeof p['name'] === 'string' ? p['name'] : '');
  } catch {
    return null;
  }
  const pkg: { [k: string]: Json } = {
    name,
    scope: name.startsWith('@') ? name.slice(1, name.indexOf('/')) : 'unscoped',
    maintainers: people(p['maintainers']),
  };
  const description = text(p['description'], MAX_DESCRIPTION);
  if (description !== undefined) pkg['description'] = description;
  const kw = keywords(p['keywords']);
  if (kw !== undefined) pkg['keywords'] = kw;
  const license = text(p['license'], MAX_SHORT);
  if (license !== undefined) pkg['license'] = license;
  const publisher = pick(p['publisher'], { username: personField, email: personField });
  if (publisher !== undefined && typeof publisher['username'] === 'string') pkg['publisher'] = publisher;
  const author = pick(p['author'], { name: personField, email: personField, url: httpUrl });
  if (author !== undefined && Object.keys(author).length > 0) pkg['author'] = author;
  const links = pick(p['links'], { npm: httpUrl, homepage: httpUrl, repository: httpUrl, bugs: httpUrl });
  if (links !== undefined) pkg['links'] = links;

  const result: { [k: string]: Json } = { package: pkg };
  const detail = numbers(isPlainObject(raw['score']) ? raw['score']['detail'] : undefined, ['quality', 'popularity', 'maintenance']);
  const final = finite(isPlainObject(raw['score']) ? raw['score']['final'] : undefined);
  if (final !== undefined || detail !== undefined) result['score'] = { ...(final === undefined ? {} : { final }), ...(detail === undefined ? {} : { detail }) };
  const searchScore = finite(raw['searchScore']);
  if (searchScore !== undefined) result['searchScore'] = searchScore;
  const flags = numbers(raw['flags'], ['insecure', 'unstable']);
  if (flags !== undefined) result['flags'] = flags;
  const downloads = numbers(raw['downloads'], ['monthly', 'weekly']);
  if (downloads !== undefined) result['downloads'] = downloads;
  const dependents = raw['dependents'];
  if (finite(dependents) !== undefined || (typeof dependents === 'string' && /^\d{1,12}$/.test(dependents))) result['dependents'] = dependents as Json;
  const updated = isoTime(raw['updated']);
  if (updated !== undefined) result['updated'] = updated;
  return { name, result };
}

/** The upstream's answer to a search, checked; at most `limit` results are kept. */
export function parseSearchAnswer(body: Buffer, limit: number): SearchAnswer {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new AirlockError('UPSTREAM_BAD_RESPONSE', 'the upstream answered the search with something that is not JSON', { cause });
  }
  if (!isPlainObject(doc) || !Array.isArray(doc['objects'])) {
    throw new AirlockError('UPSTREAM_BAD_RESPONSE', 'the upstream answered the search without an objects list');
  }
  const hits: SearchHit[] = [];
  const seen = new Set<string>();
  let malformed = 0;
  for (const raw of doc['objects'].slice(0, limit)) {
    const hit = rebuild(raw);
    if (hit === null) malformed++;
    else if (!seen.has(hit.name)) {
      seen.add(hit.name);
      hits.push(hit);
    }
  }
  const total = finite(doc['total']);
  return { hits, total: total !== undefined && total >= 0 ? Math.floor(total) : hits.length, time: isoTime(doc['time']) ?? null, malformed };
}

/** A search answered through the gate, as clients get it. */
export interface SearchResults {
  readonly objects: readonly Json[];
  readonly total: number;
  readonly time: string;
}

/** What the gate lets through of a package: the version an install gets, and when it was published. */
export interface Installable {
  readonly version: string;
  readonly date: string | null;
}

/**
 * The hits shown at the version the gate lets an install have, in the upstream's order; a hit
 * whose package has none, or which cannot be loaded or judged, is left out. Errors other than
 * a package's own (the store failing, say) propagate: a search is not answered from half a view.
 * `installable` bounds how many packages it loads at once (the plugin's semaphore, shared by
 * every search).
 */
export async function gateHits(hits: readonly SearchHit[], installable: (name: NpmPackageName) => Promise<Installable | null>): Promise<{ readonly objects: Json[]; readonly withheld: number }> {
  const shown = await Promise.all(
    hits.map(async (hit): Promise<Json | null> => {
      let got: Installable | null;
      try {
        got = await installable(hit.name);
      } catch (err) {
        if (!isPackageError(err)) throw err;
        return null;
      }
      if (got === null) return null;
      const pkg: { [k: string]: Json } = { ...(hit.result['package'] as { readonly [k: string]: Json }), version: got.version };
      if (got.date !== null) pkg['date'] = got.date;
      return { ...hit.result, package: pkg };
    }),
  );
  const objects = shown.filter((o): o is Json => o !== null);
  return { objects, withheld: hits.length - objects.length };
}

/** Errors about one package's upstream data: that result is left out, the search goes on. */
function isPackageError(err: unknown): boolean {
  return isAirlockError(err, 'UPSTREAM_NOT_FOUND') || isAirlockError(err, 'UPSTREAM_BAD_RESPONSE') || isAirlockError(err, 'LIMIT_EXCEEDED') || isAirlockError(err, 'INVALID_NAME');
}
