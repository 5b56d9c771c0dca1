import type { Brand } from './brand.ts';
import type { Ecosystem } from './ecosystem.ts';
import { AirlockError } from './errors.ts';

/**
 * A package URL (https://github.com/package-url/purl-spec), canonical form:
 * `pkg:npm/%40scope/name@1.2.3`, `pkg:pypi/requests@2.32.0`, `pkg:huggingface/org/model@rev`.
 */
export type Purl = Brand<string, 'Purl'>;

export interface PurlParts {
  readonly type: Ecosystem;
  readonly namespace: string | null;
  readonly name: string;
  readonly version: string | null;
}

const PURL_TYPE: Readonly<Record<Ecosystem, string>> = {
  npm: 'npm',
  pypi: 'pypi',
  oci: 'oci',
  huggingface: 'huggingface',
};

const UNRESERVED = /^[A-Za-z0-9._~-]*$/;

function encodeSegment(s: string): string {
  // Most names and versions need no encoding (purls are made for every listed version).
  if (UNRESERVED.test(s)) return s;
  // A lone surrogate has no UTF-8, so no percent-encoding (encodeURIComponent throws a URIError).
  if (!s.isWellFormed()) throw new AirlockError('INVALID_PURL', `a purl part is not well-formed Unicode: ${JSON.stringify(s.slice(0, 120))}`);
  // purl percent-encodes everything outside the unreserved set, including '@'.
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Build the canonical purl for a package (and optionally a version) of an ecosystem. */
export function makePurl(ecosystem: Ecosystem, fullName: string, version?: string | null): Purl {
  let namespace: string | null = null;
  let name = fullName;
  const slash = fullName.lastIndexOf('/');
  if (slash > 0) {
    namespace = fullName.slice(0, slash);
    name = fullName.slice(slash + 1);
  }
  if (name === '') throw new AirlockError('INVALID_PURL', 'purl name must not be empty');
  const ns = namespace === null ? '' : `${namespace.split('/').map(encodeSegment).join('/')}/`;
  const ver = version === undefined || version === null ? '' : `@${encodeSegment(version)}`;
  // Joined rather than concatenated: a flat string, not a rope of five parts (purls are kept
  // for thousands of versions).
  return ['pkg:', PURL_TYPE[ecosystem], '/', ns, encodeSegment(name), ver].join('') as Purl;
}

const PURL_RE = /^pkg:([a-z][a-z0-9.+-]*)\/([^?#]+?)(?:@([^?#@/]+))?(?:\?[^#]*)?(?:#.*)?$/;

/**
 * A percent-encoded part of a purl, decoded. A `%` not followed by two hex digits, or bytes that
 * are no UTF-8, is INVALID_PURL.
 */
function decodePart(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new AirlockError('INVALID_PURL', `the purl's ${what} is not percent-encoded text: ${JSON.stringify(part.slice(0, 120))}`);
  }
}

export function parsePurl(text: string): PurlParts {
  const m = PURL_RE.exec(text);
  if (m === null) throw new AirlockError('INVALID_PURL', `not a package URL: ${JSON.stringify(text.slice(0, 120))}`);
  const type = m[1] as string;
  const entry = Object.entries(PURL_TYPE).find(([, t]) => t === type);
  if (entry === undefined) throw new AirlockError('INVALID_PURL', `unsupported purl type: ${type}`);
  const segments = (m[2] as string).split('/').filter((s) => s !== '').map((s) => decodePart(s, 'name'));
  const name = segments.pop();
  if (name === undefined || name === '') throw new AirlockError('INVALID_PURL', 'purl name must not be empty');
  return {
    type: entry[0] as Ecosystem,
    namespace: segments.length > 0 ? segments.join('/') : null,
    name,
    version: m[3] === undefined ? null : decodePart(m[3], 'version'),
  };
}

/** A qualifier of a package URL (`?tag=3.20`), decoded, or null when it has none by that key. */
export function purlQualifier(text: string, key: string): string | null {
  const q = /^[^?#]*\?([^#]*)/.exec(text)?.[1];
  if (q === undefined) return null;
  for (const pair of q.split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).toLowerCase() === key) {
      return decodePart(pair.slice(eq + 1), `${key} qualifier`);
    }
  }
  return null;
}

/** The ecosystem's own spelling of the full name: `@scope/name` for npm, `org/repo` for HF. */
export function purlFullName(parts: PurlParts): string {
  return parts.namespace === null ? parts.name : `${parts.namespace}/${parts.name}`;
}
