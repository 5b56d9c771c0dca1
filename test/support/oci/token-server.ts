/**
 * A Docker token server (oci.md §3) on its own origin, as auth.docker.io is to Docker Hub:
 * `GET /token?service=…&scope=…[&scope=…]` → `{token, access_token, expires_in, issued_at}`.
 * Anonymous callers get `pull` unless users are configured; then Basic credentials are required
 * and the users get `pull`, `push` and `delete`. Tokens are random opaque strings remembered
 * with the access they grant.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export const FIXTURE_SERVICE = 'fixture-registry';
export const TOKEN_TTL_SECONDS = 300;

export interface TokenRequestRecord {
  readonly method: string;
  /** Path with query. */
  readonly path: string;
  readonly service: string | null;
  readonly scopes: readonly string[];
  /** The Basic user name, or undefined when anonymous. */
  readonly user: string | undefined;
  readonly status: number;
}

export interface Grant {
  /** repository name → actions granted. */
  readonly access: ReadonlyMap<string, ReadonlySet<string>>;
  readonly catalog: boolean;
  readonly expiresAt: number;
}

export interface TokenServerFaults {
  isDown(): false | 'unavailable' | 'reset';
  delayMs(): number;
}

export interface TokenServer {
  readonly url: string;
  readonly requests: TokenRequestRecord[];
  /** The grant of a live token, or undefined (unknown or expired). */
  grant(token: string): Grant | undefined;
  /** Forget every token issued so far (clients must fetch new ones). */
  revokeAll(): void;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function basicUser(header: string | undefined, users: Readonly<Record<string, string>> | undefined): { user: string | undefined; ok: boolean } {
  if (header === undefined || !/^basic /i.test(header)) return { user: undefined, ok: users === undefined };
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  if (users === undefined) return { user, ok: true };
  const expected = Object.hasOwn(users, user) ? users[user] : undefined;
  return { user, ok: expected !== undefined && sameSecret(password, expected) };
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
  res.end(bytes);
}

export async function startTokenServer(options: { readonly users?: Readonly<Record<string, string>> | undefined; readonly faults: TokenServerFaults }): Promise<TokenServer> {
  const tokens = new Map<string, Grant>();
  const requests: TokenRequestRecord[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter((s) => s !== '');
    const service = url.searchParams.get('service');
    const auth = basicUser(req.headers.authorization, options.users);
    const record = (status: number): void => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', service, scopes, user: auth.user, status });
    };
    if (req.method !== 'GET' || url.pathname !== '/token') {
      record(404);
      answer(res, 404, { details: 'not found' });
      return;
    }
    if (!auth.ok) {
      record(401);
      answer(res, 401, { details: 'incorrect username or password' }, { 'www-authenticate': 'Basic realm="fixture-token"' });
      return;
    }
    const authenticated = options.users !== undefined && auth.user !== undefined;
    const allowed = authenticated ? new Set(['pull', 'push', 'delete', '*']) : new Set(['pull']);
    const access = new Map<string, Set<string>>();
    let catalog = false;
    for (const scope of scopes) {
      const [type, ...rest] = scope.split(':');
      const actions = rest.pop()?.split(',') ?? [];
      const name = rest.join(':');
      if (type === 'repository' && name !== '') {
        const set = access.get(name) ?? new Set<string>();
        for (const a of actions) if (allowed.has(a)) set.add(a);
        access.set(name, set);
      } else if (type === 'registry' && name === 'catalog' && authenticated) {
        catalog = true;
      }
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, { access, catalog, expiresAt: Date.now() + TOKEN_TTL_SECONDS * 1000 });
    record(200);
    answer(res, 200, { token, access_token: token, expires_in: TOKEN_TTL_SECONDS, issued_at: new Date().toISOString() });
  };
  const server: Server = createServer((req, res) => {
    req.resume();
    const down = options.faults.isDown();
    if (down === 'reset') {
      req.socket.destroy();
      return;
    }
    const go = (): void => (down === 'unavailable' ? answer(res, 503, { details: 'token service unavailable' }) : handle(req, res));
    const delay = options.faults.delayMs();
    if (delay > 0) setTimeout(go, delay);
    else go();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    grant(token) {
      const g = tokens.get(token);
      if (g === undefined || g.expiresAt < Date.now()) return undefined;
      return g;
    },
    revokeAll() {
      tokens.clear();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
