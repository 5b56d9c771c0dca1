/**
 * `access.sso`: single sign-on to the review UI with an OpenID Connect provider (authorization
 * code flow with PKCE). The issuer as for `access.oidc` (https, or http on this machine for a
 * test provider); the client id and, for a confidential client, its secret by reference; the
 * scopes (openid always among them); the role rules, first match wins, at least one; where the
 * claims they name are read (`groupsFrom`: auto, idToken or userinfo; auto by default); how long a
 * reviewer's token lives (5 minutes to a day, 8 hours by default). The sign-in state is sealed
 * with a key every gateway shares: `sessionKey` (a secret by reference, at least 32 characters),
 * or, without one, the client secret; a public client must give a session key. The redirect
 * URI, `<server.publicUrl>-/sso/callback`, is registered with the provider, so `server.publicUrl`
 * is required.
 */
import { DEFAULT_SESSION_TTL_MS, DEFAULT_SSO_SCOPES, SSO_GROUPS_FROM, SSO_ROLES, type SsoRoleRule, type SsoSettings } from '../../api/auth/sso/index.ts';
import { duration, fail, join, list, object, oneOf, string } from './checks.ts';
import { issuerUrl } from './oidc.ts';
import { secretRef } from './secret.ts';

export const SSO_KEYS = ['issuer', 'clientId', 'clientSecret', 'sessionKey', 'scopes', 'roles', 'groupsFrom', 'sessionTtl'] as const;
export const SSO_ROLE_KEYS = ['claim', 'value', 'role'] as const;

const MAX_ROLE_RULES = 64;
const MIN_SESSION_KEY_CHARS = 32;
const SCOPE_RE = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;
const CLAIM_RE = /^[^\s]{1,256}$/;

function roleRule(v: unknown, path: string, index: number): SsoRoleRule {
  const o = object(v, path, SSO_ROLE_KEYS);
  for (const k of SSO_ROLE_KEYS) if (o[k] === undefined) fail(join(path, k), k === 'role' ? `is required: ${SSO_ROLES.join(', ')}` : 'is required');
  const claim = string(o['claim'], join(path, 'claim'), { max: 256, pattern: CLAIM_RE, hint: 'a claim name without spaces, e.g. groups' });
  const value = string(o['value'], join(path, 'value'), { max: 256 });
  const role = oneOf(o['role'], join(path, 'role'), SSO_ROLES);
  return { name: `roles[${index}] ${claim}=${value}`, claim, value, role };
}

/** `access.sso`, or null when it is not configured; `publicUrl` is `server.publicUrl`. */
export function ssoConfig(v: unknown, path: string, ctx: { readonly env: NodeJS.ProcessEnv; readonly baseDir: string }, publicUrl: string | null): SsoSettings | null {
  if (v === undefined || v === null) return null;
  const o = object(v, path, SSO_KEYS);
  for (const k of ['issuer', 'clientId', 'roles'] as const) if (o[k] === undefined) fail(join(path, k), 'is required');
  if (publicUrl === null) fail(path, 'needs server.publicUrl: the redirect URI registered with the identity provider is <server.publicUrl>-/sso/callback');
  const issuer = issuerUrl(o['issuer'], join(path, 'issuer'));
  const clientId = string(o['clientId'], join(path, 'clientId'), { max: 512 });
  const clientSecret = o['clientSecret'] === undefined || o['clientSecret'] === null ? null : secretRef(o['clientSecret'], join(path, 'clientSecret'), ctx);
  const sessionKey = o['sessionKey'] === undefined || o['sessionKey'] === null ? null : secretRef(o['sessionKey'], join(path, 'sessionKey'), ctx);
  if (sessionKey !== null && sessionKey.reveal().length < MIN_SESSION_KEY_CHARS) fail(join(path, 'sessionKey'), `must be at least ${MIN_SESSION_KEY_CHARS} characters (e.g. openssl rand -base64 32)`);
  if (sessionKey === null && clientSecret === null) fail(join(path, 'sessionKey'), 'is required for a public client (no clientSecret): a secret every gateway shares, which seals the sign-in state');
  const scopes = o['scopes'] === undefined ? [...DEFAULT_SSO_SCOPES] : list(o['scopes'], join(path, 'scopes'), 32).map((x, i) => string(x, join(join(path, 'scopes'), i), { max: 128, pattern: SCOPE_RE, hint: 'a scope name, e.g. groups' }));
  if (!scopes.includes('openid')) fail(join(path, 'scopes'), 'must include openid (an ID token is what signs the reviewer in)');
  const roles = list(o['roles'], join(path, 'roles'), MAX_ROLE_RULES).map((r, i) => roleRule(r, join(join(path, 'roles'), i), i));
  if (roles.length === 0) fail(join(path, 'roles'), 'has no rule: nobody could sign in');
  return {
    issuer,
    clientId,
    clientSecret,
    sessionKey,
    scopes: [...new Set(scopes)],
    roles,
    sessionTtlMs: o['sessionTtl'] === undefined ? DEFAULT_SESSION_TTL_MS : duration(o['sessionTtl'], join(path, 'sessionTtl'), 5 * 60_000, 24 * 3_600_000),
    redirectUri: `${publicUrl}-/sso/callback`,
    groupsFrom: o['groupsFrom'] === undefined ? 'auto' : oneOf(o['groupsFrom'], join(path, 'groupsFrom'), SSO_GROUPS_FROM),
  };
}
