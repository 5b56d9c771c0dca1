/**
 * Single sign-on's routes under `/-/sso/` (outside the admin API, which stays bearer-only):
 * - `GET /config`: whether sign-on is configured (the review UI shows its button by it);
 * - `GET /login`: to the identity provider, with the sign-in state in an HttpOnly cookie;
 * - `GET /callback`: the provider's answer; signed in, to `/-/ui/#sso=<one-time code>`; otherwise
 *   a plain page saying why (an error of the provider, no role, a stale or foreign sign-in);
 * - `POST /session` `{code}`: the one-time code for the token (once, within a minute, in the
 *   browser the callback bound it to with the cookie);
 * - `POST /logout` with the token as bearer: revokes it (a sign-in's token only).
 * Login, callback and session are rate-limited per client address, before anything is read or
 * fetched, so nobody can make Airlock hammer the provider.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { presentedSecret } from '../../../gate/identity.ts';
import { rateLimitHook, RateLimiter, type RateLimit } from '../../rate-limit.ts';
import { isSsoFailure, ssoNeedsAdmin, ssoStatus, type SsoFailure } from './failure.ts';
import type { CallbackQuery, SsoService } from './flow.ts';
import { failurePage, PAGE_HEADERS } from './pages.ts';
import { HANDOFF_TTL_MS, LOGIN_TTL_MS } from './types.ts';

const COOKIE = 'airlock_sso';
const MAX_CODE_CHARS = 4096;
/** Per client address: generous for an office behind one NAT, small against a loop. */
export const SSO_RATE_LIMIT: RateLimit = { perMinute: 120, burst: 60, clients: 10_000 };

export interface SsoRouteOptions {
  /** null: single sign-on is not configured (only `/config` answers). */
  readonly sso: SsoService | null;
  /** Whether the public URL is https (the cookie is then Secure). */
  readonly secure: boolean;
  readonly clock: () => Date;
}

function cookieOf(request: FastifyRequest): string | null {
  const header = request.headers.cookie;
  if (header === undefined || header.length > 16_384) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

function setCookie(reply: FastifyReply, value: string, maxAgeSeconds: number, secure: boolean): void {
  reply.header('set-cookie', `${COOKIE}=${value}; Path=/-/sso/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`);
}

const TITLES: Readonly<Record<SsoFailure['reason'], string>> = {
  'idp-error': 'Sign-in refused by the identity provider',
  state: 'Sign-in expired or not recognised',
  'idp-unavailable': 'Identity provider unavailable',
  'idp-refused': 'Sign-in not completed',
  'id-token': 'Sign-in not accepted',
  'no-role': 'No role in Airlock',
  userinfo: 'Account details not accepted',
  'groups-overage': 'Too many groups to sign in with',
  code: 'Sign-in code not accepted',
};

function sendPage(reply: FastifyReply, err: SsoFailure): FastifyReply {
  return reply.code(ssoStatus(err.reason)).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(failurePage(TITLES[err.reason], err.message, err.lines));
}

export async function ssoRoutes(app: FastifyInstance, options: SsoRouteOptions): Promise<void> {
  const sso = options.sso;
  app.get('/config', async (_request, reply) => reply.header('cache-control', 'no-store').send(sso === null ? { enabled: false } : { enabled: true, issuer: sso.issuer }));
  if (sso === null) return;
  const limited = rateLimitHook(new RateLimiter(SSO_RATE_LIMIT, () => options.clock().getTime()), 'sign-in requests', 'sso rate-limited');

  app.get('/login', { onRequest: limited }, async (request, reply) => {
    try {
      const { location, state } = await sso.begin();
      setCookie(reply, state, LOGIN_TTL_MS / 1000, options.secure);
      return reply.header('cache-control', 'no-store').redirect(location.href, 302);
    } catch (err) {
      if (!isSsoFailure(err)) throw err;
      request.log.warn({ reason: err.reason, why: err.message }, 'sso sign-in could not start');
      return sendPage(reply, err);
    }
  });

  app.get<{ Querystring: CallbackQuery }>('/callback', { onRequest: limited }, async (request, reply) => {
    // The sign-in state is used once, whatever happens (a sign-in replaces it with the code's binding).
    const q = request.query;
    const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const query: CallbackQuery = Object.fromEntries(
      (['code', 'state', 'error', 'error_description'] as const).flatMap((k) => (text(q[k]) === undefined ? [] : [[k, text(q[k])]])),
    );
    try {
      const signedIn = await sso.complete(query, cookieOf(request));
      request.log.info({ subject: signedIn.subject, email: signedIn.email, role: signedIn.role, rule: signedIn.rule }, 'sso signed in');
      setCookie(reply, signedIn.binding, HANDOFF_TTL_MS / 1000, options.secure);
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(`/-/ui/#sso=${signedIn.handoff}`, 303);
    } catch (err) {
      setCookie(reply, '', 0, options.secure);
      if (!isSsoFailure(err)) throw err;
      // What an administrator must act on is a warning.
      request.log[ssoNeedsAdmin(err.reason) ? 'warn' : 'info']({ reason: err.reason, why: err.message }, 'sso sign-in refused');
      return sendPage(reply, err);
    }
  });

  app.post<{ Body: { code: string } }>(
    '/session',
    {
      onRequest: limited,
      bodyLimit: 16 * 1024,
      schema: { body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 1, maxLength: MAX_CODE_CHARS } } } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const binding = cookieOf(request);
      setCookie(reply, '', 0, options.secure);
      try {
        const t = await sso.redeem(request.body.code, binding);
        request.log.info({ tokenId: t.id, subject: t.subject, role: t.role, rule: t.rule, expiresAt: t.expiresAt }, 'sso session token minted');
        return reply.code(201).send({ token: t.token, id: t.id, role: t.role, label: t.label, expiresAt: t.expiresAt, issuer: t.issuer, subject: t.subject });
      } catch (err) {
        if (!isSsoFailure(err)) throw err;
        request.log.info({ reason: err.reason, why: err.message }, 'sso sign-in code refused');
        return reply.code(ssoStatus(err.reason)).send({ error: err.message, code: 'BAD_REQUEST', reason: err.reason });
      }
    },
  );

  app.post('/logout', async (request, reply) => {
    const header = request.headers.authorization;
    const secret = header === undefined ? null : presentedSecret(header);
    if (secret === null || request.identity.kind !== 'token') return reply.code(401).send({ error: 'sign-out takes the signed-in token as the bearer', code: 'UNAUTHORIZED' });
    if (!(await sso.signOut(secret))) return reply.code(400).send({ error: 'this token was not made by single sign-on: sign-out only forgets it in the browser (an administrator revokes it)', code: 'BAD_REQUEST' });
    request.log.info({ tokenId: request.identity.tokenId }, 'sso signed out');
    return reply.code(204).send();
  });
}
