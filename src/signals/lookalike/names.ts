/**
 * Name shapes: the canonical spelling of a package name and the derived forms the look-alike
 * index keys on (scope, basename, tokens, separator-free form). Pure functions.
 */

/** Which naming rules apply. `generic` lower-cases and nothing more. */
export type NameRules = 'npm' | 'pypi' | 'generic';

/** The separators package names use between words. */
export const SEPARATOR_RE = /[-_.]+/g;

export interface NameShape {
  /** Canonical full name: npm lower case (`@scope/name`), PyPI PEP 503, generic lower case. */
  readonly key: string;
  /** npm scope without `@`, else null. */
  readonly scope: string | null;
  /** The name without its scope. */
  readonly base: string;
  /** `base` split on separators (empty parts dropped). */
  readonly tokens: readonly string[];
  /** `base` with every separator removed. */
  readonly flat: string;
  /** True when the name holds any character outside printable ASCII. */
  readonly nonAscii: boolean;
}

// Printable ASCII only.
const ASCII_RE = /^[\x20-\x7e]*$/;
const ASCII_ONLY_RE = /^[\x00-\x7f]*$/;

/** The canonical spelling of a name under the given rules (no validation). */
export function canonicalName(rules: NameRules, raw: string): string {
  // NFC leaves ASCII as it is (only combining marks compose).
  const lower = (ASCII_ONLY_RE.test(raw) ? raw : raw.normalize('NFC')).toLowerCase();
  switch (rules) {
    case 'pypi':
      return lower.replace(SEPARATOR_RE, '-');
    case 'npm':
    case 'generic':
      return lower;
  }
}

export function splitScope(key: string): { readonly scope: string | null; readonly base: string } {
  if (key.startsWith('@')) {
    const slash = key.indexOf('/');
    if (slash > 1) return { scope: key.slice(1, slash), base: key.slice(slash + 1) };
  }
  return { scope: null, base: key };
}

export function tokensOf(text: string): string[] {
  return text.split(SEPARATOR_RE).filter((t) => t !== '');
}

export function flatOf(text: string): string {
  return text.replace(SEPARATOR_RE, '');
}

export function isAsciiName(text: string): boolean {
  return ASCII_RE.test(text);
}

export function shapeOf(rules: NameRules, raw: string): NameShape {
  const key = canonicalName(rules, raw);
  const { scope, base } = rules === 'npm' ? splitScope(key) : { scope: null, base: key };
  return { key, scope, base, tokens: tokensOf(base), flat: flatOf(base), nonAscii: !isAsciiName(raw) };
}
