/**
 * An upstream project page of the Simple Repository API (PEP 503 HTML, PEP 691 JSON, with the
 * fields of PEP 592/700/714/740), parsed into what Airlock models. The page is hostile: a file
 * Airlock cannot read exactly fails the whole page, never a shortened file list.
 */
import { PageFormatError } from './page-error.ts';
import { decodeReferences, isSpace, scanHtml } from './html-tokens.ts';
import { isPlainObject, type PlainObject } from '../../core/index.ts';

export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';

/** One distribution file listed on a project page, as Airlock models it (PEP 503/691/700/714/592/740). */
export interface DistFile {
  /** A bare file name: the anchor text (HTML) or `filename` (JSON). */
  readonly filename: string;
  /** Absolute http(s) URL, resolved against the page, without the fragment. */
  readonly url: string;
  /** Algorithm (lower case) → lower-case hex. */
  readonly hashes: Readonly<Record<string, string>>;
  readonly requiresPython: string | null;
  /** JSON only (PEP 700). */
  readonly size: number | null;
  /** JSON only, as given when it has the RFC 3339 UTC shape PEP 700 asks for. */
  readonly uploadTime: string | null;
  /** PEP 714: whether the core metadata is served beside the file, with its hashes when known. */
  readonly coreMetadata: boolean | Readonly<Record<string, string>>;
  /** PEP 592: false, true, or a non-empty reason. */
  readonly yanked: false | true | string;
  /** Absolute URL of the PEP 740 provenance object. */
  readonly provenance: string | null;
}

export interface ProjectPage {
  /** The project's name as the page gives it (JSON `name`; HTML: the normalized name the caller passed). */
  readonly name: string;
  readonly files: readonly DistFile[];
  /** PEP 700 `versions` when the page lists them (JSON 1.1+), else null. */
  readonly versions: readonly string[] | null;
  /** `meta._last-serial` when a non-negative integer. */
  readonly lastSerial: number | null;
}

export interface PageLimits {
  readonly maxFiles: number;
  readonly maxAttributeChars: number;
}

export const DEFAULT_PAGE_LIMITS: PageLimits = Object.freeze({ maxFiles: 100_000, maxAttributeChars: 8192 });

export { PageFormatError };

function fail(message: string, cause?: unknown): never {
  throw new PageFormatError(message, cause === undefined ? undefined : { cause });
}

/** A hostile string in a message: cut short and JSON-quoted, so control characters stay visible. */
function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

function decodeUtf8(body: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (err) {
    return fail('the page is not valid UTF-8', err);
  }
}

const API_VERSION_RE = /^(\d{1,9})\.(\d{1,9})$/;

/** PEP 629: a major version Airlock does not know must not be read as if it were 1.x. */
function checkApiVersion(value: unknown, field: string): void {
  if (typeof value !== 'string') fail(`${field} is missing or not a string`);
  const m = API_VERSION_RE.exec(value);
  if (m === null || Number(m[1]) !== 1) fail(`${field} ${m === null ? quote(value) : value} is not supported`);
}

// Also refuses bidi controls, which would make a name read differently from what it is.
const UNSAFE_FILENAME_RE = /[/\\\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function checkFilename(where: string, name: string): string {
  if (name === '' || name === '.' || name === '..' || name.length > 255 || UNSAFE_FILENAME_RE.test(name)) {
    fail(`${where}: unsafe filename ${quote(name)}`);
  }
  return name;
}

function checkLength(where: string, field: string, value: string, limits: PageLimits): string {
  if (value.length > limits.maxAttributeChars) fail(`${where}: ${field} is longer than ${limits.maxAttributeChars} characters`);
  return value;
}

function resolveHttp(where: string, field: string, href: string, base: URL): URL {
  const url = URL.parse(href, base.href);
  if (url === null) fail(`${where}: ${field} is not a valid URL`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`${where}: ${field} has scheme ${quote(url.protocol)}; only http and https are served`);
  return url;
}

const ALGORITHM_RE = /^[a-z][a-z0-9_]{0,31}$/;
const HEX_RE = /^[0-9a-f]+$/;
// Digest lengths of the fixed-size algorithms: a truncated digest is malformed, not a mismatch to find later.
const HEX_LENGTH: ReadonlyMap<string, number> = new Map([
  ['md5', 32], ['sha1', 40], ['sha224', 56], ['sha256', 64], ['sha384', 96], ['sha512', 128],
  ['sha3_224', 56], ['sha3_256', 64], ['sha3_384', 96], ['sha3_512', 128],
]);
// hashlib.algorithms_guaranteed: the names a `#<alg>=<hex>` fragment may carry (other keys, like `#egg=`, are not hashes).
const FRAGMENT_ALGORITHMS: ReadonlySet<string> = new Set([...HEX_LENGTH.keys(), 'blake2b', 'blake2s', 'shake_128', 'shake_256']);

function addHash(out: Record<string, string>, where: string, field: string, name: string, hex: string): void {
  const alg = name.toLowerCase();
  if (!ALGORITHM_RE.test(alg)) fail(`${where}: ${field} names an invalid algorithm ${quote(name)}`);
  if (Object.hasOwn(out, alg)) fail(`${where}: ${field} gives ${alg} twice`);
  const value = hex.toLowerCase();
  if (!HEX_RE.test(value)) fail(`${where}: ${field}.${alg} is not hex`);
  const expected = HEX_LENGTH.get(alg);
  if (value.length % 2 !== 0 || (expected !== undefined && value.length !== expected)) {
    fail(`${where}: ${field}.${alg} has ${value.length} hex digits${expected === undefined ? '' : `, not ${expected}`}`);
  }
  out[alg] = value;
}

function jsonHashes(where: string, field: string, value: unknown): Record<string, string> {
  if (!isPlainObject(value)) fail(`${where}: ${field} is missing or not an object`);
  const out: Record<string, string> = {};
  for (const [name, hex] of Object.entries(value)) {
    if (typeof hex !== 'string') fail(`${where}: ${field}.${quote(name)} is not a string`);
    addHash(out, where, field, name, hex);
  }
  return out;
}

function checkUnique(files: readonly DistFile[]): void {
  const seen = new Set<string>();
  for (const [i, f] of files.entries()) {
    if (seen.has(f.filename)) fail(`file ${i} (${f.filename}): the filename is listed twice`);
    seen.add(f.filename);
  }
}

// --- JSON (PEP 691) ---------------------------------------------------------------------------

const UPLOAD_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;
// The draft of PEP 740 gave the SHA-256 of a sibling `<file>.provenance` here; that is not a URL to fetch.
const DRAFT_PROVENANCE_RE = /^[0-9a-f]{64}$/i;

function optionalString(where: string, field: string, value: unknown, limits: PageLimits): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(`${where}: ${field} is not a string`);
  return checkLength(where, field, value, limits);
}

function jsonFile(raw: unknown, i: number, pageUrl: URL, limits: PageLimits): DistFile {
  if (!isPlainObject(raw)) fail(`file ${i} is not an object`);
  if (typeof raw['filename'] !== 'string') fail(`file ${i}: filename is missing or not a string`);
  const filename = checkFilename(`file ${i}`, raw['filename']);
  const where = `file ${i} (${filename})`;
  const href = optionalString(where, 'url', raw['url'], limits);
  if (href === null) fail(`${where}: url is missing`);
  const url = resolveHttp(where, 'url', href, pageUrl);
  url.hash = '';
  const size = raw['size'];
  if (size !== undefined && size !== null && !(Number.isSafeInteger(size) && (size as number) >= 0)) fail(`${where}: size is not a non-negative integer`);
  const uploadTime = raw['upload-time'];
  const provenance = optionalString(where, 'provenance', raw['provenance'], limits);
  return {
    filename,
    url: url.href,
    hashes: jsonHashes(where, 'hashes', raw['hashes']),
    requiresPython: optionalString(where, 'requires-python', raw['requires-python'], limits) || null,
    size: typeof size === 'number' ? size : null,
    uploadTime: typeof uploadTime === 'string' && UPLOAD_TIME_RE.test(uploadTime) && !Number.isNaN(Date.parse(uploadTime)) ? uploadTime : null,
    coreMetadata: jsonCoreMetadata(where, raw),
    yanked: jsonYanked(where, raw['yanked'], limits),
    provenance: provenance === null || DRAFT_PROVENANCE_RE.test(provenance) ? null : resolveHttp(where, 'provenance', provenance, pageUrl).href,
  };
}

/** PEP 714: `core-metadata` first, then the older `dist-info-metadata` (pip reads a null as absent, so does Airlock). */
function jsonCoreMetadata(where: string, raw: PlainObject): DistFile['coreMetadata'] {
  const field = raw['core-metadata'] !== undefined && raw['core-metadata'] !== null ? 'core-metadata' : 'dist-info-metadata';
  const value = raw[field];
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  const hashes = jsonHashes(where, field, value);
  return Object.keys(hashes).length === 0 ? true : hashes;
}

function jsonYanked(where: string, value: unknown, limits: PageLimits): DistFile['yanked'] {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  if (typeof value !== 'string') fail(`${where}: yanked is neither a boolean nor a string`);
  // An empty reason still yanks the file: the safe reading of what PEP 691 forbids.
  return value === '' ? true : checkLength(where, 'yanked', value, limits);
}

export function parseProjectJson(body: Buffer, pageUrl: URL, limits: PageLimits = DEFAULT_PAGE_LIMITS): ProjectPage {
  let doc: unknown;
  try {
    doc = JSON.parse(decodeUtf8(body));
  } catch (err) {
    if (err instanceof PageFormatError) throw err;
    fail('the page is not valid JSON', err);
  }
  if (!isPlainObject(doc)) fail('the page is not a JSON object');
  const meta = doc['meta'];
  if (!isPlainObject(meta)) fail('meta is missing or not an object');
  checkApiVersion(meta['api-version'], 'api-version');
  const name = doc['name'];
  if (typeof name !== 'string' || name === '') fail('name is missing or not a string');
  checkLength('the page', 'name', name, limits);
  const files = doc['files'];
  if (!Array.isArray(files)) fail('files is missing or not an array');
  if (files.length > limits.maxFiles) fail(`the page lists ${files.length} files, more than the limit of ${limits.maxFiles}`);
  const parsed = files.map((raw, i) => jsonFile(raw, i, pageUrl, limits));
  checkUnique(parsed);
  const serial = meta['_last-serial'];
  return {
    name,
    files: parsed,
    versions: jsonVersions(doc['versions'], limits),
    lastSerial: Number.isSafeInteger(serial) && (serial as number) >= 0 ? (serial as number) : null,
  };
}

function jsonVersions(value: unknown, limits: PageLimits): readonly string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) fail('versions is not an array');
  if (value.length > limits.maxFiles) fail(`the page lists ${value.length} versions, more than the limit of ${limits.maxFiles}`);
  return value.map((v: unknown, i) => {
    if (typeof v !== 'string' || v === '') fail(`versions[${i}] is not a non-empty string`);
    return checkLength('the page', `versions[${i}]`, v, limits);
  });
}

// --- HTML (PEP 503) ---------------------------------------------------------------------------

interface Anchor {
  readonly attrs: ReadonlyMap<string, string>;
  text: string;
}

export function parseProjectHtml(body: Buffer, pageUrl: URL, normalizedName: string, limits: PageLimits = DEFAULT_PAGE_LIMITS): ProjectPage {
  const anchors: Anchor[] = [];
  const state: { open: Anchor | null; baseHref: string | null } = { open: null, baseHref: null };
  scanHtml(decodeUtf8(body), {
    start(tag) {
      if (tag.name === 'a') {
        state.open = null; // a new anchor ends the one before, as in HTML
        if (!tag.attrs.has('href')) return; // a named anchor, not a link
        if (tag.duplicate) fail(`anchor ${anchors.length} gives an attribute twice`);
        if (anchors.length >= limits.maxFiles) fail(`the page lists more than the limit of ${limits.maxFiles} files`);
        for (const [k, v] of tag.attrs) checkLength(`anchor ${anchors.length}`, k, v, limits);
        state.open = { attrs: tag.attrs, text: '' };
        anchors.push(state.open);
      } else if (tag.name === 'base') {
        // The first <base href> sets the document's base URL, wherever it stands (pip reads it so too).
        state.baseHref ??= tag.attrs.get('href') ?? null;
      } else if (tag.name === 'meta' && tag.attrs.get('name')?.toLowerCase() === 'pypi:repository-version') {
        checkApiVersion(tag.attrs.get('content'), 'pypi:repository-version');
      }
    },
    end(name) {
      if (name === 'a') state.open = null;
    },
    text(raw) {
      if (state.open === null) return;
      state.open.text += decodeReferences(raw);
      if (state.open.text.length > limits.maxAttributeChars) fail(`anchor ${anchors.length - 1}: its text is longer than ${limits.maxAttributeChars} characters`);
    },
  });
  // `</a>` is required in HTML5: an anchor still open at the end is a page cut short, and its text a filename cut short.
  if (state.open !== null) fail(`the page ends inside anchor ${anchors.length - 1}`);
  const base = state.baseHref === null ? pageUrl : (URL.parse(state.baseHref, pageUrl.href) ?? fail('<base href> is not a valid URL'));
  const files = anchors.map((a, i) => htmlFile(a, i, base));
  checkUnique(files);
  return { name: normalizedName, files, versions: null, lastSerial: null };
}

function htmlFile(a: Anchor, i: number, base: URL): DistFile {
  const filename = checkFilename(`file ${i}`, trimHtmlSpace(a.text));
  const where = `file ${i} (${filename})`;
  const url = resolveHttp(where, 'href', a.attrs.get('href') ?? '', base);
  const hashes: Record<string, string> = {};
  for (const part of url.hash.slice(1).split('&')) {
    const eq = part.indexOf('=');
    const alg = part.slice(0, eq).toLowerCase();
    if (eq > 0 && FRAGMENT_ALGORITHMS.has(alg)) addHash(hashes, where, 'the href fragment', alg, part.slice(eq + 1));
  }
  url.hash = '';
  const yanked = a.attrs.get('data-yanked');
  const provenance = a.attrs.get('data-provenance') ?? '';
  return {
    filename,
    url: url.href,
    hashes,
    requiresPython: a.attrs.get('data-requires-python') || null,
    size: null,
    uploadTime: null,
    coreMetadata: htmlCoreMetadata(where, a.attrs),
    yanked: yanked === undefined ? false : yanked === '' ? true : yanked,
    provenance: provenance === '' ? null : resolveHttp(where, 'data-provenance', provenance, base).href,
  };
}

/** Trims HTML's white space (not String#trim's Unicode spaces) without a regex that could backtrack. */
function trimHtmlSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

function htmlCoreMetadata(where: string, attrs: ReadonlyMap<string, string>): DistFile['coreMetadata'] {
  const field = attrs.has('data-core-metadata') ? 'data-core-metadata' : 'data-dist-info-metadata';
  const value = attrs.get(field);
  if (value === undefined) return false;
  if (value.trim().toLowerCase() === 'true') return true;
  const eq = value.indexOf('=');
  if (eq <= 0) fail(`${where}: ${field} is neither "true" nor <algorithm>=<hex>`);
  const hashes: Record<string, string> = {};
  addHash(hashes, where, field, value.slice(0, eq).trim(), value.slice(eq + 1).trim());
  return hashes;
}

/** Parse by content type: `application/vnd.pypi.simple.v1+json` -> JSON; `application/vnd.pypi.simple.v1+html` or `text/html` (parameters like charset allowed) -> HTML; anything else -> PageFormatError naming the type. */
export function parseProjectPage(body: Buffer, contentType: string | null, pageUrl: URL, normalizedName: string, limits: PageLimits = DEFAULT_PAGE_LIMITS): ProjectPage {
  if (contentType === null) fail('the page has no content type');
  const media = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  if (media === SIMPLE_JSON) return parseProjectJson(body, pageUrl, limits);
  if (media === SIMPLE_HTML || media === 'text/html') return parseProjectHtml(body, pageUrl, normalizedName, limits);
  return fail(`content type ${quote(media)} is not a Simple API project page`);
}
