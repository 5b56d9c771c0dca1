/**
 * Who is asking. The app's auth hook resolves the `Authorization` header once per request
 * (before any route runs) and sets `request.identity`; ecosystem plugins and the admin API
 * read it, never the header. An invalid or revoked token never reaches a route: the hook
 * answers 401 first.
 */
import type { FastifyRequest } from 'fastify';
import { AirlockError } from '../core/index.ts';
import type { RequestContext, Role, TokenScope } from '../storage/ports/index.ts';

export type { Role } from '../storage/ports/index.ts';

export const ROLES: readonly Role[] = ['reader', 'publisher', 'approver', 'admin'];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** reader < publisher < approver < admin */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export type Identity =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'token';
      readonly tokenId: string;
      readonly role: Role;
      readonly label: string;
      /** What the token may reach within its role; null: everything it allows. */
      readonly scope: TokenScope | null;
    };

export const ANONYMOUS: Identity = Object.freeze({ kind: 'anonymous' });

const MAX_AUTH_HEADER = 1024;

/** The token in an `Authorization` header: a Bearer value, or a Basic password (any user name); null when there is none. */
export function presentedSecret(header: string): string | null {
  if (header.length > MAX_AUTH_HEADER) return null;
  const space = header.indexOf(' ');
  if (space < 0) return null;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return value === '' ? null : value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    return password === '' ? null : password;
  }
  return null;
}

/**
 * `Basic` with no password (`Og==` is `:`): what registry clients (containers/image: skopeo,
 * podman) send once challenged when they have no credentials. It presents nothing: anonymous.
 */
export function isPasswordlessBasic(header: string): boolean {
  return header.length <= MAX_AUTH_HEADER && /^basic(\s|$)/i.test(header) && presentedSecret(header) === null;
}

/**
 * The token Airlock's registry token endpoint (`/-/oci/token`) hands a client that asked without
 * credentials, where anonymous reads are allowed: the Docker token protocol has every client
 * present a token, and this one stands for no one. It is not an Airlock token (those start with
 * `airlock_`), so it can never be one.
 */
export const ANONYMOUS_REGISTRY_TOKEN = 'airlock-anonymous';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the app's auth hook before routes run; anonymous when no credentials were sent. */
    identity: Identity;
  }
}

export function hasRole(identity: Identity, least: Role): boolean {
  return identity.kind === 'token' && roleRank(identity.role) >= roleRank(least);
}

/**
 * Throws UNAUTHORIZED without credentials and FORBIDDEN when the token's role is below `least`.
 */
export function requireRole(identity: Identity, least: Role): void {
  if (identity.kind === 'anonymous') {
    throw new AirlockError('UNAUTHORIZED', 'authentication required: send Authorization: Bearer <token>');
  }
  if (roleRank(identity.role) < roleRank(least)) {
    throw new AirlockError('FORBIDDEN', `this needs the ${least} role; the token has the ${identity.role} role`);
  }
}

/** Whether a scope's package entry (a name, or a prefix ending in `*`) covers `name`. */
export function packageInScope(entry: string, name: string, canonical: (name: string) => string = (n) => n): boolean {
  return entry.endsWith('*') ? canonical(name).startsWith(canonical(entry.slice(0, -1))) : canonical(entry) === canonical(name);
}

/** FORBIDDEN unless the token may use repository `repo` (its URL, or as where a write lands). */
export function requireRepositoryInScope(identity: Identity, repo: string): void {
  const repos = identity.kind === 'token' ? identity.scope?.repos : null;
  if (repos === null || repos === undefined || repos.includes(repo)) return;
  throw new AirlockError('FORBIDDEN', `this token is limited to the repositories ${repos.join(', ')}; not ${repo}`);
}

/**
 * FORBIDDEN unless the token may write the package `name`. `canonical` is the ecosystem's name
 * comparison: PyPI's names match by their PEP 503 form, so `acme_billing` in a scope is `acme-billing`.
 */
export function requirePackageInScope(identity: Identity, name: string, canonical?: (name: string) => string): void {
  const packages = identity.kind === 'token' ? identity.scope?.packages : null;
  if (packages === null || packages === undefined || packages.some((p) => packageInScope(p, name, canonical))) return;
  throw new AirlockError('FORBIDDEN', `this token may write only ${packages.join(', ')}; not ${name}`);
}

/** The actor name recorded in decisions and audit events. */
export function actorOf(identity: Identity): string {
  return identity.kind === 'token' ? `token:${identity.tokenId}` : 'anonymous';
}

const MAX_HEADER_CHARS = 256;

function header(request: FastifyRequest, name: string): string | null {
  const v = request.headers[name];
  const text = Array.isArray(v) ? v[0] : v;
  if (text === undefined || text === '') return null;
  return text.length > MAX_HEADER_CHARS ? text.slice(0, MAX_HEADER_CHARS) : text;
}

/**
 * What the gate records about a request (`input.request` in the policy input): token id, user
 * agent, the `X-Airlock-Agent` hint AI agents send, client ip and the request id.
 */
export function requestContextOf(request: FastifyRequest): RequestContext {
  const identity = request.identity ?? ANONYMOUS;
  return {
    tokenId: identity.kind === 'token' ? identity.tokenId : null,
    role: identity.kind === 'token' ? identity.role : null,
    userAgent: header(request, 'user-agent'),
    agent: header(request, 'x-airlock-agent'),
    ip: request.ip === '' ? null : request.ip,
    requestId: String(request.id),
  };
}
