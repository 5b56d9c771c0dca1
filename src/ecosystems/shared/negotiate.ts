/** Content negotiation every ecosystem's plugin shares, memoised per distinct header value (clients send a handful). */

export const MEMO_LIMIT = 256;

/** The q-value a header gives `type` (-1 when it does not name it). */
export function qualityOf(accept: string, type: string): number {
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

/** `compute(key)`, kept by key: a function of the key alone, so that a hit makes no closure. */
export function memo(map: Map<string, boolean>, key: string, compute: (key: string) => boolean): boolean {
  const hit = map.get(key);
  if (hit !== undefined) return hit;
  const value = compute(key);
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

export class GzipNegotiation {
  readonly #gzip = new Map<string, boolean>();

  acceptsGzip(acceptEncoding: string | undefined): boolean {
    if (acceptEncoding === undefined || acceptEncoding === '') return false;
    return memo(this.#gzip, acceptEncoding, takesGzip);
  }
}

function takesGzip(acceptEncoding: string): boolean {
  return Math.max(qualityOf(acceptEncoding, 'gzip'), qualityOf(acceptEncoding, 'x-gzip'), qualityOf(acceptEncoding, '*')) > 0;
}
