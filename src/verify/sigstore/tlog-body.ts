/**
 * Does the log entry describe this signature? The proofs only show that *some* body is in the
 * log; this checks that the body (`canonicalizedBody`, a Rekor v1 entry) records the bundle's own
 * signature, signing certificate or key, and payload or artifact digest. Without it a bundle could
 * borrow another entry's proofs (the conformance case `dsse-mismatch-sig_fail`: a second valid
 * signature of the same payload, with the log entry of the first).
 *
 * Kinds: `hashedrekord` 0.0.1, `dsse` 0.0.1, `intoto` 0.0.2 (whose signature is base64 of the
 * base64 signature — the entry stores the envelope's text base64-encoded again).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { digestHex, isPlainObject, sha256Of, type PlainObject } from '../../core/index.ts';
import type { Content, TlogEntry } from './bundle.ts';
import type { Problem } from './fields.ts';

/** What signed: the leaf certificate's DER, or the key of a key-based bundle. */
export type Verifier = { readonly kind: 'certificate'; readonly der: Buffer } | { readonly kind: 'key'; readonly key: KeyObject };

class Mismatch extends Error {}

function at(o: unknown, path: readonly string[]): unknown {
  let v: unknown = o;
  for (const k of path) v = isPlainObject(v) && Object.hasOwn(v, k) ? v[k] : undefined;
  return v;
}

function str(o: unknown, path: readonly string[], max = 64 * 1024 * 1024): string {
  const v = at(o, path);
  if (typeof v !== 'string' || v.length > max) throw new Mismatch(`spec.${path.join('.')} is missing or not a string`);
  return v;
}

function b64(s: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Mismatch(`${what} is not base64`);
  return Buffer.from(s, 'base64');
}

/** The digest recorded as `{algorithm: "sha256", value: hex}` at `path` must equal `hex`. */
function checkHash(spec: PlainObject, path: readonly string[], hex: string, what: string): void {
  const alg = str(spec, [...path, 'algorithm'], 64);
  const value = str(spec, [...path, 'value'], 256);
  if (alg !== 'sha256') throw new Mismatch(`spec.${path.join('.')} uses ${JSON.stringify(alg)}, not sha256`);
  if (value.toLowerCase() !== hex) throw new Mismatch(`spec.${path.join('.')} is not the digest of the ${what}`);
}

/** `pemB64`: base64 of the PEM the entry records; it must be the signer's certificate or key. */
function checkVerifier(pemB64: string, verifier: Verifier, path: string): void {
  const pem = b64(pemB64, path).toString('utf8');
  const m = /-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\s]+)-----END \1-----/.exec(pem);
  if (m === null) throw new Mismatch(`${path} is not a PEM certificate or key`);
  const der = Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64');
  if (verifier.kind === 'certificate') {
    if (m[1] !== 'CERTIFICATE' || !der.equals(verifier.der)) throw new Mismatch(`${path} is not the bundle's signing certificate`);
    return;
  }
  let recorded: Buffer;
  try {
    recorded = createPublicKey({ key: der, format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' });
  } catch {
    throw new Mismatch(`${path} is not a public key`);
  }
  if (m[1] !== 'PUBLIC KEY' || !recorded.equals(verifier.key.export({ format: 'der', type: 'spki' }))) throw new Mismatch(`${path} is not the bundle's signing key`);
}

function onlySignature(spec: PlainObject, path: readonly string[]): unknown {
  const sigs = at(spec, path);
  if (!Array.isArray(sigs) || sigs.length !== 1) throw new Mismatch(`spec.${path.join('.')} does not hold exactly one signature`);
  return sigs[0];
}

function hashedrekord(spec: PlainObject, content: Content, verifier: Verifier, artifactDigest: string | null): void {
  if (content.kind !== 'message' || artifactDigest === null) throw new Mismatch('the entry is a hashedrekord but the bundle has no message signature');
  if (!b64(str(spec, ['signature', 'content']), 'spec.signature.content').equals(content.signature)) throw new Mismatch('spec.signature.content is not the bundle\'s signature');
  checkVerifier(str(spec, ['signature', 'publicKey', 'content']), verifier, 'spec.signature.publicKey.content');
  checkHash(spec, ['data', 'hash'], artifactDigest, 'artifact');
}

function dsse(spec: PlainObject, content: Content, verifier: Verifier): void {
  if (content.kind !== 'dsse') throw new Mismatch('the entry is a dsse entry but the bundle has no DSSE envelope');
  checkHash(spec, ['payloadHash'], digestHex(sha256Of(content.payload)), 'envelope\'s payload');
  const sig = onlySignature(spec, ['signatures']);
  if (!b64(str(sig, ['signature']), 'spec.signatures[0].signature').equals(content.signature)) throw new Mismatch('spec.signatures[0].signature is not the envelope\'s signature');
  checkVerifier(str(sig, ['verifier']), verifier, 'spec.signatures[0].verifier');
}

function intoto(spec: PlainObject, content: Content, verifier: Verifier): void {
  if (content.kind !== 'dsse') throw new Mismatch('the entry is an intoto entry but the bundle has no DSSE envelope');
  checkHash(spec, ['content', 'payloadHash'], digestHex(sha256Of(content.payload)), 'envelope\'s payload');
  const sig = onlySignature(spec, ['content', 'envelope', 'signatures']);
  // The entry stores the envelope's base64 signature text base64-encoded once more.
  const text = b64(str(sig, ['sig']), 'spec.content.envelope.signatures[0].sig').toString('latin1');
  if (!b64(text, 'spec.content.envelope.signatures[0].sig (decoded)').equals(content.signature)) throw new Mismatch('spec.content.envelope.signatures[0].sig is not the envelope\'s signature');
  checkVerifier(str(sig, ['publicKey']), verifier, 'spec.content.envelope.signatures[0].publicKey');
}

/**
 * Null when the entry's body records this bundle's signature; else why not ('unsupported' for
 * entry kinds this verifier does not read). `artifactDigest`: hex SHA-256 of the artifact
 * (message signatures).
 */
export function checkBody(entry: TlogEntry, content: Content, verifier: Verifier, artifactDigest: string | null): Problem | null {
  const what = `the body of ${entry.path}`;
  const kindVersion = `${entry.kind} ${entry.version}`;
  if (!['hashedrekord 0.0.1', 'dsse 0.0.1', 'intoto 0.0.2'].includes(kindVersion)) return { status: 'unsupported', error: `${entry.path} is a ${kindVersion} entry (supported: hashedrekord 0.0.1, dsse 0.0.1, intoto 0.0.2)` };
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entry.body));
  } catch {
    return { status: 'invalid', error: `${what} is not JSON` };
  }
  if (!isPlainObject(body) || body['kind'] !== entry.kind || body['apiVersion'] !== entry.version || !isPlainObject(body['spec'])) return { status: 'invalid', error: `${what} is not a ${kindVersion} entry (its kind and apiVersion must match kindVersion)` };
  try {
    if (entry.kind === 'hashedrekord') hashedrekord(body['spec'], content, verifier, artifactDigest);
    else if (entry.kind === 'dsse') dsse(body['spec'], content, verifier);
    else intoto(body['spec'], content, verifier);
  } catch (e) {
    if (e instanceof Mismatch) return { status: 'invalid', error: `${what} does not match the bundle: ${e.message}` };
    throw e;
  }
  return null;
}
