/** HTTP pieces every ecosystem's plugin uses: conditional requests, and who asked. */
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
