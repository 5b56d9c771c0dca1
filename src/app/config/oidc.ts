/**
 * `access.oidc`: the OIDC issuers whose ID tokens (a CI job's workload identity) are exchanged for
 * short-lived Airlock tokens, each with its audience and trust rules. Checked strictly: a rule
 * grants reader or publisher only, for at most an hour, and must pin the workload (its `sub`,
 * repository, owner or project) with a value that does not start with `*`, so that no rule matches
 * every job the issuer signs for (GitHub signs for every repository on GitHub).
 */
import { tokenScope } from '../../api/auth/token-service.ts';
import { DEFAULT_EXCHANGE_TTL_MS, EXCHANGE_ROLES, MAX_EXCHANGE_TTL_MS, type OidcIssuer, type OidcTrustRule } from '../../api/auth/oidc/index.ts';
import { duration, fail, integer, join, list, object, optionalObject, string, type Raw } from './checks.ts';
import type { RateLimit } from '../../api/rate-limit.ts';
import { rateLimitSetting } from './rate-limit.ts';
import { isLoopbackHost } from '../upstream-proxy.ts';

export const OIDC_KEYS = ['issuers', 'rateLimit'] as const;

/**
 * The exchange verifies a signature (and may fetch a key set) for anyone who asks: per client
 * address, 30 a minute after a burst of 10; 10,000 addresses tracked.
 */
export const DEFAULT_OIDC_RATE_LIMIT: RateLimit = { perMinute: 30, burst: 10, clients: 10_000 };

export const OIDC_ISSUER_KEYS = ['issuer', 'audience', 'jwksUri', 'trust'] as const;
export const OIDC_RULE_KEYS = ['name', 'claims', 'role', 'repos', 'packages', 'ttl'] as const;

const MAX_ISSUERS = 16;
const MAX_RULES = 64;
const MAX_RULE_CLAIMS = 16;
const CLAIM_NAME_RE = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
const RULE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Claims that say whose job a token is for: a rule must pin one. */
const WORKLOAD_CLAIMS = ['sub', 'repository', 'repository_owner', 'repository_id', 'repository_owner_id', 'project_path', 'project_id', 'namespace_path', 'namespace_id'] as const;

/** An issuer or key set URL: https, or http on this machine (a test issuer). Kept as written. */
export function issuerUrl(v: unknown, path: string): string {
  const text = string(v, path, { max: 2048 });
  if (!URL.canParse(text)) fail(path, `not a URL: ${JSON.stringify(text.slice(0, 200))}`);
  const url = new URL(text);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) fail(path, 'must be an https:// URL (http:// only on this machine, for tests)');
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') fail(path, 'must not have a query, fragment or credentials');
  return text;
}

function claimPatterns(v: unknown, path: string): Readonly<Record<string, string>> {
  if (v === undefined || v === null) fail(path, 'is required: the claims a token must have, e.g. {repository: acme/app, ref: refs/heads/main}');
  if (typeof v !== 'object' || Array.isArray(v)) fail(path, 'expected a mapping of claim names to values');
  const entries = Object.entries(v as Raw);
  if (entries.length === 0 || entries.length > MAX_RULE_CLAIMS) fail(path, `names 1 to ${MAX_RULE_CLAIMS} claims`);
  const out = new Map<string, string>();
  for (const [name, pattern] of entries) {
    const at = join(path, name);
    if (!CLAIM_NAME_RE.test(name)) fail(at, 'is not a claim name (letters, digits, _ . : -)');
    const text = string(pattern, at, { max: 256 });
    if (/^\**$/.test(text)) fail(at, 'matches any value: leave the claim out');
    out.set(name, text);
  }
  if (!WORKLOAD_CLAIMS.some((c) => out.get(c)?.startsWith('*') === false)) {
    fail(path, `pins no workload: name one of ${WORKLOAD_CLAIMS.join(', ')} with a value that does not start with *, or the rule matches the jobs of everyone the issuer signs for`);
  }
  return Object.freeze(Object.fromEntries(out));
}

function names(v: unknown, path: string): readonly string[] | null {
  if (v === undefined || v === null) return null;
  const items = list(v, path, 64).map((x, i) => string(x, join(path, i), { max: 256 }));
  if (items.length === 0) fail(path, 'is empty: leave it out to allow every one');
  return items;
}

function rule(v: unknown, path: string, index: number, repositories: readonly string[]): OidcTrustRule {
  const o = object(v, path, OIDC_RULE_KEYS);
  if (o['role'] === undefined) fail(join(path, 'role'), 'is required: reader or publisher');
  const role = string(o['role'], join(path, 'role'));
  if (!(EXCHANGE_ROLES as readonly string[]).includes(role)) fail(join(path, 'role'), `must be reader or publisher (${JSON.stringify(role.slice(0, 40))}): approver and admin tokens are never handed to a CI job`);
  const repos = names(o['repos'], join(path, 'repos'));
  repos?.forEach((r, i) => {
    if (!repositories.includes(r)) fail(join(join(path, 'repos'), i), `no repository is named ${JSON.stringify(r)} (${repositories.join(', ')})`);
  });
  const packages = names(o['packages'], join(path, 'packages'));
  try {
    tokenScope(role as OidcTrustRule['role'], { ...(repos === null ? {} : { repos }), ...(packages === null ? {} : { packages }) });
  } catch (err) {
    fail(packages === null ? join(path, 'repos') : join(path, 'packages'), err instanceof Error ? err.message : String(err));
  }
  return {
    name: o['name'] === undefined ? `#${index + 1}` : string(o['name'], join(path, 'name'), { max: 64, pattern: RULE_NAME_RE, hint: 'letters, digits, . _ -' }),
    claims: claimPatterns(o['claims'], join(path, 'claims')),
    role: role as OidcTrustRule['role'],
    repos,
    packages,
    ttlMs: o['ttl'] === undefined ? DEFAULT_EXCHANGE_TTL_MS : duration(o['ttl'], join(path, 'ttl'), 60_000, MAX_EXCHANGE_TTL_MS),
  };
}

function issuer(v: unknown, path: string, repositories: readonly string[]): OidcIssuer {
  const o = object(v, path, OIDC_ISSUER_KEYS);
  for (const k of ['issuer', 'audience', 'trust'] as const) if (o[k] === undefined) fail(join(path, k), 'is required');
  const url = issuerUrl(o['issuer'], join(path, 'issuer'));
  const audience = string(o['audience'], join(path, 'audience'), { max: 512 });
  const jwksUri = o['jwksUri'] === undefined || o['jwksUri'] === null ? null : issuerUrl(o['jwksUri'], join(path, 'jwksUri'));
  const rules = list(o['trust'], join(path, 'trust'), MAX_RULES).map((r, i) => rule(r, join(join(path, 'trust'), i), i, repositories));
  if (rules.length === 0) fail(join(path, 'trust'), 'has no rule: a token no rule matches is refused, so this issuer would grant nothing');
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.name)) fail(join(join(join(path, 'trust'), i), 'name'), `duplicate rule name ${JSON.stringify(r.name)}`);
    seen.add(r.name);
  });
  return { issuer: url, audience, jwksUri, trust: rules };
}

/** `access.oidc`, given the names of the configured repositories (a rule's `repos` must name them). */
export function oidcConfig(v: unknown, path: string, repositories: readonly string[]): { readonly issuers: readonly OidcIssuer[]; readonly rateLimit: RateLimit | null } {
  const o = optionalObject(v, path, OIDC_KEYS);
  const limit = rateLimitSetting(o['rateLimit'], join(path, 'rateLimit'), DEFAULT_OIDC_RATE_LIMIT);
  if (o['issuers'] === undefined || o['issuers'] === null) return { issuers: [], rateLimit: limit };
  const issuers = list(o['issuers'], join(path, 'issuers'), MAX_ISSUERS).map((x, i) => issuer(x, join(join(path, 'issuers'), i), repositories));
  const seen = new Set<string>();
  issuers.forEach((x, i) => {
    if (seen.has(x.issuer)) fail(join(join(join(path, 'issuers'), i), 'issuer'), `duplicate issuer ${JSON.stringify(x.issuer)}`);
    seen.add(x.issuer);
  });
  return { issuers, rateLimit: limit };
}
