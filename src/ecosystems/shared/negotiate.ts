/** Content negotiation every ecosystem's plugin shares, memoised per distinct header value (clients send a handful). */

import { memo } from './memo.ts';

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
