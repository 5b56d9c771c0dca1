/**
 * The digests a bundle signature lists for its files, computed as OPA computes them: the bytes of
 * a file as they are, except for the structured files (`data.json`, `data.yaml`, `.manifest`,
 * `.signatures.json`), which are parsed and hashed in a canonical form, so that whitespace and key
 * order do not change them: objects as `{` key `:` value `,` … `}` with keys in byte order, arrays
 * as `[` … `]`, strings as Go's encoder writes them (HTML characters unescaped), numbers as they
 * were written in the JSON (a YAML file's numbers as JavaScript prints them).
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { AirlockError, ownMember, yamlDepthExceeded } from '../core/index.ts';

/** How deep policy data may nest: collections around its deepest value (data files, bundle files). */
export const MAX_DATA_DEPTH = 32;

/** Hash algorithms a signature may name, by OPA's names; MD5 and SHA-1 are not accepted. */
const ALGORITHMS: Readonly<Record<string, string>> = {
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512-224': 'sha512-224',
  'SHA-512-256': 'sha512-256',
};
const REFUSED = new Set(['MD5', 'SHA-1']);

export const BUNDLE_HASH_ALGORITHMS = Object.freeze(Object.keys(ALGORITHMS));

/** Node's name of an OPA hash algorithm, or a POLICY_ERROR for a weak or unknown one. */
export function hashAlgorithm(name: string, file: string): string {
  const alg = ownMember(ALGORITHMS, name);
  if (alg !== undefined) return alg;
  const shown = JSON.stringify(name.slice(0, 40));
  throw new AirlockError(
    'POLICY_ERROR',
    `policy bundle: the signature hashes ${file} with ${shown}, ${REFUSED.has(name) ? 'which is too weak to rely on' : 'which is not a known algorithm'} (accepted: ${BUNDLE_HASH_ALGORITHMS.join(', ')})`,
  );
}

/** Files OPA hashes in canonical form rather than byte for byte. */
export function isStructuredFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base === 'data.json' || base === 'data.yaml' || base === '.manifest' || base === '.signatures.json';
}

/** A number as written in the JSON text. */
class RawNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

type Canon = null | boolean | string | RawNumber | number | Canon[] | { [k: string]: Canon };

function goString(s: string): string {
  // JSON.stringify escapes as Go's encoder does with SetEscapeHTML(false), but for U+2028/U+2029.
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Writes `v` in canonical form. `open` holds the collections being written around it: a YAML alias
 * may name a node that contains it (`a: &x [*x]`), which the reader returns as a cycle, and the
 * walk would recurse until the stack overflows (a RangeError, not a POLICY_ERROR).
 */
function encode(v: Canon, out: string[], path: string, open: Set<object>): void {
  if (v === null) out.push('null');
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'string') out.push(goString(v));
  else if (typeof v === 'number') out.push(JSON.stringify(v));
  else if (v instanceof RawNumber) out.push(v.text);
  else {
    if (open.has(v)) throw new AirlockError('POLICY_ERROR', `policy bundle: ${path}: an alias refers to a node that contains it`);
    open.add(v);
    encodeCollection(v, out, path, open);
    open.delete(v);
  }
}

function encodeCollection(v: Canon[] | { readonly [k: string]: Canon }, out: string[], path: string, open: Set<object>): void {
  if (Array.isArray(v)) {
    out.push('[');
    v.forEach((x, i) => {
      if (i > 0) out.push(',');
      encode(x, out, path, open);
    });
    out.push(']');
  } else {
    out.push('{');
    Object.keys(v)
      .sort(byteOrder)
      .forEach((k, i) => {
        if (i > 0) out.push(',');
        out.push(goString(k), ':');
        encode(v[k] as Canon, out, path, open);
      });
    out.push('}');
  }
}

type SourceReviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/** The canonical text OPA hashes for a structured file. */
export function canonicalForm(path: string, bytes: Buffer): string {
  const text = bytes.toString('utf8');
  // Both readers below and encode() recurse once per level: refuse deep nesting before them.
  const deepAt = yamlDepthExceeded(text, MAX_DATA_DEPTH + 1);
  if (deepAt !== undefined) throw new AirlockError('POLICY_ERROR', `policy bundle: ${path}: data nested deeper than ${MAX_DATA_DEPTH} levels at line ${deepAt}`);
  let value: Canon;
  try {
    if (path.endsWith('.yaml')) {
      value = (parseYaml(text, { schema: 'core', uniqueKeys: true, maxAliasCount: 50, logLevel: 'error' }) ?? null) as Canon;
    } else {
      // Keep each number's source text (Go decodes them as json.Number and writes them back as given).
      const reviver: SourceReviver = (_key, v, context) => (typeof v === 'number' && context?.source !== undefined ? new RawNumber(context.source) : v);
      value = JSON.parse(text, reviver as (this: unknown, key: string, value: unknown) => unknown) as Canon;
    }
  } catch (err) {
    throw new AirlockError('POLICY_ERROR', `policy bundle: ${path} cannot be parsed to check its hash (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`, { cause: err });
  }
  const out: string[] = [];
  encode(value, out, path, new Set());
  return out.join('');
}

/** The hex digest of a bundle file as a signature lists it. */
export function bundleFileDigest(path: string, bytes: Buffer, algorithm: string): string {
  const h = createHash(hashAlgorithm(algorithm, path));
  h.update(isStructuredFile(path) ? canonicalForm(path, bytes) : bytes);
  return h.digest('hex');
}
