/** HTTP pieces every ecosystem's plugin uses: conditional requests, who asked, the path asked for. */
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../storage/ports/index.ts';

/** Whether an If-None-Match header matches the ETag (weak comparison, lists and `*`). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch === etag) return true;
  const bare = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const part of ifNoneMatch.split(',')) {
    const t = part.trim();
    if (t === '*' || t === bare || t === `W/${bare}`) return true;
  }
  return false;
}

/** Requester identity as the gate keys artifact decisions (policies may use `input.request`). */
export function requesterKey(r: RequestContext): string {
  return `${r.tokenId ?? ''}\0${r.role ?? ''}\0${r.userAgent ?? ''}\0${r.agent ?? ''}\0${r.ip ?? ''}`;
}

/**
 * The URL path after a plugin's prefix, still percent-encoded, and its query: ids and names are
 * checked as the client wrote them (`refs%2Fpr%2F1` is one Hub segment; an encoded image name is refused).
 */
export function rawTarget(request: FastifyRequest, prefix: string): { readonly path: string; readonly query: URLSearchParams } {
  const url = request.url;
  const q = url.indexOf('?');
  return { path: (q === -1 ? url : url.slice(0, q)).slice(prefix.length + 1), query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)) };
}
