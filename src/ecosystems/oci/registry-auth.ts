/**
 * The upstream registry as the plugin reads it, with the Docker token protocol in between
 * (protocols: oci.md §3): a request answered 401 with a `Bearer` challenge gets a token from
 * the challenge's realm for the image's pull scope — with the repository's Basic credentials
 * when it has some — and is asked again with it. Tokens are kept per scope until shortly before
 * they expire, and once the realm is known a new scope's token is asked for before the request.
 *
 * The realm is named by the upstream's answer, so it is hostile input: only http(s), and the
 * repository's credentials go only to a realm on https or on the upstream's own host.
 */
import { AirlockError, Lru, isAirlockError } from '../../core/index.ts';
import type { DocumentRequest, DocumentResult, ForwardResult, RequestOptionsBase, StreamResult, Upstream, UpstreamClient } from '../../upstream/index.ts';

const MAX_TOKEN_RESPONSE = 64 * 1024;
const MAX_TOKEN_CHARS = 16 * 1024;
/** Seconds a token lives when the token service does not say (the token spec's default). */
const DEFAULT_TOKEN_SECONDS = 60;
const MAX_TOKEN_SECONDS = 3600;
const TOKEN_MARGIN_MS = 10_000;

export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** One `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` (quoted strings may escape with `\`). */
export function parseChallenge(header: string): Challenge | null {
  const m = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s*(.*)$/s.exec(header);
  if (m === null) return null;
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/gy;
  const rest = m[2] as string;
  let p: RegExpExecArray | null;
  while (re.lastIndex < rest.length && (p = re.exec(rest)) !== null) {
    params[(p[1] as string).toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] as string);
  }
  return { scheme: (m[1] as string).toLowerCase(), params };
}

/** The pull scope of an upstream path (`v2/<name>/manifests/…`), or null for one of no repository (`v2/`). */
export function pullScope(path: string): string | null {
  const m = /^\/?v2\/(.+?)\/(?:manifests|blobs|tags|referrers)\//.exec(path);
  return m === null ? null : `repository:${m[1]}:pull`;
}

export interface RegistryAuthDeps {
  readonly upstream: UpstreamClient;
  /** A client for a token realm's origin (the repository's proxy and TLS trust, no credentials of the upstream's). */
  readonly realmClient: (origin: URL) => UpstreamClient;
  /** The repository's `upstreamAuth` when it is Basic: sent to the token realm. */
  readonly basic: { readonly username: string; readonly password: string } | null;
  readonly now?: () => number;
}

export class RegistryUpstream implements Upstream {
  readonly #deps: RegistryAuthDeps;
  readonly #tokens = new Lru<string, { readonly token: string; readonly expiresAt: number }>(512);
  readonly #realms = new Map<string, UpstreamClient>();
  /** The token service, once a challenge has named it. */
  #bearer: { readonly realm: URL; readonly service: string | null } | null = null;

  constructor(deps: RegistryAuthDeps) {
    this.#deps = deps;
  }

  get name(): string {
    return this.#deps.upstream.name;
  }

  resolve(target: string | URL): URL {
    return this.#deps.upstream.resolve(target);
  }

  owns(url: URL): boolean {
    return this.#deps.upstream.owns(url);
  }

  fetchDocument(target: string | URL, req: DocumentRequest): Promise<DocumentResult> {
    return this.#authorized(target, req, (r) => this.#deps.upstream.fetchDocument(target, r));
  }

  openStream(target: string | URL, req: RequestOptionsBase): Promise<StreamResult> {
    return this.#authorized(target, req, (r) => this.#deps.upstream.openStream(target, r));
  }

  forward(target: string | URL, method: 'POST' | 'PUT', body: Buffer, req: RequestOptionsBase): Promise<ForwardResult> {
    return this.#deps.upstream.forward(target, method, body, req);
  }

  async close(): Promise<void> {
    for (const c of this.#realms.values()) await c.close();
    this.#realms.clear();
  }

  async #authorized<R extends RequestOptionsBase, T>(target: string | URL, req: R, send: (req: R) => Promise<T>): Promise<T> {
    const path = typeof target === 'string' ? target : target.pathname;
    const scope = pullScope(path);
    let token = scope === null ? null : await this.#knownToken(scope);
    for (let attempt = 0; ; attempt++) {
      try {
        return await send(token === null ? req : { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } });
      } catch (err) {
        if (attempt > 0 || !isAirlockError(err) || err.details['status'] !== 401) throw err;
        const challenge = typeof err.details['challenge'] === 'string' ? parseChallenge(err.details['challenge']) : null;
        if (challenge === null || challenge.scheme !== 'bearer') throw err;
        this.#bearer = this.#tokenService(challenge);
        if (scope !== null) this.#tokens.delete(scope);
        token = await this.#fetchToken(scope ?? challenge.params['scope'] ?? null);
      }
    }
  }

  /** A live token for the scope, fetched ahead when the token service is known. */
  async #knownToken(scope: string): Promise<string | null> {
    const now = this.#now();
    const have = this.#tokens.get(scope);
    if (have !== undefined && have.expiresAt > now) return have.token;
    if (this.#bearer === null) return null;
    return this.#fetchToken(scope);
  }

  #tokenService(challenge: Challenge): { realm: URL; service: string | null } {
    const realm = challenge.params['realm'];
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.name} asked for a token from a realm that is no URL (${JSON.stringify((realm ?? '').slice(0, 100))})`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.name} asked for a token from a realm that is not http(s)`);
    return { realm: url, service: challenge.params['service'] ?? null };
  }

  async #fetchToken(scope: string | null): Promise<string> {
    const bearer = this.#bearer;
    if (bearer === null) throw new AirlockError('INTERNAL', 'no token service is known');
    const url = new URL(bearer.realm);
    if (bearer.service !== null) url.searchParams.set('service', bearer.service);
    if (scope !== null) url.searchParams.set('scope', scope);
    const upstream = this.#deps.upstream.resolve('');
    // Credentials go to a realm that cannot be read on the way (https), or to the upstream's own host.
    const basic = this.#deps.basic !== null && (url.protocol === 'https:' || url.hostname === upstream.hostname) ? this.#deps.basic : null;
    if (basic !== null) url.searchParams.set('account', basic.username);
    const client = this.#realm(url);
    let res: DocumentResult;
    try {
      res = await client.fetchDocument(url, {
        accept: 'application/json',
        maxBytes: MAX_TOKEN_RESPONSE,
        ...(basic === null ? {} : { headers: { authorization: `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}` } }),
      });
    } catch (err) {
      if (isAirlockError(err) && (err.details['status'] === 401 || err.details['status'] === 403)) {
        throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the token service of upstream ${this.name} (${url.origin}) refused ${basic === null ? 'an anonymous request' : `the credentials of ${basic.username}`} for ${scope ?? 'the registry'}; check the repository's upstreamAuth setting`, { cause: err });
      }
      throw err;
    }
    if (res.kind !== 'fresh') throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the token service of upstream ${this.name} answered 304 to an unconditional request`);
    const token = tokenOf(res.body);
    if (typeof token === 'string') throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the token service of upstream ${this.name} ${token}`);
    if (scope !== null) this.#tokens.set(scope, { token: token.token, expiresAt: this.#now() + token.seconds * 1000 - TOKEN_MARGIN_MS });
    return token.token;
  }

  #realm(url: URL): UpstreamClient {
    const upstream = this.#deps.upstream;
    if (upstream.owns(url)) return upstream;
    let c = this.#realms.get(url.origin);
    if (c === undefined) {
      // A registry names one token service; a few are kept, never one per answer.
      if (this.#realms.size >= 4) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.name} named more token services than a registry has`);
      c = this.#deps.realmClient(new URL(url.origin));
      this.#realms.set(url.origin, c);
    }
    return c;
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }
}

/**
 * The token (and its lifetime in seconds) of a token service's answer (`token`, or OAuth's
 * `access_token`), or why it has none that can be used. The token goes into an Authorization
 * header, so it must be visible ASCII (RFC 6750's b64token, and every registry's opaque tokens):
 * a control or non-ASCII character would have the HTTP client refuse the header, or send another.
 */
export function tokenOf(body: Buffer): { token: string; seconds: number } | string {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return 'answered without a token (not JSON)';
  }
  if (typeof doc !== 'object' || doc === null) return 'answered without a token';
  const o = doc as Record<string, unknown>;
  const token = typeof o['token'] === 'string' && o['token'] !== '' ? o['token'] : typeof o['access_token'] === 'string' && o['access_token'] !== '' ? o['access_token'] : null;
  if (token === null) return 'answered without a token';
  if (token.length > MAX_TOKEN_CHARS) return `answered a token of ${token.length} characters (at most ${MAX_TOKEN_CHARS})`;
  if (!/^[\x21-\x7e]+$/.test(token)) return 'answered a token that is not visible ASCII, which cannot be sent in an Authorization header';
  const e = o['expires_in'];
  const seconds = typeof e === 'number' && Number.isFinite(e) && e > 0 ? Math.min(e, MAX_TOKEN_SECONDS) : DEFAULT_TOKEN_SECONDS;
  return { token, seconds };
}
