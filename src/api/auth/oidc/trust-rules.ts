/**
 * Matching a verified token's claims against an issuer's trust rules: each rule names claims
 * and the value each must have, exactly or as a pattern in which `*` matches any run of
 * characters (`/` included: `acme/*` covers every repository of acme). Only string claims match.
 * The first rule whose every claim matches wins; when none does, the claims checked and the
 * token's values are said (never the rules' patterns: they stay on the server).
 */
import type { PlainObject } from '../../../core/index.ts';
import type { OidcTrustRule } from './types.ts';

/** A claim value longer than this never matches (no real claim is). */
const MAX_VALUE_CHARS = 1024;
/** Characters of a claim value shown in a refusal. */
const SHOWN_CHARS = 120;

/**
 * Whether `value` matches `pattern` (`*`: any run of characters, possibly none; nothing else is
 * special). Linear in practice and O(n·m) at worst: on a mismatch after a `*`, the star takes one
 * more character and matching resumes; there is no backtracking further back than the last star.
 */
export function globMatches(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

function ruleMatches(rule: OidcTrustRule, claims: PlainObject): boolean {
  return Object.entries(rule.claims).every(([name, pattern]) => {
    const v = Object.hasOwn(claims, name) ? claims[name] : undefined;
    return typeof v === 'string' && v.length <= MAX_VALUE_CHARS && globMatches(pattern, v);
  });
}

export type RuleMatch =
  | { readonly kind: 'matched'; readonly rule: OidcTrustRule }
  /** `checked`: each claim a rule names, with the token's value (null: absent or not a string). */
  | { readonly kind: 'none'; readonly checked: Readonly<Record<string, string | null>>; readonly message: string };

/** The first rule of `rules` that `claims` match, or what was checked. */
export function matchTrustRule(rules: readonly OidcTrustRule[], claims: PlainObject): RuleMatch {
  const rule = rules.find((r) => ruleMatches(r, claims));
  if (rule !== undefined) return { kind: 'matched', rule };
  const checked = new Map<string, string | null>();
  for (const r of rules) {
    for (const name of Object.keys(r.claims)) {
      const v = Object.hasOwn(claims, name) ? claims[name] : undefined;
      checked.set(name, typeof v === 'string' ? v.slice(0, SHOWN_CHARS) : null);
    }
  }
  const has = [...checked].map(([k, v]) => `${k} ${v === null ? '(none)' : JSON.stringify(v)}`);
  // The rules' patterns stay on the server: a refusal says what was checked, not what would pass.
  const message = `no trust rule matched the token (${rules.length === 1 ? 'one rule' : `${rules.length} rules`} checked ${[...checked.keys()].join(', ')}; the token has ${has.join(', ')})`;
  return { kind: 'none', checked: Object.fromEntries(checked), message };
}
