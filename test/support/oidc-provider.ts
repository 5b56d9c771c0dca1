/**
 * An OpenID Connect provider for single sign-on tests, speaking the real protocol over HTTP: a
 * discovery document, a JWKS with a key made in the test, an authorization endpoint that "logs
 * in" the configured user at once (or answers `access_denied`) and redirects back with a code and
 * the state, and a token endpoint that checks the client's authentication (basic or post, as
 * configured), the code (once, for its redirect URI and client) and the PKCE verifier against the
 * S256 challenge, then issues a signed ID token with the nonce and an access token, and a userinfo
 * endpoint that answers the access token's user (JSON, or a JWT signed with its key). The groups
 * may be left out of the ID token (as Okta and Keycloak often do). `idTokenClaims`,
 * `tokenResponse`, `userinfoClaims` and `userinfoResponse` let a test make it hostile.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwksOf, newSigningKey, signJwt, type TestSigningKey } from '../../src/verify/jwt/test-support.ts';

export interface ProviderUser {
  readonly sub: string;
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
}

export interface ProviderOptions {
  readonly clientId: string;
  /** null: a public client (no client authentication, PKCE only). */
  readonly clientSecret: string | null;
  /** `token_endpoint_auth_methods_supported` (default: basic and post). */
  readonly authMethods?: readonly string[];
}

interface Grant {
  readonly user: ProviderUser;
  readonly nonce: string;
  readonly challenge: string;
  readonly redirectUri: string;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class TestOidcProvider {
  readonly #server: Server;
  readonly #options: ProviderOptions;
  readonly #codes = new Map<string, Grant>();
  readonly #accessTokens = new Map<string, ProviderUser>();
  /** The issuer: `http://127.0.0.1:<port>/realms/test`. */
  readonly url: string;
  readonly key: TestSigningKey = newSigningKey('RS256', `k-${randomBytes(4).toString('hex')}`);
  /** Redirect URIs registered for the client; /authorize refuses any other. */
  redirectUris: string[] = [];
  /** Who signs in at /authorize. */
  user: ProviderUser = { sub: 'u-1001', email: 'ada@example.com', name: 'Ada', groups: ['platform-security', 'staff'] };
  /** Answer /authorize with `error=access_denied` instead of a code. */
  deny = false;
  /** Changes the claims of the ID tokens issued (a hostile provider). */
  idTokenClaims: (claims: Record<string, unknown>) => Record<string, unknown> = (c) => c;
  /** Replaces the ID token issued (e.g. an unsigned one). */
  idToken: ((claims: Record<string, unknown>) => string) | null = null;
  /** Replaces the token endpoint's answer. */
  tokenResponse: { readonly status: number; readonly body: unknown } | null = null;
  /** Whether the ID token carries the user's groups (else only userinfo does). */
  groupsInIdToken = true;
  /** Whether the discovery document names the userinfo endpoint. */
  userinfoEndpoint = true;
  /** Answer userinfo with a JWT signed with the provider's key (`application/jwt`). */
  userinfoSigned = false;
  /** Changes the claims userinfo answers with. */
  userinfoClaims: (claims: Record<string, unknown>) => Record<string, unknown> = (c) => c;
  /** Replaces userinfo's answer. */
  userinfoResponse: { readonly status: number; readonly contentType: string; readonly body: string } | null = null;
  /** The authorization header of each userinfo request, newest last. */
  readonly userinfoRequests: (string | null)[] = [];
  /** What the token endpoint was sent (form fields and the authorization header), newest last. */
  readonly tokenRequests: { readonly form: Record<string, string>; readonly authorization: string | null }[] = [];

  private constructor(server: Server, options: ProviderOptions) {
    this.#server = server;
    this.#options = options;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/test`;
  }

  static async start(options: ProviderOptions): Promise<TestOidcProvider> {
    let provider: TestOidcProvider | null = null;
    const server = createServer((req, res) => {
      void (provider as TestOidcProvider).#handle(req, res).catch((err: unknown) => send(res, 500, { error: 'server_error', error_description: String(err) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    provider = new TestOidcProvider(server, options);
    return provider;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname.replace('/realms/test', '');
    if (path === '/.well-known/openid-configuration') {
      return send(res, 200, {
        issuer: this.url,
        authorization_endpoint: `${this.url}/protocol/openid-connect/auth`,
        token_endpoint: `${this.url}/protocol/openid-connect/token`,
        jwks_uri: `${this.url}/protocol/openid-connect/certs`,
        ...(this.userinfoEndpoint ? { userinfo_endpoint: `${this.url}/protocol/openid-connect/userinfo` } : {}),
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['plain', 'S256'],
        token_endpoint_auth_methods_supported: this.#options.authMethods ?? ['client_secret_basic', 'client_secret_post'],
      });
    }
    if (path === '/protocol/openid-connect/certs') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(jwksOf([this.key]));
    }
    if (path === '/protocol/openid-connect/auth' && req.method === 'GET') return this.#authorize(url, res);
    if (path === '/protocol/openid-connect/token' && req.method === 'POST') return this.#token(req, res);
    if (path === '/protocol/openid-connect/userinfo' && req.method === 'GET') return this.#userinfo(req, res);
    send(res, 404, { error: 'not_found' });
  }

  #authorize(url: URL, res: ServerResponse): void {
    const p = Object.fromEntries(url.searchParams);
    const wrong = (why: string): void => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`bad authorization request: ${why}`);
    };
    if (p['client_id'] !== this.#options.clientId) return wrong('unknown client_id');
    const redirectUri = p['redirect_uri'] ?? '';
    if (!this.redirectUris.includes(redirectUri)) return wrong(`redirect_uri ${redirectUri} is not registered`);
    if (p['response_type'] !== 'code') return wrong('response_type must be code');
    if (!(p['scope'] ?? '').split(' ').includes('openid')) return wrong('no openid scope');
    if (p['code_challenge_method'] !== 'S256' || (p['code_challenge'] ?? '').length < 43) return wrong('PKCE S256 is required');
    if (!p['state'] || !p['nonce']) return wrong('state and nonce are required');
    const back = new URL(redirectUri);
    if (this.deny) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user is not assigned to this application');
    } else {
      const code = randomBytes(16).toString('hex');
      this.#codes.set(code, { user: this.user, nonce: p['nonce'], challenge: p['code_challenge'] as string, redirectUri });
      back.searchParams.set('code', code);
    }
    back.searchParams.set('state', p['state']);
    res.writeHead(302, { location: back.href });
    res.end();
  }

  async #token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = Object.fromEntries(new URLSearchParams(await bodyOf(req)));
    const authorization = req.headers.authorization ?? null;
    this.tokenRequests.push({ form, authorization });
    if (this.tokenResponse !== null) return send(res, this.tokenResponse.status, this.tokenResponse.body);
    // Client authentication.
    let client: { id: string; secret: string | null } = { id: form['client_id'] ?? '', secret: form['client_secret'] ?? null };
    if (authorization?.startsWith('Basic ') === true) {
      const [id, secret] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':').map((x) => decodeURIComponent(x.replace(/\+/g, ' ')));
      client = { id: id ?? '', secret: secret ?? null };
    }
    if (client.id !== this.#options.clientId || client.secret !== this.#options.clientSecret) return send(res, 401, { error: 'invalid_client', error_description: 'client authentication failed' });
    if (form['grant_type'] !== 'authorization_code') return send(res, 400, { error: 'unsupported_grant_type' });
    const grant = this.#codes.get(form['code'] ?? '');
    this.#codes.delete(form['code'] ?? '');
    if (grant === undefined) return send(res, 400, { error: 'invalid_grant', error_description: 'Code not valid' });
    if (form['redirect_uri'] !== grant.redirectUri) return send(res, 400, { error: 'invalid_grant', error_description: 'Incorrect redirect_uri' });
    const verifier = form['code_verifier'] ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return send(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    const now = Math.floor(Date.now() / 1000);
    const claims = this.idTokenClaims({
      iss: this.url,
      aud: this.#options.clientId,
      azp: this.#options.clientId,
      sub: grant.user.sub,
      email: grant.user.email,
      name: grant.user.name,
      ...(this.groupsInIdToken ? { groups: grant.user.groups } : {}),
      nonce: grant.nonce,
      iat: now,
      auth_time: now,
      exp: now + 300,
    });
    const idToken = this.idToken === null ? signJwt(this.key, claims) : this.idToken(claims);
    const accessToken = randomBytes(16).toString('hex');
    this.#accessTokens.set(accessToken, grant.user);
    send(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300, id_token: idToken });
  }

  #userinfo(req: IncomingMessage, res: ServerResponse): void {
    const authorization = req.headers.authorization ?? null;
    this.userinfoRequests.push(authorization);
    const user = authorization?.startsWith('Bearer ') === true ? this.#accessTokens.get(authorization.slice(7)) : undefined;
    if (user === undefined) return send(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    if (this.userinfoResponse !== null) {
      res.writeHead(this.userinfoResponse.status, { 'content-type': this.userinfoResponse.contentType });
      return void res.end(this.userinfoResponse.body);
    }
    const claims = this.userinfoClaims({ sub: user.sub, email: user.email, name: user.name, groups: user.groups });
    if (!this.userinfoSigned) return send(res, 200, claims);
    res.writeHead(200, { 'content-type': 'application/jwt' });
    res.end(signJwt(this.key, { iss: this.url, aud: this.#options.clientId, ...claims }));
  }
}
