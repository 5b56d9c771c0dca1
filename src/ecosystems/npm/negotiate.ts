/** Content negotiation for packuments and caching headers, memoised per distinct header value. */

const CORGI = 'application/vnd.npm.install-v1+json';
const MEMO_LIMIT = 256;

function qualityOf(accept: string, type: string): number {
  let best = -1;
  for (const part of accept.split(',')) {
    const [mediaRaw, ...params] = part.split(';');
    const media = (mediaRaw ?? '').trim().toLowerCase();
    if (media !== type) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m !== null) q = Number(m[1]);
    }
    if (Number.isFinite(q)) best = Math.max(best, q);
  }
  return best;
}

/** Memoised per distinct header value (clients send a handful of distinct values). */
export class Negotiation {
  readonly #corgi = new Map<string, boolean>();
  readonly #gzip = new Map<string, boolean>();

  /** The abbreviated document when the client prefers it (at least as much as full JSON). */
  wantsAbbreviated(accept: string | undefined): boolean {
    if (accept === undefined || accept === '') return false;
    return memo(this.#corgi, accept, () => {
      const corgi = qualityOf(accept, CORGI);
      return corgi > 0 && corgi >= qualityOf(accept, 'application/json');
    });
  }

  acceptsGzip(acceptEncoding: string | undefined): boolean {
    if (acceptEncoding === undefined || acceptEncoding === '') return false;
    return memo(this.#gzip, acceptEncoding, () => Math.max(qualityOf(acceptEncoding, 'gzip'), qualityOf(acceptEncoding, 'x-gzip'), qualityOf(acceptEncoding, '*')) > 0);
  }
}

function memo(map: Map<string, boolean>, key: string, compute: () => boolean): boolean {
  const hit = map.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

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
