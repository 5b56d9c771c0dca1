/**
 * Single sign-on to the review UI (`access.sso`): the identity provider reviewers sign in with
 * (OpenID Connect, authorization code flow with PKCE), and the rules that turn their claims
 * (groups, most often) into an Airlock role.
 */
import type { Role } from '../../../storage/ports/index.ts';

/** A secret held by the configuration (its value read only where it is used). */
export interface SecretValue {
  reveal(): string;
}

/** One role rule: a claim (a string, or a list of strings such as `groups`) with a value matching `value`. */
export interface SsoRoleRule {
  /** As recorded with each sign-in: `roles[<n>] <claim>=<value>`. */
  readonly name: string;
  readonly claim: string;
  /** Exact, or a pattern in which `*` matches any run of characters (`*` alone: any value). */
  readonly value: string;
  readonly role: Role;
}

export interface SsoSettings {
  /** The issuer (`iss`), exactly; its discovery document is `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  /** null: a public client (PKCE only). */
  readonly clientSecret: SecretValue | null;
  /** What sign-in state is sealed with, shared by every gateway; null: derived from the client secret. */
  readonly sessionKey: SecretValue | null;
  /** Always with `openid`. */
  readonly scopes: readonly string[];
  /** First match wins; none: no role, refused. */
  readonly roles: readonly SsoRoleRule[];
  /** How long a reviewer's token lives. */
  readonly sessionTtlMs: number;
  /** `<server.publicUrl>-/sso/callback`: registered with the identity provider. */
  readonly redirectUri: string;
  /** Where the claims the role rules name (groups, most often) are read from. */
  readonly groupsFrom: SsoGroupsFrom;
}

/**
 * `idToken`: the ID token only; `userinfo`: the userinfo endpoint always (the ID token's values of
 * those claims are not used); `auto`: the ID token, and the userinfo endpoint for the claims it
 * lacks when the provider has one.
 */
export const SSO_GROUPS_FROM = ['auto', 'idToken', 'userinfo'] as const;
export type SsoGroupsFrom = (typeof SSO_GROUPS_FROM)[number];

export const SSO_ROLES = ['reader', 'publisher', 'approver', 'admin'] as const;
export const DEFAULT_SSO_SCOPES = ['openid', 'profile', 'email'] as const;
export const DEFAULT_SESSION_TTL_MS = 8 * 3_600_000;
/** How long a sign-in may take at the identity provider, and how long its one-time code lasts. */
export const LOGIN_TTL_MS = 10 * 60_000;
export const HANDOFF_TTL_MS = 60_000;
