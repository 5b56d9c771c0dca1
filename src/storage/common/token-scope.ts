/**
 * A token's scope as both drivers store it: JSON text, or NULL for none. Checked on the way in
 * (the shape and the bounds; what the entries mean is the token service's to check) and on the way
 * out, like any other column. Also the other token columns both drivers check alike.
 */
import { AirlockError } from '../../core/index.ts';
import type { TokenRecord, TokenScope } from '../ports/index.ts';
import { requireText } from './validate.ts';

/** Entries a scope field holds at most. */
export const MAX_SCOPE_ENTRIES = 64;
/** Longest entry (an npm name is at most 214 characters). */
const MAX_SCOPE_ENTRY = 256;

function scopeList(value: unknown, what: string): readonly string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_SCOPE_ENTRIES) {
    throw new AirlockError('BAD_REQUEST', `token scope ${what} must be null or a list of 1 to ${MAX_SCOPE_ENTRIES} entries`);
  }
  for (const v of value as unknown[]) {
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_SCOPE_ENTRY) throw new AirlockError('BAD_REQUEST', `token scope ${what} entries must be strings of 1 to ${MAX_SCOPE_ENTRY} characters`);
  }
  return Object.freeze([...(value as string[])]);
}

function checkedScope(value: unknown): TokenScope | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new AirlockError('BAD_REQUEST', 'token scope must be an object or null');
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'repos' && k !== 'packages') throw new AirlockError('BAD_REQUEST', `token scope has an unknown field ${JSON.stringify(k.slice(0, 40))}`);
  const repos = scopeList(o['repos'] ?? null, 'repos');
  const packages = scopeList(o['packages'] ?? null, 'packages');
  return repos === null && packages === null ? null : { repos, packages };
}

/** The scope as a column value (a scope that limits nothing is stored as NULL). */
export function tokenScopeColumn(scope: TokenScope | null | undefined): string | null {
  const checked = checkedScope(scope ?? null);
  return checked === null ? null : JSON.stringify(checked);
}

/** The scope read back from its column. */
export function tokenScopeOf(column: unknown): TokenScope | null {
  if (column === null || column === undefined) return null;
  if (typeof column !== 'string') throw new AirlockError('STORAGE_ERROR', 'a token scope column is not text');
  try {
    return checkedScope(JSON.parse(column));
  } catch (err) {
    throw new AirlockError('STORAGE_ERROR', `a stored token scope is unreadable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * A token's `exchangedFrom` as its column: the issuer, or NULL. An exchanged token always expires
 * (BAD_REQUEST without an expiry): a purge deletes it once it has, so it cannot be without one.
 */
export function exchangedFromColumn(rec: TokenRecord): string | null {
  if (rec.exchangedFrom === null || rec.exchangedFrom === undefined) return null;
  if (rec.expiresAt === null) throw new AirlockError('BAD_REQUEST', 'a token exchanged for an ID token must expire');
  return requireText(rec.exchangedFrom, 'token exchangedFrom', 2048);
}

/** How many expired exchanged tokens one purge deletes at most: `limit`, capped at 1000; BAD_REQUEST below 1. */
export function purgeLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new AirlockError('BAD_REQUEST', 'limit must be a positive integer');
  return Math.min(limit, 1000);
}
