/**
 * Minting the Airlock token an ID token was exchanged for, shared by a CI job's exchange and a
 * reviewer's single sign-on: an ordinary token record (hashed; the auth hook, scopes and
 * revocation treat it like any other), recorded with its provenance (`exchangedFrom`: the issuer)
 * and written with its `token.create` audit event naming the issuer, the subject and the rule
 * that granted it, in one transaction.
 */
import type { Role, TokenScope } from '../../../storage/ports/index.ts';
import type { ScopeRequest, TokenService } from '../token-service.ts';

/** The minted token (its secret shown once) and what it was granted for. */
export interface ExchangedToken {
  readonly token: string;
  readonly id: string;
  readonly label: string;
  readonly role: Role;
  readonly scope: TokenScope | null;
  readonly expiresAt: Date;
  readonly issuer: string;
  readonly subject: string;
  readonly rule: string;
}

/** What an exchange grants, and to whom. */
export interface ExchangeGrant {
  readonly issuer: string;
  readonly subject: string;
  /** The rule that matched, as recorded. */
  readonly rule: string;
  readonly role: Role;
  readonly label: string;
  readonly ttlMs: number;
  readonly scope: ScopeRequest | null;
  /** `sso`: a person signing in to the review UI; absent: a CI job. */
  readonly flow?: 'sso';
  /** The token's secret when the caller derives it (single sign-on: one per sign-in code); default: random. */
  readonly secret?: string;
}

const MAX_LABEL = 200;
const MAX_ACTOR = 256;

export async function mintExchangedToken(tokens: TokenService, grant: ExchangeGrant, now: Date): Promise<ExchangedToken> {
  const expiresAt = new Date(now.getTime() + grant.ttlMs);
  const t = await tokens.create({
    role: grant.role,
    label: grant.label.slice(0, MAX_LABEL),
    expiresAt,
    actor: `${grant.flow ?? 'oidc'}:${grant.subject}`.slice(0, MAX_ACTOR),
    scope: grant.scope,
    exchange: { issuer: grant.issuer, subject: grant.subject, rule: grant.rule, ...(grant.flow === undefined ? {} : { flow: grant.flow }) },
    ...(grant.secret === undefined ? {} : { secret: grant.secret }),
  });
  return { token: t.token, id: t.id, label: t.label, role: t.role, scope: t.scope, expiresAt: t.expiresAt ?? expiresAt, issuer: grant.issuer, subject: grant.subject, rule: grant.rule };
}
