/**
 * The issuers whose OIDC ID tokens Airlock exchanges for its own short-lived tokens, and the
 * trust rules that say which tokens get what (`access.oidc.issuers` in the configuration).
 */

/** Roles an exchanged token may have: never approver or admin. */
export const EXCHANGE_ROLES = ['reader', 'publisher'] as const;
export type ExchangeRole = (typeof EXCHANGE_ROLES)[number];

/** The longest an exchanged token lives, and how long when a rule does not say. */
export const MAX_EXCHANGE_TTL_MS = 3_600_000;
export const DEFAULT_EXCHANGE_TTL_MS = 900_000;

export interface OidcTrustRule {
  /** As configured, or `#<n>` (its place in the list, from 1). Recorded with each exchange. */
  readonly name: string;
  /** Claim name → exact value, or a pattern in which `*` matches any run of characters. All must match. */
  readonly claims: Readonly<Record<string, string>>;
  readonly role: ExchangeRole;
  /** Repositories the token may use (null: every one), as a scoped token's. */
  readonly repos: readonly string[] | null;
  /** Packages a publisher token may write (null: every one), names or prefixes ending in `*`. */
  readonly packages: readonly string[] | null;
  readonly ttlMs: number;
}

export interface OidcIssuer {
  /** The `iss` a token must carry, exactly (`https://token.actions.githubusercontent.com`). */
  readonly issuer: string;
  /** What the token's `aud` must contain. */
  readonly audience: string;
  /** The key set's URL; null: the `jwks_uri` of `<issuer>/.well-known/openid-configuration`. */
  readonly jwksUri: string | null;
  /** First match wins; a token no rule matches is refused. */
  readonly trust: readonly OidcTrustRule[];
}
