import type { Brand } from './brand.ts';
import { AirlockError } from './errors.ts';

/**
 * A validated npm package name, exactly as the registry spells it (legacy mixed-case
 * names exist, so it is never lower-cased). Scoped names are `@scope/name`.
 */
export type NpmPackageName = Brand<string, 'NpmPackageName'>;

/** A PyPI project name normalised per PEP 503 (lower case, runs of `-_.` → `-`). */
export type PypiProjectName = Brand<string, 'PypiProjectName'>;

const NPM_MAX_LENGTH = 214;
// Characters npm accepts in a name part (encodeURIComponent-safe plus a few legacy ones).
const NPM_PART_RE = /^[A-Za-z0-9._~!*'()-]+$/;

export interface NpmNameParts {
  readonly scope: string | null;
  readonly basename: string;
}

export function parseNpmPackageName(text: string): NpmPackageName {
  if (text.length === 0 || text.length > NPM_MAX_LENGTH) {
    throw new AirlockError('INVALID_NAME', `npm package name must be 1-${NPM_MAX_LENGTH} characters`);
  }
  let scope: string | null = null;
  let base = text;
  if (text.startsWith('@')) {
    const slash = text.indexOf('/');
    if (slash < 2 || slash === text.length - 1 || text.indexOf('/', slash + 1) !== -1) {
      throw new AirlockError('INVALID_NAME', `invalid scoped npm package name: ${JSON.stringify(text)}`);
    }
    scope = text.slice(1, slash);
    base = text.slice(slash + 1);
  } else if (text.includes('/')) {
    throw new AirlockError('INVALID_NAME', `invalid npm package name: ${JSON.stringify(text)}`);
  }
  const parts = scope === null ? [base] : [scope, base];
  const badLeading = scope === null && (base.startsWith('.') || base.startsWith('_'));
  if (badLeading || parts.some((part) => !NPM_PART_RE.test(part) || part === '.' || part === '..')) {
    throw new AirlockError('INVALID_NAME', `invalid npm package name: ${JSON.stringify(text)}`);
  }
  if (base === 'node_modules' || base === 'favicon.ico') {
    throw new AirlockError('INVALID_NAME', `reserved npm package name: ${JSON.stringify(text)}`);
  }
  return text as NpmPackageName;
}

/** Whether `text` is a name `parseNpmPackageName` takes (for a reader that skips what is not). */
export function isNpmPackageName(text: string): boolean {
  try {
    parseNpmPackageName(text);
    return true;
  } catch {
    return false;
  }
}

export function npmNameParts(name: NpmPackageName): NpmNameParts {
  if (!name.startsWith('@')) return { scope: null, basename: name };
  const slash = name.indexOf('/');
  return { scope: name.slice(1, slash), basename: name.slice(slash + 1) };
}

const PEP508_NAME_RE = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

export function normalizePypiName(text: string): PypiProjectName {
  if (text.length === 0 || text.length > 200 || !PEP508_NAME_RE.test(text)) {
    throw new AirlockError('INVALID_NAME', `invalid PyPI project name: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return pep503Form(text) as PypiProjectName;
}

/** PEP 503's comparison form of a name, unchecked: for names that need not be valid (feeds, scopes, queries). */
export function pep503Form(text: string): string {
  return text.toLowerCase().replace(/[-_.]+/g, '-');
}
