/**
 * The coordinates in a Hub URL, checked before anything is asked of the upstream: the repo type
 * (models have no URL prefix, datasets `datasets/`), the repo id (`namespace/name`, or one
 * legacy segment such as `gpt2`), the revision (a branch, a tag, a 40-hex commit or a ref such
 * as `refs/pr/1`, sent percent-encoded as one segment) and a file path inside the repo. The
 * raw URL is parsed, not the router's decoded one: `refs%2Fpr%2F1` is one segment.
 */
import { AirlockError } from '../../core/index.ts';

export type RepoType = 'model' | 'dataset';

export interface RepoRef {
  readonly type: RepoType;
  /** `namespace/name` as the client wrote it (the upstream's spelling replaces it once known). */
  readonly id: string;
}

/** What the Hub's API routes under `api/<type>s/<id>/` do. */
export type ApiAction =
  | { readonly kind: 'info'; readonly revision: string | null }
  | { readonly kind: 'tree'; readonly revision: string; readonly path: string }
  | { readonly kind: 'paths-info'; readonly revision: string };

const SEGMENT_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;
const REVISION_RE = /^[A-Za-z0-9][A-Za-z0-9._/+-]{0,254}$/;
export const COMMIT_RE = /^[0-9a-f]{40}$/;
const MAX_PATH_CHARS = 1024;
const MAX_PATH_SEGMENTS = 64;

/** The keywords that follow a repo id in the Hub's API paths. */
const API_ACTIONS = new Set(['revision', 'tree', 'paths-info']);

function notFound(message: string): AirlockError {
  return new AirlockError('NOT_FOUND', message);
}

function decode(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AirlockError('BAD_REQUEST', `the ${what} in the URL is not valid percent-encoding`);
  }
}

/** A repo id: one or two segments of letters, digits, `.`, `_` and `-`, as the Hub allows. */
export function checkRepoId(segments: readonly string[]): string {
  if (segments.length < 1 || segments.length > 2) throw notFound('a repo id is namespace/name');
  const parts = segments.map((s) => decode(s, 'repo id'));
  for (const p of parts) {
    if (!SEGMENT_RE.test(p) || p.includes('--') || p.includes('..')) {
      throw new AirlockError('INVALID_NAME', `${JSON.stringify(p.slice(0, 100))} is not a valid Hub repo name: letters, digits, ".", "_" and "-", at most 96 characters, not starting or ending with "." or "-"`);
    }
  }
  return parts.join('/');
}

/** A revision, decoded: a branch, tag, commit or ref. */
export function checkRevision(raw: string): string {
  const rev = decode(raw, 'revision');
  if (!REVISION_RE.test(rev) || rev.includes('..') || rev.includes('//') || rev.endsWith('/')) {
    throw new AirlockError('BAD_REQUEST', `${JSON.stringify(rev.slice(0, 100))} is not a valid revision`);
  }
  return rev;
}

/**
 * A file path inside a repo, from its URL segments (each decoded): no empty, `.` or `..`
 * segment, no backslash or control character. What a client writes under its cache is named by
 * this path, so nothing that could climb out of a folder passes.
 */
export function checkFilePath(segments: readonly string[]): string {
  if (segments.length === 0) throw notFound('no file path');
  return checkPathParts(segments.map((s) => decode(s, 'file path')));
}

/**
 * A file path as the Hub lists it (a tree entry's `path`): plain text, not a URL, so a `%` in it
 * is part of the name (`100%.txt`), checked as `checkFilePath` checks a decoded one.
 */
export function checkListedPath(path: string): string {
  return checkPathParts(path.split('/'));
}

/**
 * A lone surrogate is refused too: no client can write it as a UTF-8 file name, and it has no
 * URL (`encodeURIComponent` throws on it).
 */
function checkPathParts(parts: readonly string[]): string {
  if (parts.length > MAX_PATH_SEGMENTS) throw new AirlockError('BAD_REQUEST', `the file path has more than ${MAX_PATH_SEGMENTS} segments`);
  const path = parts.join('/');
  if (path.length > MAX_PATH_CHARS) throw new AirlockError('BAD_REQUEST', `the file path is longer than ${MAX_PATH_CHARS} characters`);
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..' || p.includes('/') || p.includes('\\') || /[\u0000-\u001f\u007f]/.test(p) || !p.isWellFormed()) {
      throw new AirlockError('BAD_REQUEST', `${JSON.stringify(path.slice(0, 200))} is not a valid file path in a repo`);
    }
  }
  return path;
}

/** A path inside the repo as the tree API takes it (may be empty: the root). */
export function checkTreePath(segments: readonly string[]): string {
  const s = segments.at(-1) === '' ? segments.slice(0, -1) : segments;
  return s.length === 0 ? '' : checkFilePath(s);
}

/** `api/models/<id>…` or `api/datasets/<id>…`: the repo and what is asked of it. */
export function parseApiPath(type: RepoType, rest: string): { readonly repo: RepoRef; readonly action: ApiAction } {
  const segs = rest.split('/');
  let idLength: number;
  if (segs.length >= 3 && API_ACTIONS.has(segs[2] as string)) idLength = 2;
  else if (segs.length >= 2 && API_ACTIONS.has(segs[1] as string)) idLength = 1;
  else if (segs.length <= 2 && segs.every((s) => s !== '')) idLength = segs.length;
  else throw notFound(`Airlock does not serve api/${type}s/${rest.slice(0, 200)}`);
  const repo = { type, id: checkRepoId(segs.slice(0, idLength)) };
  if (type === 'model' && repo.id.toLowerCase().startsWith('datasets/')) {
    // The Hub's URLs give this id to a dataset (datasets/<name>): as a model it would be named,
    // gated, recorded and downloaded (<name>/resolve/…) as that dataset. In any case: the
    // upstream's spelling of an id, which may differ in case only, replaces the client's.
    throw new AirlockError('INVALID_NAME', `${JSON.stringify(repo.id.slice(0, 100))} is not a model id: the Hub names the dataset ${JSON.stringify(repo.id.slice('datasets/'.length, 100))} so`);
  }
  const keyword = segs[idLength];
  const tail = segs.slice(idLength + 1);
  if (keyword === undefined) return { repo, action: { kind: 'info', revision: null } };
  const rev = tail[0];
  if (rev === undefined || rev === '') throw notFound(`api/${type}s/${repo.id}/${keyword} needs a revision`);
  if (keyword === 'revision') {
    if (tail.length !== 1) throw notFound(`Airlock does not serve api/${type}s/${rest.slice(0, 200)}`);
    return { repo, action: { kind: 'info', revision: checkRevision(rev) } };
  }
  if (keyword === 'paths-info') {
    if (tail.length !== 1) throw notFound(`Airlock does not serve api/${type}s/${rest.slice(0, 200)}`);
    return { repo, action: { kind: 'paths-info', revision: checkRevision(rev) } };
  }
  return { repo, action: { kind: 'tree', revision: checkRevision(rev), path: checkTreePath(tail.slice(1)) } };
}

/** `[datasets/]<id>/resolve/<rev>/<path>`: a file at a revision. */
export function parseResolvePath(raw: string): { readonly repo: RepoRef; readonly revision: string; readonly path: string } | null {
  let segs = raw.split('/');
  let type: RepoType = 'model';
  if (segs[0] === 'datasets') {
    type = 'dataset';
    segs = segs.slice(1);
  }
  let idLength: number;
  if (segs.length >= 5 && segs[2] === 'resolve') idLength = 2;
  else if (segs.length >= 4 && segs[1] === 'resolve') idLength = 1;
  else return null;
  return {
    repo: { type, id: checkRepoId(segs.slice(0, idLength)) },
    revision: checkRevision(segs[idLength + 1] as string),
    path: checkFilePath(segs.slice(idLength + 2)),
  };
}

/**
 * The repo as the Hub's URLs write it (models have no prefix) and as Airlock's gate, records and
 * purls name it: the id for a model, `datasets/<id>` for a dataset.
 */
export function repoName(repo: RepoRef): string {
  return repo.type === 'dataset' ? `datasets/${repo.id}` : repo.id;
}

/**
 * A repo named as `repoName` names it (`acme/tiny`, `datasets/acme/corpus`), its id checked as a
 * URL's is. Throws INVALID_NAME.
 */
export function repoOfName(name: string): RepoRef {
  const segs = name.split('/');
  const type: RepoType = segs[0] === 'datasets' && segs.length > 1 ? 'dataset' : 'model';
  const id = type === 'dataset' ? segs.slice(1) : segs;
  if (id.length > 2 || id.some((s) => s === '')) throw new AirlockError('INVALID_NAME', `${JSON.stringify(name.slice(0, 200))} is not a Hub repo: ORG/NAME for a model, datasets/ORG/NAME for a dataset`);
  return { type, id: checkRepoId(id) };
}

/** A file path as a URL path (each segment encoded). */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** How a repo at a commit is named in messages, as the policy's `package_label` names it: `acme/tiny@0123456789ab`. */
export function commitLabel(name: string, commit: string): string {
  return `${name}@${commit.slice(0, 12)}`;
}
