/**
 * How the token exchange and single sign-on reach OIDC providers: their discovery documents and
 * key sets — and sign-on's userinfo, with the access token — are fetched with the upstream
 * module's HTTP client (time-outs, bounded retries, a circuit breaker, byte caps, redirects never
 * from https to http, request headers never sent on to a redirect's target), and sign-on's token requests
 * POSTed once through it (no retries: a code is good once), one client per origin, through the
 * proxy the environment names (providers on this machine directly).
 */
import { AirlockError } from '../core/index.ts';
import type { SsoHttp } from '../api/auth/sso/index.ts';
import { UpstreamClient } from '../upstream/index.ts';
import { proxyEnvFor } from './upstream-proxy.ts';

/** Origins one gateway talks to for OIDC at most (each issuer's, and its key set's when elsewhere). */
const MAX_ORIGINS = 64;

export class OidcFetcher implements SsoHttp {
  readonly #env: NodeJS.ProcessEnv;
  readonly #userAgent: string;
  readonly #clients = new Map<string, UpstreamClient>();

  constructor(env: NodeJS.ProcessEnv, userAgent: string) {
    this.#env = env;
    this.#userAgent = userAgent;
  }

  async fetch(url: URL, maxBytes: number): Promise<Buffer> {
    return (await this.get(url, { accept: 'application/json' }, maxBytes)).body;
  }

  async get(url: URL, headers: Readonly<Record<string, string>>, maxBytes: number): Promise<{ readonly contentType: string | null; readonly body: Buffer }> {
    const result = await this.#client(url).fetchDocument(url, { maxBytes, headers });
    // No validators were sent, so the answer is the document itself.
    if (result.kind !== 'fresh') throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${url.origin} answered 304 to an unconditional request`);
    return { contentType: result.contentType, body: result.body };
  }

  async post(url: URL, form: URLSearchParams, headers: Readonly<Record<string, string>>, maxBytes: number): Promise<{ readonly status: number; readonly body: Buffer }> {
    const body = Buffer.from(form.toString(), 'utf8');
    const res = await this.#client(url).forward(url, 'POST', body, { maxBytes, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' } });
    return { status: res.status, body: res.body };
  }

  #client(url: URL): UpstreamClient {
    let client = this.#clients.get(url.origin);
    if (client === undefined) {
      if (this.#clients.size >= MAX_ORIGINS) throw new AirlockError('LIMIT_EXCEEDED', `more than ${MAX_ORIGINS} OIDC origins`);
      client = new UpstreamClient({
        name: `oidc ${url.host}`,
        url: url.origin,
        connectTimeoutMs: 5_000,
        headersTimeoutMs: 10_000,
        bodyTimeoutMs: 10_000,
        connections: 4,
        retries: 1,
        userAgent: this.#userAgent,
        proxyEnv: proxyEnvFor({ kind: 'env' }, this.#env, url),
      });
      this.#clients.set(url.origin, client);
    }
    return client;
  }

  async close(): Promise<void> {
    for (const c of this.#clients.values()) await c.close();
    this.#clients.clear();
  }
}
