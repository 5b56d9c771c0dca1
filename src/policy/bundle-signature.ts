/**
 * Checking a bundle's `.signatures.json` as OPA does: one JWS, signed by the configured key (the
 * cryptography is injected: `BundleSignatureVerifier`, built by the app on the verification
 * library's JWS checks), whose payload lists every file of the bundle — no more, no fewer — each
 * with a digest that matches, under an algorithm strong enough, and whose `scope` is the one
 * configured. A bundle with a signature is refused when no key is configured, and one without
 * when a key is: which of the two it is must not be up to whoever serves the bundle.
 */
import { AirlockError, cutShort, isPlainObject, type PlainObject } from '../core/index.ts';
import type { BundleFile } from './bundle-archive.ts';
import { bundleFileDigest } from './bundle-hash.ts';

export const SIGNATURES_FILE = '.signatures.json';

/** Verifies a compact JWS with the configured key; returns its payload, or throws saying why not. */
export interface BundleSignatureVerifier {
  verify(token: string): { readonly payload: PlainObject; readonly kid: string | null; readonly alg: string };
}

export interface BundleSigning {
  readonly verifier: BundleSignatureVerifier;
  /** The `scope` the signature must carry (OPA's `signing.scope`); null: it must carry none. */
  readonly scope: string | null;
}

export interface BundleSignatureInfo {
  readonly kid: string | null;
  readonly alg: string;
  /** Files the signature covers. */
  readonly files: number;
}

const MAX_SIGNATURES_BYTES = 4 * 1024 * 1024;

function refuse(message: string): never {
  throw new AirlockError('POLICY_ERROR', `policy bundle: ${message}`);
}

/** A file name the signature lists, in a message: the signer may list any name of any length. */
const cut = (name: string): string => cutShort(name, 200);

function listed(payload: PlainObject): Map<string, { readonly hash: string; readonly algorithm: string }> {
  const files = payload['files'];
  if (!Array.isArray(files)) refuse('the signature lists no files (its payload has no files list)');
  const out = new Map<string, { hash: string; algorithm: string }>();
  for (const f of files as unknown[]) {
    if (!isPlainObject(f) || typeof f['name'] !== 'string' || typeof f['hash'] !== 'string') refuse('a file in the signature has no name or hash');
    const name = f['name'].replace(/^\//, '');
    const algorithm = f['algorithm'];
    if (typeof algorithm !== 'string' || algorithm === '') refuse(`the signature names no hash algorithm for ${cut(name)}`);
    if (!/^[0-9a-fA-F]+$/.test(f['hash'])) refuse(`the signature's hash of ${cut(name)} is not hex`);
    if (out.has(name)) refuse(`the signature lists ${cut(name)} twice`);
    out.set(name, { hash: f['hash'].toLowerCase(), algorithm });
  }
  return out;
}

/**
 * Checks the signature of a bundle's files (`.signatures.json` among them or not) against
 * `signing`; returns what signed it, or null for an unsigned bundle when no key is configured.
 * Throws POLICY_ERROR saying what is wrong.
 */
export function checkBundleSignature(files: readonly BundleFile[], signing: BundleSigning | null): BundleSignatureInfo | null {
  const sigFile = files.find((f) => f.path === SIGNATURES_FILE);
  if (sigFile === undefined) {
    if (signing !== null) refuse(`the bundle is not signed (it has no ${SIGNATURES_FILE}), and a signing key is configured`);
    return null;
  }
  if (signing === null) refuse(`the bundle is signed (${SIGNATURES_FILE}), but no signing key is configured to verify it (policy.bundle.signing)`);
  if (sigFile.bytes.length > MAX_SIGNATURES_BYTES) refuse(`${SIGNATURES_FILE} is larger than ${MAX_SIGNATURES_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(sigFile.bytes.toString('utf8'));
  } catch {
    refuse(`${SIGNATURES_FILE} is not JSON`);
  }
  const list = isPlainObject(doc) ? doc['signatures'] : undefined;
  if (!Array.isArray(list) || list.length === 0) refuse(`${SIGNATURES_FILE} holds no signature`);
  if (list.length > 1) refuse(`${SIGNATURES_FILE} holds ${list.length} signatures; exactly one is supported`);
  const token = list[0];
  if (typeof token !== 'string') refuse(`the signature in ${SIGNATURES_FILE} is not a string (a compact JWS)`);
  let verified: ReturnType<BundleSignatureVerifier['verify']>;
  try {
    verified = signing.verifier.verify(token);
  } catch (err) {
    refuse(`the signature does not verify: ${err instanceof Error ? err.message : String(err)}`);
  }
  const scope = verified.payload['scope'];
  const got = typeof scope === 'string' && scope !== '' ? scope : null;
  if (got !== signing.scope) {
    refuse(`the signature's scope is ${got === null ? 'not set' : JSON.stringify(got.slice(0, 100))}, but ${signing.scope === null ? 'none is configured' : `${JSON.stringify(signing.scope)} is configured`}`);
  }
  const want = listed(verified.payload);
  for (const f of files) {
    if (f.path === SIGNATURES_FILE) continue;
    const entry = want.get(f.path);
    if (entry === undefined) refuse(`${f.path} is in the bundle but not in its signature`);
    const digest = bundleFileDigest(f.path, f.bytes, entry.algorithm);
    if (digest !== entry.hash) refuse(`${f.path} does not match its signed ${entry.algorithm} digest (signed ${entry.hash.slice(0, 16)}…, got ${digest.slice(0, 16)}…)`);
    want.delete(f.path);
  }
  const missing = [...want.keys()];
  if (missing.length > 0) refuse(`the signature lists ${missing.slice(0, 5).map(cut).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}, which the bundle does not hold`);
  return { kid: verified.kid, alg: verified.alg, files: files.length - 1 };
}
