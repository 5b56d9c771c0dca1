/**
 * The identity provider as single sign-on talks to it: its discovery document (kept for ten
 * minutes; it must name authorization and token endpoints and, when it lists PKCE methods, S256),
 * the authorization request, the code redeemed at the token endpoint (authenticated as the
 * provider says it takes — client_secret_basic or client_secret_post — or as a public client,
 * always with the PKCE verifier; the answer read under a byte cap and time-outs), and the ID
 * token verified with the provider's keys: issuer, audience (the client id), expiry, the nonce
 * of this sign-in and, when present (or when several audiences are named), `azp`; and its
 * userinfo endpoint asked with the access token (userinfo.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { isPlainObject, shownJson, type PlainObject } from '../../../core/index.ts';
import { DEFAULT_JWT_LIMITS } from '../../../verify/index.ts';
import { DEFAULT_KEY_CACHE, DiscoveryError, fetchDiscovery, IssuerKeys, isOidcRefusal, parseIdToken, verifyIdToken, type OidcDiscovery, type OidcDocumentFetcher } from '../oidc/index.ts';
import { idpUnavailable, SsoFailure } from './failure.ts';
import type { SsoSettings } from './types.ts';
import { fetchUserinfo } from './userinfo.ts';

/** The HTTP the provider is reached over (the app's, with time-outs and byte caps). */
export interface SsoHttp extends OidcDocumentFetcher {
  /** POSTs a form once; the status and at most `maxBytes` of the body, whatever the status. */
  post(url: URL, form: URLSearchParams, headers: Readonly<Record<string, string>>, maxBytes: number): Promise<{ readonly status: number; readonly body: Buffer }>;
  /** GETs `url` with `headers` (never sent on to a redirect's target): at most `maxBytes` of a successful answer's body and its content type; an AirlockError otherwise. */
  get(url: URL, headers: Readonly<Record<string, string>>, maxBytes: number): Promise<{ readonly contentType: string | null; readonly body: Buffer }>;
}

export type Endpoints = OidcDiscovery & { readonly authorizationEndpoint: URL; readonly tokenEndpoint: URL };

const DISCOVERY_TTL_MS = 10 * 60_000;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
const LEEWAY_MS = 60_000;

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What the code is redeemed for: the ID token, and the access token userinfo is asked with (null: none usable, e.g. not a Bearer token). */
export interface RedeemedTokens {
  readonly idToken: string;
  readonly accessToken: string | null;
}

/** An access token as a Bearer credential may be (RFC 6750 §2.1), under a size cap. */
const BEARER_RE = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_ACCESS_TOKEN_CHARS = 16 * 1024;

/** The token endpoint's answer: its tokens, or an SsoFailure saying what it said. */
function tokensOf(status: number, body: Buffer): RedeemedTokens {
  let doc: unknown = null;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    // Said below.
  }
  if (status !== 200) {
    const o = isPlainObject(doc) ? doc : {};
    const error = typeof o['error'] === 'string' ? o['error'].slice(0, 100) : null;
    const description = typeof o['error_description'] === 'string' ? o['error_description'].slice(0, 300) : null;
    if (error === null) throw idpUnavailable(`its token endpoint answered HTTP ${status}`);
    throw new SsoFailure('idp-refused', `the identity provider refused to complete the sign-in: ${error}${description === null ? '' : ` (${description})`}`, ['Start again; if it persists, an administrator should check the client id, secret and redirect URI registered with the identity provider.']);
  }
  if (!isPlainObject(doc)) throw idpUnavailable('its token endpoint did not answer with a JSON object');
  const idToken = doc['id_token'];
  if (typeof idToken !== 'string' || idToken === '') throw idpUnavailable('its token endpoint answered without an ID token (is the openid scope granted?)');
  const access = doc['access_token'];
  const type = doc['token_type'];
  const bearer = typeof access === 'string' && access.length <= MAX_ACCESS_TOKEN_CHARS && BEARER_RE.test(access) && (type === undefined || (typeof type === 'string' && type.toLowerCase() === 'bearer'));
  return { idToken, accessToken: bearer ? access : null };
}

export class SsoProvider {
  readonly #http: SsoHttp;
  readonly #now: () => number;
  readonly #settings: SsoSettings;
  readonly #keys: IssuerKeys;
  #discovery: { readonly doc: Endpoints; readonly at: number } | null = null;
  #inflight: Promise<Endpoints> | null = null;

  constructor(deps: { readonly http: SsoHttp; readonly now: () => number }, settings: SsoSettings) {
    this.#http = deps.http;
    this.#now = deps.now;
    this.#settings = settings;
    this.#keys = new IssuerKeys({ fetcher: deps.http, now: deps.now }, { issuer: settings.issuer, audience: settings.clientId, jwksUri: null, trust: [] }, DEFAULT_KEY_CACHE);
  }

  /** The discovery document with the endpoints sign-in needs; an SsoFailure when there is none to be had. */
  async endpoints(): Promise<Endpoints> {
    const cached = this.#discovery;
    if (cached !== null && this.#now() - cached.at < DISCOVERY_TTL_MS) return cached.doc;
    this.#inflight ??= this.#discover().finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #discover(): Promise<Endpoints> {
    let doc: OidcDiscovery;
    try {
      doc = await fetchDiscovery(this.#http, this.#settings.issuer, DEFAULT_KEY_CACHE.maxDiscoveryBytes);
    } catch (err) {
      if (err instanceof DiscoveryError) throw idpUnavailable(err.message, err);
      throw err;
    }
    const { authorizationEndpoint, tokenEndpoint } = doc;
    if (authorizationEndpoint === null || tokenEndpoint === null) throw idpUnavailable(`the discovery document of ${this.#settings.issuer} names no ${authorizationEndpoint === null ? 'authorization_endpoint' : 'token_endpoint'}`);
    if (doc.codeChallengeMethods !== null && !doc.codeChallengeMethods.includes('S256')) throw idpUnavailable(`${this.#settings.issuer} does not take PKCE with S256 (code_challenge_methods_supported: ${doc.codeChallengeMethods.join(', ') || 'none'})`);
    const endpoints = { ...doc, authorizationEndpoint, tokenEndpoint };
    this.#discovery = { doc: endpoints, at: this.#now() };
    return endpoints;
  }

  /** Where the browser is sent to sign in. */
  async authorizationUrl(p: { readonly state: string; readonly nonce: string; readonly challenge: string }): Promise<URL> {
    const url = new URL((await this.endpoints()).authorizationEndpoint);
    const s = this.#settings;
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: s.clientId, redirect_uri: s.redirectUri, scope: s.scopes.join(' '), state: p.state, nonce: p.nonce, code_challenge: p.challenge, code_challenge_method: 'S256' })) {
      url.searchParams.set(k, v);
    }
    return url;
  }

  /** The tokens the token endpoint gives for `code`. */
  async redeem(code: string, verifier: string): Promise<RedeemedTokens> {
    const endpoints = await this.endpoints();
    const s = this.#settings;
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: s.redirectUri, code_verifier: verifier });
    const headers: Record<string, string> = { accept: 'application/json' };
    const secret = s.clientSecret?.reveal() ?? null;
    if (secret === null) {
      form.set('client_id', s.clientId);
    } else if (endpoints.tokenAuthMethods.includes('client_secret_basic')) {
      // RFC 6749 §2.3.1: each form-encoded before they are joined.
      const enc = (v: string): string => encodeURIComponent(v).replace(/%20/g, '+');
      headers['authorization'] = `Basic ${Buffer.from(`${enc(s.clientId)}:${enc(secret)}`).toString('base64')}`;
    } else if (endpoints.tokenAuthMethods.includes('client_secret_post')) {
      form.set('client_id', s.clientId);
      form.set('client_secret', secret);
    } else {
      throw idpUnavailable(`its token endpoint takes neither client_secret_basic nor client_secret_post (${endpoints.tokenAuthMethods.join(', ')})`);
    }
    let res: { status: number; body: Buffer };
    try {
      res = await this.#http.post(endpoints.tokenEndpoint, form, headers, MAX_TOKEN_RESPONSE_BYTES);
    } catch (err) {
      throw idpUnavailable(`its token endpoint ${endpoints.tokenEndpoint.href}: ${err instanceof Error ? err.message : 'the request failed'}`, err);
    }
    return tokensOf(res.status, res.body);
  }

  /** The userinfo claims of `subject` at `endpoint`, asked with `accessToken` (`claims`: those the role rules name). */
  async userinfo(endpoint: URL, accessToken: string, subject: string, claims: readonly string[]): Promise<PlainObject> {
    const s = this.#settings;
    return fetchUserinfo(this.#http, endpoint, accessToken, { issuer: s.issuer, clientId: s.clientId, subject, claims, keys: this.#keys });
  }

  /** The claims of `idToken` once verified for this client and sign-in (`nonce`), with its subject. */
  async verify(idToken: string, nonce: string): Promise<{ readonly claims: PlainObject; readonly subject: string }> {
    const s = this.#settings;
    const bad = (message: string): SsoFailure => new SsoFailure('id-token', `the identity provider's ID token was not accepted: ${message}`, ['Start again; if it persists, an administrator should look at the gateway log.']);
    try {
      const parsed = parseIdToken(idToken, DEFAULT_JWT_LIMITS);
      const { verified, subject } = await verifyIdToken(parsed, this.#keys, { issuer: s.issuer, audience: s.clientId, now: this.#now(), leewayMs: LEEWAY_MS });
      const claims = verified.claims;
      const got = claims['nonce'];
      if (typeof got !== 'string' || !sameText(got, nonce)) throw bad(typeof got === 'string' ? 'its nonce is not the one of this sign-in (a replayed or injected token)' : 'it has no nonce');
      const azp = claims['azp'];
      const several = Array.isArray(claims['aud']) && claims['aud'].length > 1;
      if ((azp !== undefined || several) && azp !== s.clientId) throw bad(`it was issued to another client (azp ${shownJson(azp, 100)}, not ${JSON.stringify(s.clientId)})`);
      return { claims, subject };
    } catch (err) {
      if (isOidcRefusal(err)) throw err.reason === 'keys-unavailable' ? idpUnavailable(err.message, err) : bad(err.message);
      throw err;
    }
  }
}
