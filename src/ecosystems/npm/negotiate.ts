/** Content negotiation for packuments, memoised per distinct header value. */
import { memo } from '../shared/memo.ts';
import { GzipNegotiation, qualityOf } from '../shared/negotiate.ts';

const CORGI = 'application/vnd.npm.install-v1+json';

/** The abbreviated packument or the full one, and gzip. */
export class Negotiation extends GzipNegotiation {
  readonly #corgi = new Map<string, boolean>();

  /** The abbreviated document when the client prefers it (at least as much as full JSON). */
  wantsAbbreviated(accept: string | undefined): boolean {
    if (accept === undefined || accept === '') return false;
    return memo(this.#corgi, accept, prefersCorgi);
  }
}

function prefersCorgi(accept: string): boolean {
  const corgi = qualityOf(accept, CORGI);
  return corgi > 0 && corgi >= qualityOf(accept, 'application/json');
}
