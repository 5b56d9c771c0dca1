/**
 * Does the log entry describe this signature? The proofs only show that *some* body is in the
 * log; this checks that the body (`canonicalizedBody`) records the bundle's own signature,
 * signing certificate or key, and payload or artifact digest. Without it a bundle could borrow
 * another entry's proofs (the conformance case `dsse-mismatch-sig_fail`: a second valid
 * signature of the same payload, with the log entry of the first).
 *
 * Kinds: Rekor v1's `hashedrekord` 0.0.1, `dsse` 0.0.1, `intoto` 0.0.2 (whose signature is base64
 * of the base64 signature — the entry stores the envelope's text base64-encoded again), and Rekor
 * v2's `hashedrekord` 0.0.2 and `dsse` 0.0.2 (protobuf JSON: digests and signatures as base64,
 * the signer as the certificate's or key's DER). A DSSE envelope may be logged in Rekor v2 as a
 * `hashedrekord` of its pre-authentication encoding.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { digestHex, isPlainObject, sha256Of, type PlainObject } from '../../core/index.ts';
import type { Content, TlogEntry } from './bundle.ts';
import { preAuthEncoding } from './dsse.ts';
import type { Problem } from './fields.ts';

/** What signed: the leaf certificate's DER, or the key of a key-based bundle. */
export type Verifier = { readonly kind: 'certificate'; readonly der: Buffer } | { readonly kind: 'key'; readonly key: KeyObject };

class Mismatch extends Error {}

function at(o: unknown, path: readonly string[]): unknown {
  let v: unknown = o;
  for (const k of path) v = isPlainObject(v) && Object.hasOwn(v, k) ? v[k] : undefined;
  return v;
}

/** The string at `path` of `o`; `base` names `o` in the message. */
function str(o: unknown, path: readonly string[], max = 64 * 1024 * 1024, base = 'spec'): string {
  const v = at(o, path);
  if (typeof v !== 'string' || v.length > max) throw new Mismatch(`${base}.${path.join('.')} is missing or not a string`);
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

/** A Rekor v2 `HashOutput` (`{algorithm: "SHA2_256", digest: base64}`) at `path` must be `hex`. */
function checkHashOutput(spec: PlainObject, path: readonly string[], hex: string, what: string): void {
  const alg = str(spec, [...path, 'algorithm'], 64);
  if (alg !== 'SHA2_256') throw new Mismatch(`spec.${path.join('.')}.algorithm is ${JSON.stringify(alg)}, not SHA2_256`);
  if (b64(str(spec, [...path, 'digest'], 256), `spec.${path.join('.')}.digest`).toString('hex') !== hex) throw new Mismatch(`spec.${path.join('.')} is not the digest of the ${what}`);
}

/** A Rekor v2 `Signature` (`{content, verifier: {x509Certificate | publicKey: {rawBytes}}}`) at `path`: this bundle's signature by its signer. */
function checkV2Signature(sig: unknown, path: string, signature: Buffer, verifier: Verifier): void {
  const field = (keys: readonly string[], max: number): Buffer => b64(str(sig, keys, max, path), `${path}.${keys.join('.')}`);
  if (!field(['content'], 8192).equals(signature)) throw new Mismatch(`${path}.content is not the bundle's signature`);
  if (verifier.kind === 'certificate') {
    if (!field(['verifier', 'x509Certificate', 'rawBytes'], 65_536).equals(verifier.der)) throw new Mismatch(`${path}.verifier.x509Certificate is not the bundle's signing certificate`);
    return;
  }
  if (!field(['verifier', 'publicKey', 'rawBytes'], 65_536).equals(verifier.key.export({ format: 'der', type: 'spki' }))) throw new Mismatch(`${path}.verifier.publicKey is not the bundle's signing key`);
}

function hashedrekordV2(spec: PlainObject, content: Content, verifier: Verifier, artifactDigest: string | null): void {
  const v2 = at(spec, ['hashedRekordV002']);
  if (!isPlainObject(v2)) throw new Mismatch('spec.hashedRekordV002 is missing');
  if (content.kind === 'message') {
    if (artifactDigest === null) throw new Mismatch('the bundle has no artifact digest');
    checkHashOutput(spec, ['hashedRekordV002', 'data'], artifactDigest, 'artifact');
  } else {
    checkHashOutput(spec, ['hashedRekordV002', 'data'], digestHex(sha256Of(preAuthEncoding(content.payloadType, content.payload))), 'envelope\'s pre-authentication encoding');
  }
  checkV2Signature(v2['signature'], 'spec.hashedRekordV002.signature', content.signature, verifier);
}

function dsseV2(spec: PlainObject, content: Content, verifier: Verifier): void {
  if (content.kind !== 'dsse') throw new Mismatch('the entry is a dsse entry but the bundle has no DSSE envelope');
  checkHashOutput(spec, ['dsseV002', 'payloadHash'], digestHex(sha256Of(content.payload)), 'envelope\'s payload');
  checkV2Signature(onlySignature(spec, ['dsseV002', 'signatures']), 'spec.dsseV002.signatures[0]', content.signature, verifier);
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

const KINDS: readonly string[] = ['hashedrekord 0.0.1', 'dsse 0.0.1', 'intoto 0.0.2', 'hashedrekord 0.0.2', 'dsse 0.0.2'];

/**
 * Null when the entry's body records this bundle's signature; else why not ('unsupported' for
 * entry kinds this verifier does not read). `artifactDigest`: hex SHA-256 of the artifact
 * (message signatures).
 */
export function checkBody(entry: TlogEntry, content: Content, verifier: Verifier, artifactDigest: string | null): Problem | null {
  const what = `the body of ${entry.path}`;
  const kindVersion = `${entry.kind} ${entry.version}`;
  if (!KINDS.includes(kindVersion)) return { status: 'unsupported', error: `${entry.path} is a ${kindVersion} entry (supported: ${KINDS.join(', ')})` };
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entry.body));
  } catch {
    return { status: 'invalid', error: `${what} is not JSON` };
  }
  if (!isPlainObject(body) || body['kind'] !== entry.kind || body['apiVersion'] !== entry.version || !isPlainObject(body['spec'])) return { status: 'invalid', error: `${what} is not a ${kindVersion} entry (its kind and apiVersion must match kindVersion)` };
  try {
    if (kindVersion === 'hashedrekord 0.0.1') hashedrekord(body['spec'], content, verifier, artifactDigest);
    else if (kindVersion === 'dsse 0.0.1') dsse(body['spec'], content, verifier);
    else if (kindVersion === 'intoto 0.0.2') intoto(body['spec'], content, verifier);
    else if (kindVersion === 'hashedrekord 0.0.2') hashedrekordV2(body['spec'], content, verifier, artifactDigest);
    else dsseV2(body['spec'], content, verifier);
  } catch (e) {
    if (e instanceof Mismatch) return { status: 'invalid', error: `${what} does not match the bundle: ${e.message}` };
    throw e;
  }
  return null;
}
