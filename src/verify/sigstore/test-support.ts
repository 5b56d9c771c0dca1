/**
 * Test-only: the shared Sigstore fixtures (real bundles and roots, see the fixtures README) and
 * the options each conformance case is verified with. Imported by the tests beside it, never by
 * the library (which does not read the shared folder).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustedRoot, publicGoodTrustedRoot, type TrustedRoot } from './trusted-root.ts';
import type { VerifyBundleOptions } from './verify-bundle.ts';

export const FIXTURES = join(import.meta.dirname, '../../../../shared/protocols/fixtures');
export const SIGSTORE_JS = join(FIXTURES, 'sigstore-js-bundles');
export const CONFORMANCE = join(FIXTURES, 'sigstore-conformance');

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A fresh copy of a fixture bundle, to mutate. */
export function bundleCopy(path: string): Json {
  return readJson(path) as Json;
}

function container(o: Json, keys: readonly string[]): Json {
  let v: Json | undefined = o;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') throw new Error(`no ${k} in the path ${keys.join('.')}`);
    v = Array.isArray(v) ? v[Number(k)] : v[k];
  }
  if (v === undefined) throw new Error(`nothing at ${keys.join('.')}`);
  return v;
}

/** The value at a dotted path (`verificationMaterial.tlogEntries.0.integratedTime`). */
export function getPath(o: Json, path: string): Json {
  return container(o, path.split('.'));
}

/** Sets (or, with undefined, deletes) the value at a dotted path. */
export function setPath(o: Json, path: string, value: Json | undefined): void {
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  const parent = container(o, keys);
  if (parent === null || typeof parent !== 'object') throw new Error(`${path}: the parent is not an object`);
  if (Array.isArray(parent)) {
    if (value === undefined) parent.splice(Number(last), 1);
    else parent[Number(last)] = value;
  } else if (value === undefined) delete parent[last];
  else parent[last] = value;
}

/** Base64 text with one byte of its decoded content changed (XOR 0x01 at `index`, negative from the end). */
export function flipByte(b64: Json, index: number): string {
  if (typeof b64 !== 'string') throw new Error('not a string');
  const bytes = Buffer.from(b64, 'base64');
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] = (bytes[i] ?? 0) ^ 1;
  return bytes.toString('base64');
}

export function sigstoreJsBundles(): string[] {
  return readdirSync(SIGSTORE_JS).filter((f) => f.endsWith('.sigstore')).sort();
}

/** base64(sha256(DER SPKI)): the hint cosign and sigstore-go give key-based bundles. */
export function cosignHint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('base64');
}

export interface ConformanceCase {
  readonly bundle: unknown;
  readonly options: VerifyBundleOptions;
  /** The case's key.pub, when it has one and it parses. */
  readonly key: KeyObject | null;
}

/** A `bundle-verify/<name>` case with its own root, artifact and key when it has them. */
export function conformanceCase(name: string): ConformanceCase {
  const dir = join(CONFORMANCE, 'bundle-verify', name);
  const trustedRoot: TrustedRoot = existsSync(join(dir, 'trusted_root.json')) ? parseTrustedRoot(readJson(join(dir, 'trusted_root.json'))) : publicGoodTrustedRoot();
  const artifact = readFileSync(existsSync(join(dir, 'artifact')) ? join(dir, 'artifact') : join(CONFORMANCE, 'a.txt'));
  let key: KeyObject | null = null;
  if (existsSync(join(dir, 'key.pub'))) {
    try {
      key = createPublicKey(readFileSync(join(dir, 'key.pub')));
    } catch {
      key = null;
    }
  }
  const options: VerifyBundleOptions =
    key === null
      ? { trustedRoot, artifact }
      : { trustedRoot, artifact, keyForHint: (h) => (h === cosignHint(key) ? { key, validFrom: null, validUntil: null } : null) };
  return { bundle: readJson(join(dir, 'bundle.sigstore.json')), options, key };
}
