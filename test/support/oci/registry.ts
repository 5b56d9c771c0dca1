/**
 * A real upstream registry for OCI tests: Debian's `docker-registry` (distribution 2.8.2) behind a
 * small streaming Node front on its own port. The front is what tests give Airlock as upstream:
 * it logs every request, can demand Docker token auth (token server on another origin) or Basic
 * auth, and injects faults (a corrupted blob, an outage, a delay). The `Host` header is passed
 * through, so distribution's absolute `Location` headers name the front.
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { Transform, pipeline } from 'node:stream';
import { startDistribution } from './distribution-process.ts';
import { FIXTURE_SERVICE, startTokenServer, type TokenRequestRecord } from './token-server.ts';

export interface RequestRecord {
  readonly method: string;
  /** Path with query, as the client sent it. */
  readonly path: string;
  readonly accept: string | undefined;
  readonly authorization: string | undefined;
  readonly range: string | undefined;
  /** The status answered (0 while in flight; 0 also when the connection was cut). */
  readonly status: number;
}

export interface RegistryOptions {
  /** `none` (default), `token` (Docker token protocol), or `basic` (htpasswd-style, needs users). */
  readonly auth?: 'none' | 'token' | 'basic';
  /** user → password. With `token`: the token server requires and checks Basic credentials. */
  readonly users?: Readonly<Record<string, string>>;
}

export interface FixtureRegistry {
  /** The front: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The front: `127.0.0.1:<port>`. */
  readonly host: string;
  /** docker-registry itself, no auth, no faults, no log (to seed content). */
  readonly directUrl: string;
  readonly directHost: string;
  /** The token server's origin (token auth only); the realm is `<tokenUrl>/token`. */
  readonly tokenUrl: string | undefined;
  readonly service: string;
  readonly requests: readonly RequestRecord[];
  readonly tokenRequests: readonly TokenRequestRecord[];
  /** Requests with this method whose path (with query) matches. */
  count(method: string, path: RegExp): number;
  /** Clears both logs (faults stay). */
  reset(): void;
  /** Serve the blob (or manifest) with this digest with one byte flipped, same length and headers. */
  corrupt(digest: string, on?: boolean): void;
  /** true: 503 to everything (token server too); 'reset': close connections unanswered; false: back up. */
  down(state: boolean | 'reset'): void;
  /** Wait this long before handling each request (0 to stop). */
  delay(ms: number): void;
  /** Clears every fault. */
  heal(): void;
  /** Forget all issued tokens (clients must fetch new ones). */
  revokeTokens(): void;
  close(): Promise<void>;
}

const REPO_PATH = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)\/(.*)$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

function requiredActions(method: string): string[] {
  if (method === 'GET' || method === 'HEAD') return ['pull'];
  if (method === 'DELETE') return ['delete'];
  return ['pull', 'push'];
}

function ociError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify({ errors: [{ code, message, detail: null }] }));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, 'docker-distribution-api-version': 'registry/2.0', ...headers });
  res.end(body);
}

/** Flips the byte at `at` (an offset in the whole blob) as the body streams past; `start` is the body's first offset. */
function flipper(at: number, start: number): Transform {
  let offset = start;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (at >= offset && at < offset + chunk.length) {
        const copy = Buffer.from(chunk);
        copy[at - offset] = (copy[at - offset] ?? 0) ^ 0x01;
        chunk = copy;
      }
      offset += chunk.length;
      done(null, chunk);
    },
  });
}

function corruptionOf(res: IncomingMessage): { at: number; start: number } | undefined {
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
  if (range !== null) return { at: Math.floor(Number(range[3]) / 2), start: Number(range[1]) };
  const length = Number(res.headers['content-length']);
  return Number.isSafeInteger(length) && length > 0 ? { at: Math.floor(length / 2), start: 0 } : undefined;
}

/** Starts docker-registry, the front (and the token server for `auth: 'token'`). */
export async function startRegistry(options: RegistryOptions = {}): Promise<FixtureRegistry> {
  const mode = options.auth ?? 'none';
  if (mode === 'basic' && options.users === undefined) throw new Error('startRegistry: basic auth needs users');
  const requests: RequestRecord[] = [];
  const corrupted = new Set<string>();
  let isDown: false | 'unavailable' | 'reset' = false;
  let delayMs = 0;
  const faults = { isDown: () => isDown, delayMs: () => delayMs };
  const backend = await startDistribution();
  const tokens = mode === 'token' ? await startTokenServer({ users: options.users, faults }).catch(async (e: unknown) => {
    await backend.stop();
    throw e;
  }) : undefined;
  const agent = new Agent({ keepAlive: true });
  const backendPort = Number(new URL(backend.url).port);

  const authorize = (req: IncomingMessage, path: string): { ok: true } | { ok: false; challenge: string; message: string } => {
    const method = req.method ?? 'GET';
    const m = REPO_PATH.exec(path.split('?')[0] ?? '');
    const name = m?.[1];
    const actions = requiredActions(method);
    const header = req.headers.authorization ?? '';
    if (mode === 'basic') {
      const decoded = /^basic /i.test(header) ? Buffer.from(header.slice(6).trim(), 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const user = decoded.slice(0, colon);
      const users = options.users ?? {};
      if (colon > 0 && Object.hasOwn(users, user) && users[user] === decoded.slice(colon + 1)) return { ok: true };
      return { ok: false, challenge: `Basic realm="${FIXTURE_SERVICE}"`, message: 'authentication required' };
    }
    const catalog = (path.split('?')[0] ?? '') === '/v2/_catalog';
    const scope = name !== undefined ? `repository:${name}:${actions.join(',')}` : catalog ? 'registry:catalog:*' : undefined;
    const challenge = (error?: string): string =>
      `Bearer realm="${tokens?.url ?? ''}/token",service="${FIXTURE_SERVICE}"${scope === undefined ? '' : `,scope="${scope}"`}${error === undefined ? '' : `,error="${error}"`}`;
    const bearer = /^bearer (\S+)$/i.exec(header)?.[1];
    if (bearer === undefined) return { ok: false, challenge: challenge(), message: 'authentication required' };
    const grant = tokens?.grant(bearer);
    if (grant === undefined) return { ok: false, challenge: challenge('invalid_token'), message: 'authentication required' };
    if (catalog && !grant.catalog) return { ok: false, challenge: challenge('insufficient_scope'), message: 'authentication required' };
    if (name !== undefined) {
      const granted = grant.access.get(name);
      if (!actions.every((a) => granted?.has(a) === true || granted?.has('*') === true)) {
        return { ok: false, challenge: challenge('insufficient_scope'), message: 'authentication required' };
      }
    }
    return { ok: true };
  };

  const forward = (req: IncomingMessage, res: ServerResponse, record: { status: number }): void => {
    const path = req.url ?? '/';
    const headers = { ...req.headers };
    delete headers.connection;
    delete headers['keep-alive'];
    const upstream = httpRequest({ host: '127.0.0.1', port: backendPort, method: req.method, path, headers, agent }, (up) => {
      const status = up.statusCode ?? 502;
      record.status = status;
      const out = { ...up.headers };
      delete out.connection;
      delete out['keep-alive'];
      res.writeHead(status, out);
      const m = REPO_PATH.exec(path.split('?')[0] ?? '');
      const ref = m?.[3] ?? '';
      const digest = DIGEST.test(ref) ? ref : String(up.headers['docker-content-digest'] ?? '');
      const hit = req.method === 'GET' && (m?.[2] === 'blobs' || m?.[2] === 'manifests') && status < 300 && corrupted.has(digest);
      const plan = hit ? corruptionOf(up) : undefined;
      const done = (err: Error | null): void => {
        if (err !== null) res.destroy();
      };
      // The client may be gone already (a load generator cuts its connections): piping into a
      // destroyed response throws, so its answer is dropped instead.
      if (res.destroyed) {
        up.destroy();
        return;
      }
      if (plan === undefined) pipeline(up, res, done);
      else pipeline(up, flipper(plan.at, plan.start), res, done);
    });
    upstream.on('error', () => {
      if (!res.headersSent) ociError(res, 502, 'UNAVAILABLE', 'fixture front: docker-registry unreachable');
      else res.destroy();
    });
    pipeline(req, upstream, (err) => {
      if (err !== null && err !== undefined) upstream.destroy();
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? '/';
    const record = {
      method: req.method ?? '',
      path,
      accept: req.headers.accept,
      authorization: req.headers.authorization,
      range: req.headers.range,
      status: 0,
    };
    requests.push(record);
    if (isDown === 'reset') {
      req.socket.destroy();
      return;
    }
    if (isDown === 'unavailable') {
      req.resume();
      record.status = 503;
      ociError(res, 503, 'UNAVAILABLE', 'fixture registry is down');
      return;
    }
    if (mode !== 'none') {
      const verdict = authorize(req, path);
      if (!verdict.ok) {
        req.resume();
        record.status = 401;
        ociError(res, 401, 'UNAUTHORIZED', verdict.message, { 'www-authenticate': verdict.challenge });
        return;
      }
    }
    forward(req, res, record);
  };

  const front = createServer((req, res) => {
    if (delayMs > 0) setTimeout(() => handle(req, res), delayMs);
    else handle(req, res);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const address = front.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    directUrl: backend.url,
    directHost: backend.host,
    tokenUrl: tokens?.url,
    service: FIXTURE_SERVICE,
    requests,
    tokenRequests: tokens?.requests ?? [],
    count(method, pattern) {
      return requests.filter((r) => r.method === method && pattern.test(r.path)).length;
    },
    reset() {
      requests.length = 0;
      if (tokens !== undefined) tokens.requests.length = 0;
    },
    corrupt(digest, on = true) {
      if (on) corrupted.add(digest);
      else corrupted.delete(digest);
    },
    down(state) {
      isDown = state === 'reset' ? 'reset' : state ? 'unavailable' : false;
    },
    delay(ms) {
      delayMs = ms;
    },
    heal() {
      corrupted.clear();
      isDown = false;
      delayMs = 0;
    },
    revokeTokens() {
      tokens?.revokeAll();
    },
    close() {
      closing ??= (async () => {
        front.closeAllConnections();
        await new Promise<void>((resolve) => front.close(() => resolve()));
        agent.destroy();
        await tokens?.close();
        await backend.stop();
      })();
      return closing;
    },
  };
}
