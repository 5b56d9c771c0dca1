/**
 * A signed-in person's role: the first rule whose claim has a matching value. A claim is a string
 * or a list of strings (`groups`, `roles`); `*` in a rule's value matches any run of characters,
 * so `*` alone matches any value (the claim must still be there). When no rule matches, what the
 * person has of the claims the rules name is said, for the page that asks them to see an admin.
 */
import type { PlainObject } from '../../../core/index.ts';
import { globMatches } from '../oidc/index.ts';
import type { SsoRoleRule } from './types.ts';

/** Values of one claim looked at (a userinfo answer listing more is refused), and characters of each (longer ones are ignored). */
export const MAX_CLAIM_VALUES = 1000;
const MAX_VALUE_CHARS = 1024;
/** Values and characters of each shown on the no-role page. */
const SHOWN_VALUES = 20;
const SHOWN_CHARS = 120;

/** The string values of `claims[name]`: a string, or the strings of a list (others ignored). */
export function claimValues(claims: PlainObject, name: string): readonly string[] {
  const v = Object.hasOwn(claims, name) ? claims[name] : undefined;
  const all = typeof v === 'string' ? [v] : Array.isArray(v) ? v.slice(0, MAX_CLAIM_VALUES) : [];
  return all.filter((x): x is string => typeof x === 'string' && x !== '' && x.length <= MAX_VALUE_CHARS);
}

export type RoleMatch =
  | { readonly kind: 'matched'; readonly rule: SsoRoleRule }
  /** `has`: each claim a rule names, with the person's values (cut for showing). */
  | { readonly kind: 'none'; readonly has: Readonly<Record<string, readonly string[]>> };

export function matchRole(rules: readonly SsoRoleRule[], claims: PlainObject): RoleMatch {
  for (const rule of rules) {
    if (claimValues(claims, rule.claim).some((v) => globMatches(rule.value, v))) return { kind: 'matched', rule };
  }
  const has: Record<string, readonly string[]> = {};
  for (const rule of rules) has[rule.claim] ??= claimValues(claims, rule.claim).slice(0, SHOWN_VALUES).map((v) => v.slice(0, SHOWN_CHARS));
  return { kind: 'none', has };
}
