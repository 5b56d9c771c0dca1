/**
 * Resolves `request.identity` from the Authorization header, once, before any route runs:
 * `Bearer <token>` (npm's `_authToken`), or `Basic` with the token as the password (clients that
 * only speak basic auth, e.g. pip). No header: anonymous. A header that does not name an active
 * token is refused with 401 here, so no route ever sees a bad credential.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRegistryPath } from '../../core/index.ts';
import { ANONYMOUS, ANONYMOUS_REGISTRY_TOKEN, isPasswordlessBasic, presentedSecret, requireRepositoryInScope, type Identity } from '../../gate/identity.ts';
import type { TokenService } from './token-service.ts';

export function sendAuthError(reply: FastifyReply, status: 401 | 403, message: string, api: boolean): FastifyReply {
  if (api && status === 401) reply.header('www-authenticate', 'Bearer realm="airlock"');
  // Clients that show only the status line (twine, pip) show the reason too.
  reply.raw.statusMessage = `${status === 401 ? 'Unauthorized' : 'Forbidden'} (Airlock: ${message.replace(/[^\x20-\x7e]/g, '?').slice(0, 300)})`;
  return reply.code(status).type('application/json').send({ error: message, code: status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN' });
}

/** Where a CI job's OIDC ID token is exchanged (its route reads the token from the body). */
const OIDC_EXCHANGE_PATH = '/-/api/oidc/token';

export function isApiPath(url: string): boolean {
  return url.startsWith('/-/api/') || url === '/-/api';
}

export function registerAuthHook(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest<Identity | null>('identity', null);
  // Fastify's callback form: a request without credentials (most package reads) is let through
  // with no promise and no microtask; only a token to look up takes the asynchronous path.
  app.addHook('onRequest', (request, reply, done) => {
    request.identity = ANONYMOUS;
    const header = request.headers.authorization;
    if (header === undefined || header === '') return done();
    const secret = presentedSecret(header);
    if (secret === ANONYMOUS_REGISTRY_TOKEN || isPasswordlessBasic(header)) return done();
    identify(tokens, request, reply, header, secret).then((refused) => {
      // A refusal has answered the request: the hooks and the route after this one do not run.
      if (!refused) done();
    }, done);
  });
}

/** Sets the identity of the token presented, or refuses the request (true: refused). */
async function identify(tokens: TokenService, request: FastifyRequest, reply: FastifyReply, header: string, secret: string | null): Promise<boolean> {
  const rec = secret === null ? null : await tokens.verify(secret);
  if (rec !== null) {
    request.identity = { kind: 'token', tokenId: rec.id, role: rec.role, label: rec.label, scope: rec.scope };
    return false;
  }
  request.log.info({ scheme: header.split(' ')[0]?.slice(0, 16) }, 'refused credentials');
  // Registry clients print the registry API's errors, also from its token endpoint (docker login asks it).
  if (isRegistryPath(request.url)) sendRegistryAuthError(reply, 401, 'invalid, expired or revoked token');
  // An ID token sent where an Airlock token goes: say where the exchange takes it.
  else if (request.url === OIDC_EXCHANGE_PATH) sendAuthError(reply, 401, 'the exchange takes the ID token in the JSON body ({"token": "<ID token>"}), with no Authorization header', true);
  // The MCP endpoint's clients (agents) learn from the Bearer challenge to ask for a token, as API clients do.
  else sendAuthError(reply, 401, 'invalid, expired or revoked token', isApiPath(request.url) || request.url === '/-/mcp' || request.url.startsWith('/-/mcp?'));
  return true;
}

/** Answers 403 when the request's token is limited to repositories other than `repo`; true if so. */
export function refusedOutOfScope(request: FastifyRequest, reply: FastifyReply, repo: string): boolean {
  try {
    requireRepositoryInScope(request.identity, repo);
    return false;
  } catch (err) {
    sendAuthError(reply, 403, err instanceof Error ? err.message : String(err), false);
    return true;
  }
}

/**
 * Where anonymous reads are off: answers 401 to an anonymous request, in the registry API's format
 * when `registry`; true when it did.
 */
export function refusedAnonymous(request: FastifyRequest, reply: FastifyReply, registry: boolean): boolean {
  if (request.identity.kind !== 'anonymous') return false;
  if (registry) sendRegistryAuthError(reply, 401, REGISTRY_READER_NEEDED);
  else sendAuthError(reply, 401, READER_NEEDED, false);
  return true;
}

const READER_NEEDED = 'this Airlock requires a token to read packages; ask an administrator for a reader token and set it as _authToken for this registry';
const REGISTRY_READER_NEEDED = 'this Airlock requires a token to read images; log in with any user name and a reader token as the password';

/** The challenge a registry client answers with credentials (`docker login`, `--creds`): Basic, a token as the password. */
export const REGISTRY_CHALLENGE = 'Basic realm="Airlock"';

/** A refusal in the registry API's own format (`{"errors": [...]}`), with the challenge on a 401. */
export function sendRegistryAuthError(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', REGISTRY_CHALLENGE);
  reply.header('docker-distribution-api-version', 'registry/2.0');
  return reply.code(status).type('application/json').send({ errors: [{ code: status === 401 ? 'UNAUTHORIZED' : 'DENIED', message: `Airlock: ${message}`, detail: null }] });
}

/** For the registry API (`/v2/`) where anonymous reads are off: a reader token or better is needed. */
export async function requireRegistryReader(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  return refusedAnonymous(request, reply, true) ? reply : undefined;
}

