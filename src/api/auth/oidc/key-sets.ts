/**
 * An issuer's signing keys: its JWKS, at the configured `jwksUri` or the `jwks_uri` of its
 * discovery document (`<issuer>/.well-known/openid-configuration`, whose `issuer` must be the
 * configured one). Kept for a while; fetched again once when a token names a key the set lacks
 * (the issuer rotated), but not more often than every `refetchAfterMs`, so tokens with made-up
 * key ids cannot make Airlock hammer the issuer. Concurrent requests share one fetch. When a
 * fetch fails, the keys fetched before serve for up to `maxStaleMs`; with none, the exchange is
 * refused as unavailable, and the failure is remembered for `retryAfterMs`.
 */
import { isAirlockError } from '../../../core/index.ts';
import { DEFAULT_JWKS_LIMITS, isJwtError, parseJwks, type JwksLimits, type JwtKeySet } from '../../../verify/index.ts';
import { DiscoveryError, fetchDiscovery } from './discovery.ts';
import { OidcRefusal } from './refusal.ts';
import type { OidcIssuer } from './types.ts';

/** Fetches an issuer's documents; the app wires it to the upstream module's HTTP client. */
export interface OidcDocumentFetcher {
  /** The body of a successful GET of `url`, at most `maxBytes` (an AirlockError past it, or on any failure). */
  fetch(url: URL, maxBytes: number): Promise<Buffer>;
}

export interface KeyCacheOptions {
  /** How long a fetched key set is used before it is fetched again. */
  readonly ttlMs: number;
  /** The shortest time between two fetches for a key id the set lacks. */
  readonly refetchAfterMs: number;
  /** After a failed fetch, how long to answer from it before fetching again. */
  readonly retryAfterMs: number;
  /** How long keys fetched before serve when fetching again fails. */
  readonly maxStaleMs: number;
  readonly limits: JwksLimits;
  /** Bytes of the discovery document. */
  readonly maxDiscoveryBytes: number;
}

export const DEFAULT_KEY_CACHE: KeyCacheOptions = Object.freeze({
  ttlMs: 10 * 60_000,
  refetchAfterMs: 30_000,
  retryAfterMs: 5_000,
  maxStaleMs: 60 * 60_000,
  limits: DEFAULT_JWKS_LIMITS,
  maxDiscoveryBytes: 64 * 1024,
});

function unavailable(issuer: string, what: string, err: unknown): OidcRefusal {
  const why = isAirlockError(err) || isJwtError(err) ? err.message : 'the request failed';
  return new OidcRefusal('keys-unavailable', `the signing keys of ${issuer} are out of reach: ${what}: ${why}`, { issuer }, err);
}

export class IssuerKeys {
  readonly #issuer: OidcIssuer;
  readonly #fetcher: OidcDocumentFetcher;
  readonly #now: () => number;
  readonly #o: KeyCacheOptions;
  #cached: { readonly set: JwtKeySet; readonly at: number } | null = null;
  #failure: { readonly error: OidcRefusal; readonly at: number } | null = null;
  #inflight: Promise<JwtKeySet> | null = null;

  constructor(deps: { readonly fetcher: OidcDocumentFetcher; readonly now: () => number }, issuer: OidcIssuer, options: KeyCacheOptions = DEFAULT_KEY_CACHE) {
    this.#issuer = issuer;
    this.#fetcher = deps.fetcher;
    this.#now = deps.now;
    this.#o = options;
  }

  /** The key set to verify a token that names `kid` (null: none) with; an OidcRefusal when there is none to be had. */
  async keysFor(kid: string | null): Promise<JwtKeySet> {
    const now = this.#now();
    const cached = this.#cached;
    if (cached !== null && now - cached.at < this.#o.ttlMs) {
      const known = kid === null || cached.set.keys.some((k) => k.kid === kid) || cached.set.unusable.some((u) => u.kid === kid);
      if (known || now - cached.at < this.#o.refetchAfterMs) return cached.set;
    }
    const failure = this.#failure;
    if (failure !== null && now - failure.at < this.#o.retryAfterMs) return this.#staleOr(failure.error, now);
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = null;
    });
    try {
      return await this.#inflight;
    } catch (err) {
      const refusal = err instanceof OidcRefusal ? err : unavailable(this.#issuer.issuer, 'fetching them failed', err);
      this.#failure = { error: refusal, at: this.#now() };
      return this.#staleOr(refusal, now);
    }
  }

  #staleOr(error: OidcRefusal, now: number): JwtKeySet {
    const cached = this.#cached;
    if (cached !== null && now - cached.at < this.#o.maxStaleMs) return cached.set;
    throw error;
  }

  async #fetch(): Promise<JwtKeySet> {
    const issuer = this.#issuer.issuer;
    const url = this.#issuer.jwksUri === null ? await this.#discover() : new URL(this.#issuer.jwksUri);
    let set: JwtKeySet;
    try {
      set = parseJwks(await this.#fetcher.fetch(url, this.#o.limits.maxBytes), this.#o.limits);
    } catch (err) {
      throw unavailable(issuer, `the key set at ${url.href}`, err);
    }
    this.#cached = { set, at: this.#now() };
    this.#failure = null;
    return set;
  }

  /** The `jwks_uri` of the issuer's discovery document. */
  async #discover(): Promise<URL> {
    const issuer = this.#issuer.issuer;
    try {
      return (await fetchDiscovery(this.#fetcher, issuer, this.#o.maxDiscoveryBytes)).jwksUri;
    } catch (err) {
      if (err instanceof DiscoveryError) throw new OidcRefusal('keys-unavailable', `the signing keys of ${issuer} are out of reach: ${err.message}`, { issuer }, err);
      throw err;
    }
  }
}
