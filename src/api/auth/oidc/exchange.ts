/**
 * The token exchange: a CI job's OIDC ID token in, a short-lived Airlock token out. The ID token
 * must come from a configured issuer (`iss` exactly), be signed by one of its keys with the
 * algorithm that key is for, be meant for Airlock (`aud`) and be current (`exp`, `nbf`, `iat`);
 * the issuer's first trust rule its claims match says the role, the scope and how long the new
 * token lives. The new token is an ordinary token record (hashed; the auth hook, scopes and
 * revocation treat it like any other), written with its `token.create` audit event (naming the
 * issuer, subject and rule) in one transaction. Now and then an exchange also deletes the
 * exchanged tokens that have expired, so they do not pile up.
 */
import { AirlockError } from '../../../core/index.ts';
import { DEFAULT_JWT_LIMITS, type JwtLimits, type VerifiedJwt } from '../../../verify/index.ts';
import type { TokenService } from '../token-service.ts';
import { parseIdToken, verifyIdToken } from './id-token.ts';
import { DEFAULT_KEY_CACHE, IssuerKeys, type KeyCacheOptions, type OidcDocumentFetcher } from './key-sets.ts';
import { mintExchangedToken, type ExchangedToken } from './mint.ts';
import { OidcRefusal } from './refusal.ts';
import { matchTrustRule } from './trust-rules.ts';
import { EXCHANGE_ROLES, type OidcIssuer, type OidcTrustRule } from './types.ts';

export interface OidcExchangeOptions {
  readonly issuers: readonly OidcIssuer[];
  /** Allowed clock difference for `exp`, `nbf` and `iat` (default 60 s). */
  readonly leewayMs?: number;
  readonly limits?: JwtLimits;
  readonly keyCache?: KeyCacheOptions;
  /** At most one purge of expired exchanged tokens per this long, run by an exchange (default a minute). */
  readonly purgeEveryMs?: number;
}

export interface OidcExchangeDeps {
  readonly tokens: TokenService;
  readonly fetcher: OidcDocumentFetcher;
  readonly clock: () => Date;
  readonly log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export type { ExchangedToken } from './mint.ts';

const MAX_LABEL = 200;

/** `oidc:<repository>@<ref>` for a GitHub Actions token, else `oidc:<sub>`. */
function labelOf(claims: VerifiedJwt['claims'], subject: string): string {
  const repository = claims['repository'];
  const ref = claims['ref'];
  const text = typeof repository === 'string' && typeof ref === 'string' ? `${repository}@${ref}` : subject;
  return `oidc:${text}`.slice(0, MAX_LABEL);
}

export class OidcExchange {
  readonly #deps: OidcExchangeDeps;
  readonly #issuers: ReadonlyMap<string, { readonly config: OidcIssuer; readonly keys: IssuerKeys }>;
  readonly #leewayMs: number;
  readonly #limits: JwtLimits;
  readonly #purgeEveryMs: number;
  #lastPurge = Number.NEGATIVE_INFINITY;

  constructor(deps: OidcExchangeDeps, options: OidcExchangeOptions) {
    this.#deps = deps;
    const now = (): number => deps.clock().getTime();
    this.#issuers = new Map(options.issuers.map((c) => [c.issuer, { config: c, keys: new IssuerKeys({ fetcher: deps.fetcher, now }, c, options.keyCache ?? DEFAULT_KEY_CACHE) }]));
    this.#leewayMs = options.leewayMs ?? 60_000;
    this.#limits = options.limits ?? DEFAULT_JWT_LIMITS;
    this.#purgeEveryMs = options.purgeEveryMs ?? 60_000;
  }

  /** A new Airlock token for the ID token `jwt`, or an OidcRefusal saying what failed. */
  async exchange(jwt: string): Promise<ExchangedToken> {
    const parsed = parseIdToken(jwt, this.#limits);
    const iss = parsed.claims['iss'];
    const issuer = typeof iss === 'string' ? this.#issuers.get(iss) : undefined;
    if (issuer === undefined) {
      const trusted = [...this.#issuers.keys()];
      const which = typeof iss === 'string' ? JSON.stringify(iss.slice(0, 200)) : '(none)';
      throw new OidcRefusal('unknown-issuer', trusted.length === 0 ? 'this Airlock trusts no OIDC issuer (access.oidc.issuers)' : `the token's issuer ${which} is not one this Airlock trusts (${trusted.join(', ')})`);
    }
    const config = issuer.config;
    const now = this.#deps.clock();
    const { verified, subject: sub } = await verifyIdToken(parsed, issuer.keys, { issuer: config.issuer, audience: config.audience, now: now.getTime(), leewayMs: this.#leewayMs });
    const match = matchTrustRule(config.trust, verified.claims);
    if (match.kind === 'none') throw new OidcRefusal('no-rule', match.message, { issuer: config.issuer, subject: sub.slice(0, 200), checked: match.checked });
    const created = await this.#mint(config, match.rule, verified, sub, now);
    await this.#purgeIfDue(now.getTime());
    return created;
  }

  async #mint(config: OidcIssuer, rule: OidcTrustRule, verified: VerifiedJwt, subject: string, now: Date): Promise<ExchangedToken> {
    // The configuration allows no other role; checked again here, where the token is made.
    if (!(EXCHANGE_ROLES as readonly string[]).includes(rule.role)) throw new AirlockError('INTERNAL', `trust rule ${rule.name} grants ${String(rule.role)}`);
    const scope = { ...(rule.repos === null ? {} : { repos: rule.repos }), ...(rule.packages === null ? {} : { packages: rule.packages }) };
    return mintExchangedToken(this.#deps.tokens, { issuer: config.issuer, subject, rule: rule.name, role: rule.role, label: labelOf(verified.claims, subject), ttlMs: rule.ttlMs, scope }, now);
  }

  /** Deletes expired exchanged tokens when the last purge (by this process) is a while ago; a failure is logged, not the exchange's. */
  async #purgeIfDue(now: number): Promise<void> {
    if (now - this.#lastPurge < this.#purgeEveryMs) return;
    this.#lastPurge = now;
    try {
      const purged = await this.#deps.tokens.purgeExpiredExchanged();
      if (purged > 0) this.#deps.log.info({ purged }, 'deleted expired exchanged tokens');
    } catch (err) {
      this.#deps.log.warn({ err }, 'could not delete expired exchanged tokens');
    }
  }
}
