/**
 * The Hub's JSON as Airlock reads it from the upstream: a repo's info at a revision and its tree
 * pages. Hostile input: every field is checked for type and bound, a file path must be one a
 * client could write safely, a hash must look like one, and anything wrong is an error that
 * names it (UPSTREAM_BAD_RESPONSE), never a quietly shorter list.
 */
import { AirlockError, jsonKind, nestsDeeper } from '../../core/index.ts';
import { checkListedPath, COMMIT_RE } from './hub-ids.ts';

const MAX_TAGS = 64;
const MAX_TEXT = 256;
/** Siblings kept from an info document (what the metadata phase lists); the count is whole. */
const MAX_SIBLINGS_KEPT = 10_000;
/**
 * Levels an info document may nest (itself the first). It is served to clients as it is read,
 * written back with JSON.stringify, which recurses once per level; the Hub's deepest (`cardData`'s
 * model-index results) nest about ten.
 */
const MAX_INFO_DEPTH = 64;

export interface HubRepoInfo {
  /** The upstream's spelling of the repo id. */
  readonly id: string;
  /** The commit the revision resolved to. */
  readonly sha: string;
  readonly lastModified: string | null;
  readonly createdAt: string | null;
  readonly gated: false | 'auto' | 'manual';
  readonly private: boolean;
  readonly disabled: boolean;
  readonly downloads: number | null;
  readonly likes: number | null;
  readonly libraryName: string | null;
  readonly pipelineTag: string | null;
  readonly tags: readonly string[];
  /** The files of the revision (`siblings[].rfilename`), at most MAX_SIBLINGS_KEPT. */
  readonly siblings: readonly string[];
  readonly siblingCount: number;
}

export interface HubLfs {
  /** The content's sha256 (hex). */
  readonly sha256: string;
  readonly size: number;
  readonly pointerSize: number;
}

export interface HubTreeEntry {
  readonly type: 'file' | 'directory';
  readonly path: string;
  /** The git object id (sha1, hex): of the content for a regular file, of the pointer for an LFS file. */
  readonly oid: string;
  readonly size: number;
  readonly lfs: HubLfs | null;
}

function bad(what: string, message: string): AirlockError {
  return new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream's ${what} ${message}`);
}

function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw bad(what, 'is not JSON');
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalText(v: unknown, what: string, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw bad(what, `has a ${field} that is not a string`);
  return v.slice(0, MAX_TEXT);
}

function optionalDate(v: unknown, what: string, field: string): string | null {
  const text = optionalText(v, what, field);
  if (text === null) return null;
  const t = Date.parse(text);
  if (!Number.isFinite(t)) throw bad(what, `has a ${field} that is not a date: ${JSON.stringify(text.slice(0, 40))}`);
  return new Date(t).toISOString();
}

function optionalCount(v: unknown, what: string, field: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(what, `has a ${field} that is not a count`);
  return v;
}

function size(v: unknown, what: string, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(what, `has a ${field} that is not a size in bytes`);
  return v;
}

/** `api/<type>s/<id>/revision/<rev>` (or the info without a revision): the repo and the commit it points at. */
export function parseRepoInfo(body: Buffer, what: string): { readonly info: HubRepoInfo; readonly document: Readonly<Record<string, unknown>> } {
  const doc = parseJson(body, what);
  if (!isObject(doc)) throw bad(what, 'is not a JSON object');
  if (nestsDeeper(doc, MAX_INFO_DEPTH)) throw bad(what, `nests deeper than ${MAX_INFO_DEPTH} levels`);
  return { info: repoInfo(doc, what), document: doc };
}

function repoInfo(doc: Record<string, unknown>, what: string): HubRepoInfo {
  const id = doc['id'];
  if (typeof id !== 'string' || id.length > 200) throw bad(what, 'has no repo id');
  const sha = doc['sha'];
  if (typeof sha !== 'string' || !COMMIT_RE.test(sha)) throw bad(what, 'has no commit (sha)');
  const gated = doc['gated'];
  if (gated !== undefined && gated !== null && gated !== false && gated !== 'auto' && gated !== 'manual') throw bad(what, 'has a gated value that is not false, "auto" or "manual"');
  const tags = doc['tags'];
  if (tags !== undefined && tags !== null && !Array.isArray(tags)) throw bad(what, 'has tags that are not a list');
  const siblings = doc['siblings'];
  if (siblings !== undefined && siblings !== null && !Array.isArray(siblings)) throw bad(what, 'has siblings that are not a list');
  const names: string[] = [];
  for (const s of (siblings ?? []) as unknown[]) {
    if (!isObject(s) || typeof s['rfilename'] !== 'string') throw bad(what, 'has a sibling without a file name');
    if (names.length < MAX_SIBLINGS_KEPT) names.push(s['rfilename'].slice(0, 1024));
  }
  return {
    id,
    sha,
    lastModified: optionalDate(doc['lastModified'], what, 'lastModified'),
    createdAt: optionalDate(doc['createdAt'], what, 'createdAt'),
    gated: gated === 'auto' || gated === 'manual' ? gated : false,
    private: doc['private'] === true,
    disabled: doc['disabled'] === true,
    downloads: optionalCount(doc['downloads'], what, 'downloads'),
    likes: optionalCount(doc['likes'], what, 'likes'),
    libraryName: optionalText(doc['library_name'], what, 'library_name'),
    pipelineTag: optionalText(doc['pipeline_tag'], what, 'pipeline_tag'),
    tags: ((tags ?? []) as unknown[]).filter((t): t is string => typeof t === 'string').slice(0, MAX_TAGS).map((t) => t.slice(0, MAX_TEXT)),
    siblings: names,
    siblingCount: ((siblings ?? []) as unknown[]).length,
  };
}

function entryPath(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw bad(what, 'has an entry without a path');
  try {
    return checkListedPath(v);
  } catch {
    throw bad(what, `lists a path a client could not write safely: ${JSON.stringify(v.slice(0, 200))}`);
  }
}

/** One page of `api/<type>s/<id>/tree/<commit>?recursive=true`: its entries, checked. */
export function parseTreePage(body: Buffer, what: string): HubTreeEntry[] {
  const doc = parseJson(body, what);
  if (!Array.isArray(doc)) throw bad(what, 'is not a JSON list');
  const out: HubTreeEntry[] = [];
  for (const e of doc as unknown[]) {
    if (!isObject(e)) throw bad(what, 'has an entry that is not an object');
    const type = e['type'];
    // Not String(type): a JSON object with a toString member that is not a function makes it throw.
    if (type !== 'file' && type !== 'directory') throw bad(what, `has an entry of type ${typeof type === 'string' ? JSON.stringify(type.slice(0, 20)) : `${jsonKind(type)} (not a string)`}`);
    const path = entryPath(e['path'], what);
    const oid = e['oid'];
    if (typeof oid !== 'string' || !/^[0-9a-f]{40}$/.test(oid)) throw bad(what, `has no git object id for ${path}`);
    const entrySize = type === 'file' ? size(e['size'], what, `size for ${path}`) : 0;
    let lfs: HubLfs | null = null;
    const l = e['lfs'];
    if (type === 'file' && l !== undefined && l !== null) {
      if (!isObject(l)) throw bad(what, `has an lfs entry for ${path} that is not an object`);
      const sha256 = l['oid'];
      if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw bad(what, `has no sha256 for the LFS file ${path}`);
      const lfsSize = size(l['size'], what, `LFS size for ${path}`);
      if (lfsSize !== entrySize) throw bad(what, `gives ${path} two sizes (${entrySize} and LFS ${lfsSize})`);
      lfs = { sha256, size: lfsSize, pointerSize: l['pointerSize'] === undefined ? 0 : size(l['pointerSize'], what, `pointer size for ${path}`) };
    }
    out.push({ type, path, oid, size: entrySize, lfs });
  }
  return out;
}

/**
 * The next page's URL from a `Link` header (`<url>; rel="next"`), resolved against `base`, or
 * null. A next page that is no URL is an UPSTREAM_BAD_RESPONSE about `what`, not the URL
 * parser's TypeError.
 */
export function nextLink(link: string | null | undefined, base: URL, what: string): URL | null {
  if (link === null || link === undefined || link.length > 8192) return null;
  for (const part of link.split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m === null || !/(?:^|;)\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(m[2] as string)) continue;
    const next = URL.parse(m[1] as string, base.href);
    if (next === null) throw bad(what, `names a next page that is not a URL: ${JSON.stringify((m[1] as string).slice(0, 200))}`);
    return next;
  }
  return null;
}
