/**
 * `/<id>/resolve/<rev>/<path>` (and `/datasets/<id>/resolve/…`) as the Hub answers it, and the
 * separate CDN origin LFS files are redirected to.
 *
 * Regular files: 200 with the bytes, `ETag: "<git blob sha1>"`, `X-Repo-Commit`, ranges.
 * LFS files: 302 to a signed CDN URL with `X-Linked-Etag: "<sha256>"`, `X-Linked-Size`, and, for
 * Xet-backed files, `X-Xet-Hash` and `Link: <…/xet-read-token/<sha>>; rel="xet-auth", <…>;
 * rel="xet-reconstruction-info"`; when the client asks for `application/vnd.xet-fileinfo+json`
 * (`@huggingface/hub` does), a Xet-backed file is answered with Xet file info instead (200, no
 * bytes), as the Hub does. The CDN serves content by sha256 under URLs whose signature it checks.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Exchange } from './hub-exchange.ts';
import type { HubRepo, HubRepos } from './hub-repos.ts';
import { listedSize } from './hub-views.ts';
import { takeRevision } from './http-bits.ts';

export interface ResolveContext {
  readonly repos: HubRepos;
  readonly hubUrl: string;
  readonly cdnUrl: string;
  readonly xetFileInfo: boolean;
  readonly cdnDelayMs: number;
  readonly cdnSecret: Buffer;
  /** The bytes served for content with this sha256 (other bytes when a test tampered with it). */
  served(sha256: string, real: Buffer): Buffer;
  /** LFS content by sha256. */
  blob(sha256: string): Buffer | undefined;
}

const XET_FILEINFO = 'application/vnd.xet-fileinfo+json';
const TEXT_EXTENSIONS = /\.(json|txt|md|py|yaml|yml|cfg|ini|toml|jinja|csv|tsv|gitattributes)$/i;

function disposition(kind: 'inline' | 'attachment', path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return `${kind}; filename*=UTF-8''${encodeURIComponent(name)}; filename="${name.replace(/[^\x20-\x7e]|"/g, '_')}";`;
}

function signature(secret: Buffer, path: string, expires: string): string {
  return createHmac('sha256', secret).update(`${path}\n${expires}`).digest('hex');
}

/** The resolve route, after `resolve` in the path. `authorized`: the request carried a valid token. */
export function resolveFile(ctx: ResolveContext, x: Exchange, repo: HubRepo, segs: readonly string[], authorized: boolean): void {
  if (x.method !== 'GET' && x.method !== 'HEAD') return x.send(405, { allow: 'GET, HEAD' });
  const taken = takeRevision(segs);
  if (taken === null) return x.error(404, 'EntryNotFound', 'Entry not found');
  const commit = ctx.repos.resolve(repo, taken.revision);
  if (commit === undefined) return x.error(404, 'RevisionNotFound', `Invalid rev id: ${taken.revision}`);
  if (repo.spec.gated !== undefined && repo.spec.gated !== false && !authorized) {
    return x.error(401, 'GatedRepo', `Access to ${repo.type} ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
  }
  const path = taken.rest.join('/');
  const file = commit.files.get(path);
  if (file === undefined) return x.error(404, 'EntryNotFound', 'Entry not found', { 'x-repo-commit': commit.id });
  const common: Record<string, string> = { 'x-repo-commit': commit.id, vary: 'Origin, Accept, Range', 'access-control-expose-headers': 'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,Content-Range,X-Linked-Size,X-Linked-ETag,X-Xet-Hash' };
  if (!file.lfs) {
    const bytes = ctx.served(file.sha256, file.bytes);
    return x.bytes({ ...common, 'content-type': TEXT_EXTENSIONS.test(path) ? 'text/plain; charset=utf-8' : 'application/octet-stream', etag: `"${file.oid}"`, 'content-disposition': disposition('inline', path) }, bytes);
  }
  const linked: Record<string, string> = { ...common, 'x-linked-etag': `"${file.sha256}"`, 'x-linked-size': String(listedSize(repo, file)), etag: `"${file.oid}"` };
  if (file.xetHash !== undefined) {
    const auth = `${ctx.hubUrl}/api/${repo.type}s/${repo.id}/xet-read-token/${commit.id}`;
    const reconstruction = `${ctx.cdnUrl}/v1/reconstructions/${file.xetHash}`;
    linked['x-xet-hash'] = file.xetHash;
    linked['link'] = `<${auth}>; rel="xet-auth", <${reconstruction}>; rel="xet-reconstruction-info"`;
    if (ctx.xetFileInfo && (x.header('accept') ?? '').includes(XET_FILEINFO)) {
      return x.send(200, { ...linked, 'content-type': XET_FILEINFO }, JSON.stringify({ hash: file.xetHash, refreshUrl: auth, reconstructionUrl: reconstruction, etag: file.sha256, size: listedSize(repo, file) }));
    }
  }
  const cdnPath = `/repos/${file.sha256.slice(0, 2)}/${file.sha256.slice(2, 4)}/${file.sha256}`;
  const expires = String(Math.floor(Date.now() / 1000) + 3600);
  const q = new URLSearchParams({ 'response-content-disposition': disposition('attachment', path), Expires: expires, Signature: signature(ctx.cdnSecret, cdnPath, expires) });
  const location = `${ctx.cdnUrl}${cdnPath}?${q.toString()}`;
  x.send(302, { ...linked, location, 'content-type': 'text/plain; charset=utf-8' }, `Found. Redirecting to ${location}`);
}

/** The CDN origin: `/repos/<xx>/<yy>/<sha256>?…&Expires=&Signature=` (signature checked), ranges, an optional delay. */
export async function cdn(ctx: ResolveContext, x: Exchange): Promise<void> {
  if (x.method !== 'GET' && x.method !== 'HEAD') return x.send(405, { allow: 'GET, HEAD' });
  const denied = (code: string, message: string): void =>
    x.send(403, { 'content-type': 'application/xml' }, `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`);
  if (x.pathname.startsWith('/v1/reconstructions/')) return x.json(501, { error: 'the fixture CDN does not implement Xet reconstruction' });
  const m = /^\/repos\/[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(x.pathname);
  if (m?.[1] === undefined) return denied('AccessDenied', 'Access Denied');
  const expires = x.query.get('Expires') ?? '';
  const given = Buffer.from(x.query.get('Signature') ?? '', 'utf8');
  const wanted = Buffer.from(signature(ctx.cdnSecret, x.pathname, expires), 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return denied('AccessDenied', 'Invalid signature');
  if (!(Number(expires) * 1000 > Date.now())) return denied('AccessDenied', 'Request has expired');
  const real = ctx.blob(m[1]);
  if (real === undefined) return denied('NoSuchKey', 'The specified key does not exist.');
  if (ctx.cdnDelayMs > 0) await new Promise((r) => setTimeout(r, ctx.cdnDelayMs));
  const bytes = ctx.served(m[1], real);
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    etag: `"${createHash('md5').update(real).digest('hex')}"`,
    'cache-control': 'public, max-age=604800, immutable',
  };
  const cd = x.query.get('response-content-disposition');
  if (cd !== null) headers['content-disposition'] = cd;
  x.bytes(headers, bytes);
}
