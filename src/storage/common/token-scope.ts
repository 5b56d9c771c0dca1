/**
 * A token's scope as both drivers store it: JSON text, or NULL for none. Checked on the way in
 * (the shape and the bounds; what the entries mean is the token service's to check) and on the way
 * out, like any other column.
 */
import { AirlockError } from '../../core/index.ts';
import type { TokenScope } from '../ports/index.ts';

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
