/**
 * API tokens: high-entropy secrets handed out once, stored only as their sha256. Lookup is by
 * the hash (an index lookup on a value the caller cannot steer), so nothing depends on comparing
 * secrets byte by byte. Verified tokens are cached briefly; revoking through this service clears
 * the cache at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AirlockError, Lru, isAirlockError, writtenText } from '../../core/index.ts';
import { isPlainObject, parseNpmPackageName } from '../../core/index.ts';
import type { AuditEventInput, Page, Role, TokenRecord, TokenScope, TokenStore } from '../../storage/ports/index.ts';
import { isRole } from '../../gate/identity.ts';

export const TOKEN_PREFIX = 'airlock_';
const MIN_TOKEN_CHARS = 16;
const MAX_TOKEN_CHARS = 512;
const CACHE_MS = 30_000;

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** A token without its hash, as the API shows it. */
export interface TokenView {
  readonly id: string;
  readonly role: Role;
  readonly label: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly scope: TokenScope | null;
  /** The OIDC issuer whose ID token it was exchanged for; null for a token an administrator created. */
  readonly exchangedFrom: string | null;
}

export function tokenView(t: TokenRecord): TokenView {
  return { id: t.id, role: t.role, label: t.label, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt, scope: t.scope, exchangedFrom: t.exchangedFrom };
}

/** What a new token's scope may ask for: repositories, and (publisher tokens) packages. */
export interface ScopeRequest {
  readonly repos?: readonly string[];
  readonly packages?: readonly string[];
}

const REPO_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAX_SCOPE_ENTRIES = 64;

/** A package entry: an npm name, or a prefix of one ending in `*` (`@acme/*`, `acme-*`); as given, or BAD_REQUEST. */
function packageEntry(entry: string): string {
  const bad = (why: string): never => {
    throw new AirlockError('BAD_REQUEST', `the package ${JSON.stringify(entry.slice(0, 100))} ${why}`);
  };
  if (!entry.endsWith('*')) {
    if (entry.includes('*')) bad('has a * that does not end it (a prefix is written @acme/* or acme-*)');
    try {
      parseNpmPackageName(entry);
    } catch {
      bad('is not a valid npm package name (or a prefix ending in *)');
    }
    return entry;
  }
  const prefix = entry.slice(0, -1);
  if (prefix === '' || prefix === '@') bad('would cover every package: leave --package out instead');
  if (prefix.includes('*') || !/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9._~-]*$/.test(prefix)) bad('is not a package-name prefix ending in * (such as @acme/* or acme-*)');
  return entry;
}

/** The scope a token is created with, checked against its role (null: none asked for). */
export function tokenScope(role: Role, req: ScopeRequest | null | undefined): TokenScope | null {
  const repos = req?.repos === undefined || req.repos.length === 0 ? null : req.repos;
  const packages = req?.packages === undefined || req.packages.length === 0 ? null : req.packages;
  if (repos === null && packages === null) return null;
  if (role === 'approver' || role === 'admin') throw new AirlockError('BAD_REQUEST', `a scope limits reader and publisher tokens; an ${role} token acts on the whole gateway`);
  if (packages !== null && role !== 'publisher') throw new AirlockError('BAD_REQUEST', 'a reader token writes no package: packages are scoped on publisher tokens');
  for (const list of [repos, packages]) {
    if (list !== null && list.length > MAX_SCOPE_ENTRIES) throw new AirlockError('BAD_REQUEST', `a scope lists at most ${MAX_SCOPE_ENTRIES} repositories and ${MAX_SCOPE_ENTRIES} packages`);
  }
  for (const r of repos ?? []) if (!REPO_NAME_RE.test(r)) throw new AirlockError('BAD_REQUEST', `${JSON.stringify(r.slice(0, 100))} is not a repository name`);
  return { repos: repos === null ? null : [...new Set(repos)], packages: packages === null ? null : [...new Set(packages.map(packageEntry))] };
}

/** A scope request as the API takes it (`{repos?, packages?}`), or BAD_REQUEST. */
export function scopeRequest(value: unknown): ScopeRequest | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) throw new AirlockError('BAD_REQUEST', 'scope must be an object with repos and/or packages');
  const list = (key: string): readonly string[] | undefined => {
    const v = value[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((e) => typeof e === 'string')) throw new AirlockError('BAD_REQUEST', `scope.${key} must be a list of strings`);
    return v as string[];
  };
  for (const k of Object.keys(value)) if (k !== 'repos' && k !== 'packages') throw new AirlockError('BAD_REQUEST', `scope has an unknown field ${JSON.stringify(k.slice(0, 40))}`);
  const repos = list('repos');
  const packages = list('packages');
  return { ...(repos === undefined ? {} : { repos }), ...(packages === undefined ? {} : { packages }) };
}

export interface CreatedToken extends TokenView {
  /** The secret: shown once, never stored. */
  readonly token: string;
}

export type BootstrapResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'created'; readonly token: CreatedToken }
  | { readonly kind: 'configured'; readonly id: string; readonly created: boolean };

export interface NewTokenRequest {
  readonly role: string;
  readonly label: string;
  readonly expiresAt: Date | null;
  readonly actor: string;
  readonly secret?: string;
  /** Limits for a reader or publisher token. */
  readonly scope?: ScopeRequest | null;
  /** For a token exchanged for an OIDC ID token: whose token, and the trust rule that granted it (recorded with it). */
  readonly exchange?: TokenExchange;
}

/** What an exchanged token was granted for: the issuer and subject of the ID token, the trust rule that matched. */
export interface TokenExchange {
  readonly issuer: string;
  readonly subject: string;
  readonly rule: string;
  /** `sso`: a person signed in to the review UI (any role, by the role rules); absent: a CI job's exchange (reader or publisher). */
  readonly flow?: 'sso';
}

/** Expired exchanged tokens deleted per store call while purging. */
const PURGE_BATCH = 500;

export class TokenService {
  readonly #store: TokenStore;
  readonly #newId: () => string;
  readonly #clock: () => Date;
  readonly #cache = new Lru<string, { readonly rec: TokenRecord; readonly until: number }>(10_000);

  constructor(deps: { store: TokenStore; newId: () => string; clock?: () => Date }) {
    this.#store = deps.store;
    this.#newId = deps.newId;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** The active token for a presented secret, or null (unknown, revoked or expired). */
  async verify(secret: string): Promise<TokenRecord | null> {
    if (secret.length < MIN_TOKEN_CHARS || secret.length > MAX_TOKEN_CHARS) return null;
    const hash = hashToken(secret);
    const now = this.#clock().getTime();
    const cached = this.#cache.get(hash);
    let rec: TokenRecord | null;
    if (cached !== undefined && cached.until > now) {
      rec = cached.rec;
    } else {
      rec = await this.#store.findTokenByHash(hash);
      // Only hits are cached: a token created by another process works at once.
      if (rec !== null) this.#cache.set(hash, { rec, until: now + CACHE_MS });
    }
    if (rec === null || rec.revokedAt !== null) return null;
    if (rec.expiresAt !== null && rec.expiresAt.getTime() <= now) return null;
    return rec;
  }

  async create(req: NewTokenRequest): Promise<CreatedToken> {
    const { rec, secret, audit } = this.#newToken(req);
    await this.#store.putToken(rec, audit);
    this.#cache.delete(rec.hash);
    return { ...tokenView(rec), token: secret };
  }

  /** A checked new token record with its secret and its audit event (nothing stored). */
  #newToken(req: NewTokenRequest): { rec: TokenRecord; secret: string; audit: AuditEventInput } {
    if (!isRole(req.role)) throw new AirlockError('BAD_REQUEST', `unknown role ${JSON.stringify(req.role)} (reader, publisher, approver or admin)`);
    const label = writtenText(req.label, 'the label', 200, true);
    const now = this.#clock();
    if (req.expiresAt !== null && req.expiresAt.getTime() <= now.getTime()) throw new AirlockError('BAD_REQUEST', 'expiry must be in the future');
    const secret = req.secret ?? newTokenSecret();
    if (secret.length < MIN_TOKEN_CHARS || secret.length > MAX_TOKEN_CHARS || /\s/.test(secret)) {
      throw new AirlockError('BAD_REQUEST', `a token must be ${MIN_TOKEN_CHARS}-${MAX_TOKEN_CHARS} characters without spaces`);
    }
    const scope = tokenScope(req.role, req.scope);
    const exchange = req.exchange ?? null;
    if (exchange !== null && exchange.flow !== 'sso' && req.role !== 'reader' && req.role !== 'publisher') {
      throw new AirlockError('BAD_REQUEST', "a token exchanged for a CI job's ID token is a reader or publisher token");
    }
    if (exchange !== null && req.expiresAt === null) throw new AirlockError('BAD_REQUEST', 'a token exchanged for an ID token expires');
    const rec: TokenRecord = { id: this.#newId(), hash: hashToken(secret), role: req.role, label, createdAt: now, expiresAt: req.expiresAt, revokedAt: null, scope, exchangedFrom: exchange?.issuer ?? null };
    const audit = {
      at: now,
      actor: req.actor,
      action: 'token.create',
      subject: rec.id,
      details: {
        role: rec.role,
        label,
        expiresAt: rec.expiresAt?.toISOString() ?? null,
        ...(scope === null ? {} : { scope: { repos: scope.repos, packages: scope.packages } }),
        ...(exchange === null ? {} : { oidc: { issuer: exchange.issuer, subject: exchange.subject, rule: exchange.rule, ...(exchange.flow === undefined ? {} : { flow: exchange.flow }) } }),
      },
    };
    return { rec, secret, audit };
  }

  /** Deletes every exchanged token that has expired (they are many and short-lived); returns how many. */
  async purgeExpiredExchanged(): Promise<number> {
    const now = this.#clock();
    let total = 0;
    for (;;) {
      const n = await this.#store.purgeExchangedTokens(now, PURGE_BATCH);
      total += n;
      if (n < PURGE_BATCH) return total;
    }
  }

  async list(): Promise<TokenView[]> {
    return (await this.#store.listTokens()).map(tokenView);
  }

  /** One page, newest first (`cursor`: the previous page's `nextCursor`). */
  async listPage(filter: { readonly limit: number; readonly cursor?: string }): Promise<Page<TokenView>> {
    const page = await this.#store.listTokensPage(filter);
    return { items: page.items.map(tokenView), nextCursor: page.nextCursor };
  }

  async revoke(id: string, actor: string): Promise<void> {
    const now = this.#clock();
    const ok = await this.#store.revokeToken(id, now, { at: now, actor, action: 'token.revoke', subject: id, details: {} });
    if (!ok) throw new AirlockError('NOT_FOUND', `no active token ${JSON.stringify(id.slice(0, 64))}`);
    this.#cache.clear();
  }

  /**
   * Another process revoked a token (seen in the audit trail): forget every verified token, so
   * the revoked one stops working here too instead of when its cache entry runs out.
   */
  forgetVerified(): void {
    this.#cache.clear();
  }

  /**
   * Start-up: with a configured admin token (AIRLOCK_ADMIN_TOKEN), make sure it exists; without
   * one, create an admin token when no active token exists at all (returned to be printed once).
   */
  async bootstrap(configured: string | null): Promise<BootstrapResult> {
    const now = this.#clock();
    if (configured !== null) {
      const existing = await this.#store.findTokenByHash(hashToken(configured));
      if (existing !== null) {
        if (existing.revokedAt !== null) {
          throw new AirlockError('CONFIG_INVALID', 'the configured admin token (AIRLOCK_ADMIN_TOKEN) was revoked; configure a new one');
        }
        return { kind: 'configured', id: existing.id, created: false };
      }
      try {
        const t = await this.create({ role: 'admin', label: 'configured admin token', expiresAt: null, actor: 'system', secret: configured });
        return { kind: 'configured', id: t.id, created: true };
      } catch (err) {
        // Another node sharing the store stored the same configured token first.
        if (!isAirlockError(err, 'CONFLICT')) throw err;
        const stored = await this.#store.findTokenByHash(hashToken(configured));
        if (stored === null) throw err;
        return { kind: 'configured', id: stored.id, created: false };
      }
    }
    // Checked and created in one step: nodes starting together on one store make one token.
    const { rec, secret, audit } = this.#newToken({ role: 'admin', label: 'bootstrap admin token', expiresAt: null, actor: 'system' });
    if (!(await this.#store.putTokenIfNoneActive(rec, now, audit))) return { kind: 'none' };
    return { kind: 'created', token: { ...tokenView(rec), token: secret } };
  }
}
