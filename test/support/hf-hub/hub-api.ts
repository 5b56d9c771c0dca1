/**
 * The fixture Hub's `/api/<type>s/<id>/…` read routes: repo info, `tree` (paginated with a
 * `cursor` and an absolute `Link: <…>; rel="next"`), and `paths-info` (JSON or form body).
 */
import type { Exchange } from './hub-exchange.ts';
import type { HubCommit, HubRepo, HubRepos } from './hub-repos.ts';
import { entryJson, listTree, lookup, repoInfoJson } from './hub-views.ts';
import { encodePath, readBounded, takeRevision } from './http-bits.ts';

export interface HubApiContext {
  readonly repos: HubRepos;
  /** The Hub's own origin (`http://127.0.0.1:<port>`), which `Link` URLs name. */
  readonly hubUrl: string;
  readonly pageSize: number;
  /** Tree pages from this index on answer a body that is not JSON; null: none. */
  readonly brokenTreeFromPage: number | null;
}

/** paths-info bodies larger than this are refused (413). */
export const PATHS_INFO_BODY_CAP = 1024 * 1024;

const truthy = (v: string | null): boolean => v !== null && /^(1|true)$/i.test(v);

function commitOr404(x: Exchange, repo: HubRepo, ctx: HubApiContext, revision: string): HubCommit | undefined {
  const commit = ctx.repos.resolve(repo, revision);
  if (commit === undefined) x.error(404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
  return commit;
}

/** `GET /api/<type>s/<id>` and `/api/<type>s/<id>/revision/<rev>`. */
export function repoInfo(ctx: HubApiContext, x: Exchange, repo: HubRepo, revision: string): void {
  const commit = commitOr404(x, repo, ctx, revision);
  if (commit === undefined) return;
  const expand = [...x.query.getAll('expand'), ...x.query.getAll('expand[]')];
  x.json(200, repoInfoJson(repo, commit, { blobs: truthy(x.query.get('blobs')), expand }));
}

interface Cursor {
  readonly offset: number;
}

function decodeCursor(raw: string | null): Cursor | null | 'bad' {
  if (raw === null || raw === '') return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof v === 'object' && v !== null && 'offset' in v && Number.isSafeInteger(v.offset) && (v.offset as number) >= 0) return { offset: v.offset as number };
  } catch {
    // falls through
  }
  return 'bad';
}

/** `GET /api/<type>s/<id>/tree/<rev>[/<path>]?recursive=&expand=&cursor=`. */
export function tree(ctx: HubApiContext, x: Exchange, repo: HubRepo, segs: readonly string[]): void {
  const taken = takeRevision(segs);
  if (taken === null) return x.error(404, undefined, 'Not Found');
  const commit = commitOr404(x, repo, ctx, taken.revision);
  if (commit === undefined) return;
  const path = taken.rest.join('/').replace(/\/+$/, '');
  const recursive = truthy(x.query.get('recursive'));
  const expand = truthy(x.query.get('expand'));
  const entries = listTree(commit, path, recursive);
  if (entries === undefined) return x.error(404, 'EntryNotFound', `Entry not found`, { 'x-repo-commit': commit.id });
  const cursor = decodeCursor(x.query.get('cursor'));
  if (cursor === 'bad') return x.error(400, undefined, 'Invalid cursor');
  const offset = cursor?.offset ?? 0;
  const size = Math.max(1, ctx.pageSize);
  if (ctx.brokenTreeFromPage !== null && Math.floor(offset / size) >= ctx.brokenTreeFromPage) {
    return x.send(200, { 'content-type': 'application/json; charset=utf-8' }, '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>\n');
  }
  const page = entries.slice(offset, offset + size).map((e) => entryJson(repo, e, expand));
  const headers: Record<string, string> = {};
  if (offset + size < entries.length) {
    const q = new URLSearchParams(x.query);
    q.set('cursor', Buffer.from(JSON.stringify({ offset: offset + size } satisfies Cursor)).toString('base64url'));
    const at = `${ctx.hubUrl}/api/${repo.type}s/${repo.id}/tree/${encodeURIComponent(taken.revision)}${path === '' ? '' : `/${encodePath(path)}`}`;
    headers['link'] = `<${at}?${q.toString()}>; rel="next"`;
  }
  x.json(200, page, headers);
}

/** `POST /api/<type>s/<id>/paths-info/<rev>` with `{"paths": […], "expand": …}` or `paths=a&paths=b&expand=true`. */
export async function pathsInfo(ctx: HubApiContext, x: Exchange, repo: HubRepo, segs: readonly string[]): Promise<void> {
  const body = await readBounded(x.req, PATHS_INFO_BODY_CAP);
  if (body === null) {
    x.error(413, undefined, 'Payload Too Large', { connection: 'close' });
    return;
  }
  const revision = segs.join('/');
  if (revision === '') return x.error(404, undefined, 'Not Found');
  const commit = commitOr404(x, repo, ctx, revision);
  if (commit === undefined) return;
  let paths: unknown;
  let expand: unknown;
  if ((x.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(body.toString('utf8'));
    paths = form.getAll('paths');
    expand = truthy(form.get('expand'));
  } else {
    try {
      const v: unknown = JSON.parse(body.toString('utf8'));
      if (typeof v === 'object' && v !== null) ({ paths, expand } = v as { paths?: unknown; expand?: unknown });
    } catch {
      return x.error(400, undefined, 'Invalid JSON body');
    }
  }
  if (typeof paths === 'string') paths = [paths];
  if (!Array.isArray(paths) || !paths.every((p): p is string => typeof p === 'string')) return x.error(400, undefined, '"paths" must be an array of strings');
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const raw of paths) {
    const p = raw.replace(/\/+$/, '');
    if (seen.has(p)) continue;
    seen.add(p);
    const item = lookup(commit, p);
    if (item !== undefined) out.push(entryJson(repo, item, expand === true || expand === 'true'));
  }
  x.json(200, out);
}
