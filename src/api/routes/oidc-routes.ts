/**
 * `POST /-/api/oidc/token`: a CI job exchanges its OIDC ID token, sent as `{"token": "<JWT>"}`,
 * for a short-lived Airlock token (`{token, expiresAt, role, scope, …}`, 201). No Airlock
 * credentials are needed: the ID token is the credential. A refusal says what failed — the
 * reason (`bad-signature`, `unknown-issuer`, `audience`, `expired`, `no-rule` …), the message
 * and, for `no-rule`, the claims checked — and is logged with that reason; the token itself is
 * never echoed or logged. Each client address (`request.ip`: the socket's, or with
 * `server.trustProxy` the one the proxy forwarded) has a token bucket (`access.oidc.rateLimit`):
 * past it, 429 with Retry-After, before the body is read or any signature checked.
 */
import type { FastifyInstance } from 'fastify';
import { isOidcRefusal, type OidcExchange } from '../auth/oidc/index.ts';
import { statusForCode } from '../errors.ts';
import { rateLimitHook, RateLimiter, type RateLimit } from '../rate-limit.ts';

/** A request body far above any ID token (the exchange's own limit, 8,192 characters, says how far). */
const BODY_LIMIT = 64 * 1024;

export function oidcRoutes(app: FastifyInstance, deps: { oidc: OidcExchange; oidcRateLimit: RateLimit | null; clock?: () => Date }): void {
  const clock = deps.clock ?? (() => new Date());
  const limiter = deps.oidcRateLimit === null ? null : new RateLimiter(deps.oidcRateLimit, () => clock().getTime());
  app.post<{ Body: { token: string } }>(
    '/oidc/token',
    {
      bodyLimit: BODY_LIMIT,
      // onRequest: before the body is read, let alone a signature checked or a key set fetched.
      onRequest: rateLimitHook(limiter, 'token exchanges', 'oidc token exchange rate-limited'),
      schema: { body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1 } } } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      try {
        const t = await deps.oidc.exchange(request.body.token);
        request.log.info({ tokenId: t.id, issuer: t.issuer, subject: t.subject, rule: t.rule, role: t.role, expiresAt: t.expiresAt }, 'exchanged an oidc id token');
        return reply.code(201).send({ token: t.token, expiresAt: t.expiresAt, role: t.role, scope: t.scope, id: t.id, label: t.label, issuer: t.issuer, subject: t.subject, rule: t.rule });
      } catch (err) {
        if (!isOidcRefusal(err)) throw err;
        const { issuer, subject, checked } = err.details;
        request.log.info({ reason: err.reason, issuer, subject, why: err.message }, 'refused an oidc id token');
        return reply
          .code(statusForCode(err.code))
          .send({ error: err.message, code: err.code, reason: err.reason, ...(issuer === undefined ? {} : { issuer }), ...(checked === undefined ? {} : { checked }) });
      }
    },
  );
}
