/**
 * An OIDC issuer for tests, as GitHub Actions runs one: a real HTTP server with a discovery
 * document and a JWKS, signing real ID tokens with keys made in the test and GitHub's claim
 * names. It also answers the runner's token request (`ACTIONS_ID_TOKEN_REQUEST_URL` with
 * `&audience=…`, bearer `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answered `{"value": "<JWT>"}`), so a
 * test can run the very curl lines a workflow runs. Keys can be rotated and the JWKS replaced.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwksOf, newSigningKey, signJwt, type TestSigningKey } from '../../src/verify/jwt/test-support.ts';
import type { JwtAlgorithm } from '../../src/verify/index.ts';

/** The claims a GitHub Actions ID token carries for a push to main of acme/app (values overridable). */
export function githubClaims(issuer: string, audience: string, nowMs: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const repository = typeof over['repository'] === 'string' ? over['repository'] : 'acme/app';
  const ref = typeof over['ref'] === 'string' ? over['ref'] : 'refs/heads/main';
  const s = Math.floor(nowMs / 1000);
  return {
    jti: randomBytes(8).toString('hex'),
    sub: `repo:${repository}:ref:${ref}`,
    aud: audience,
    ref,
    sha: 'a'.repeat(40),
    repository,
    repository_owner: repository.split('/')[0],
    repository_owner_id: '1001',
    repository_id: '2002',
    repository_visibility: 'private',
    run_id: '3003',
    run_number: '7',
    run_attempt: '1',
    actor: 'octocat',
    actor_id: '4004',
    workflow: 'release',
    workflow_ref: `${repository}/.github/workflows/release.yml@${ref}`,
    workflow_sha: 'a'.repeat(40),
    job_workflow_ref: `${repository}/.github/workflows/release.yml@${ref}`,
    job_workflow_sha: 'a'.repeat(40),
    head_ref: '',
    base_ref: '',
    event_name: 'push',
    ref_type: 'branch',
    runner_environment: 'github-hosted',
    iss: issuer,
    nbf: s - 5,
    iat: s,
    exp: s + 300,
    ...over,
  };
}

export class TestOidcIssuer {
  readonly #server: Server;
  /** The issuer (`iss`): `http://127.0.0.1:<port>`, no trailing slash, as GitHub's has none. */
  readonly url: string;
  /** The runner's token request URL (`ACTIONS_ID_TOKEN_REQUEST_URL`) and its bearer token. */
  readonly requestUrl: string;
  readonly requestToken = randomBytes(16).toString('hex');
  /** Keys published in the JWKS; the last one signs. */
  keys: TestSigningKey[];
  /** Claims the runner's token request puts in its tokens (over githubClaims' defaults). */
  runnerClaims: Record<string, unknown> = {};
  /** Serves this instead of the keys' JWKS when set. */
  jwksOverride: Buffer | null = null;
  /** Members put over the discovery document's (`issuer`, `jwks_uri` …). */
  discoveryOverride: Record<string, unknown> = {};
  jwksRequests = 0;
  discoveryRequests = 0;

  private constructor(server: Server, url: string, key: TestSigningKey) {
    this.#server = server;
    this.url = url;
    this.requestUrl = `${url}/_apis/token?api-version=2.0`;
    this.keys = [key];
  }

  static async start(alg: JwtAlgorithm = 'RS256'): Promise<TestOidcIssuer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const issuer = new TestOidcIssuer(server, url, newSigningKey(alg, 'key-1'));
    server.on('request', (req, res) => {
      const u = new URL(req.url ?? '/', url);
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(Buffer.isBuffer(body) ? body : JSON.stringify(body));
      };
      if (u.pathname === '/.well-known/openid-configuration') {
        issuer.discoveryRequests++;
        json(200, {
          issuer: url,
          jwks_uri: `${url}/.well-known/jwks`,
          subject_types_supported: ['public', 'pairwise'],
          response_types_supported: ['id_token'],
          id_token_signing_alg_values_supported: ['RS256'],
          claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository'],
          ...issuer.discoveryOverride,
        });
      } else if (u.pathname === '/.well-known/jwks') {
        issuer.jwksRequests++;
        json(200, issuer.jwksOverride ?? jwksOf(issuer.keys));
      } else if (u.pathname === '/_apis/token') {
        if (req.headers.authorization?.toLowerCase() !== `bearer ${issuer.requestToken}`) return json(401, { message: 'bad request token' });
        json(200, { count: 2, value: issuer.idToken({ aud: u.searchParams.get('audience') ?? url, ...issuer.runnerClaims }) });
      } else {
        json(404, { message: 'not found' });
      }
    });
    return issuer;
  }

  /** The signing key (the last published). */
  get key(): TestSigningKey {
    return this.keys.at(-1) as TestSigningKey;
  }

  /** A fresh key signs from now on; the old ones stay published unless `dropOld`. */
  rotate(alg: JwtAlgorithm = this.key.alg, dropOld = false): TestSigningKey {
    const next = newSigningKey(alg, `key-${this.keys.length + 1}-${randomBytes(3).toString('hex')}`);
    this.keys = dropOld ? [next] : [...this.keys, next];
    return next;
  }

  /** A GitHub Actions ID token from this issuer (claims over githubClaims' defaults; audience `airlock` unless given). */
  idToken(over: Record<string, unknown> = {}, options: { readonly key?: TestSigningKey; readonly header?: Record<string, unknown>; readonly now?: number } = {}): string {
    return signJwt(options.key ?? this.key, githubClaims(this.url, 'airlock', options.now ?? Date.now(), over), options.header ?? {});
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
