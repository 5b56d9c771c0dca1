/**
 * A legacy signature as the Sigstore bundle it amounts to, so the Sigstore verifier checks it:
 * cosign's `dev.sigstore.cosign/bundle` annotation is a Rekor v1 entry with its signed entry
 * timestamp (`{SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}`), the
 * same data a v0.1 bundle's `tlogEntries[0]` holds with its inclusion promise; the signature is a
 * message signature over the payload; the signer is the certificate annotation's leaf (keyless)
 * or a configured key. Only the field shapes are read here; the SET, the entry's body (it must be
 * a `hashedrekord` of this signature, payload digest and signer) and the certificate are checked
 * by `verifyBundle`.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { isPlainObject } from '../../core/index.ts';
import { base64, fail, object, safeInt, shown, string } from '../sigstore/fields.ts';

const BUNDLE_V01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
const MAX_SET_BASE64 = 1024;
const MAX_BODY_BASE64 = 128 * 1024;
const MAX_CERT_PEM = 32 * 1024;
const CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

/** The Rekor entry of a `dev.sigstore.cosign/bundle` annotation as a bundle's tlog entry (protobuf JSON); throws SigstoreError naming the field. */
export function tlogEntryOf(annotation: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(annotation);
  } catch {
    fail('the bundle annotation is not JSON');
  }
  const o = object(json, 'the bundle annotation');
  const p = object(o['Payload'], 'the bundle annotation\'s Payload');
  const body = string(p['body'], 'Payload.body', MAX_BODY_BASE64);
  const decoded = base64(body, 'Payload.body', MAX_BODY_BASE64);
  let entry: unknown;
  try {
    entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decoded));
  } catch {
    fail('Payload.body is not a JSON Rekor entry');
  }
  // The bundle verifier needs the entry's kind and version up front (a v0.1 bundle states them); it then checks they match the body.
  const kind = isPlainObject(entry) ? entry['kind'] : undefined;
  const version = isPlainObject(entry) ? entry['apiVersion'] : undefined;
  if (typeof kind !== 'string' || typeof version !== 'string' || kind.length > 64 || version.length > 64) fail(`Payload.body is not a Rekor entry (kind ${shown(kind)}, apiVersion ${shown(version)})`);
  const logId = string(p['logID'], 'Payload.logID', 128);
  if (!/^[0-9a-f]{64}$/.test(logId)) fail(`Payload.logID is not a hex SHA-256 log id (got ${shown(logId)})`);
  return {
    logIndex: String(safeInt(p['logIndex'], 'Payload.logIndex')),
    logId: { keyId: Buffer.from(logId, 'hex').toString('base64') },
    kindVersion: { kind, version },
    integratedTime: String(safeInt(p['integratedTime'], 'Payload.integratedTime')),
    inclusionPromise: { signedEntryTimestamp: string(o['SignedEntryTimestamp'], 'SignedEntryTimestamp', MAX_SET_BASE64) },
    canonicalizedBody: body,
  };
}

/** The DER of the first certificate in a PEM annotation; throws SigstoreError when there is none. */
export function leafDerOf(pem: string): Buffer {
  if (pem.length > MAX_CERT_PEM) fail(`the certificate annotation is ${pem.length} characters (at most ${MAX_CERT_PEM})`);
  const block = CERT_RE.exec(pem)?.[0];
  if (block === undefined) fail('the certificate annotation holds no PEM certificate');
  try {
    return Buffer.from(new X509Certificate(block).raw);
  } catch (cause) {
    fail(`the certificate annotation is not a certificate (${(cause as Error).message.slice(0, 200)})`);
  }
}

/**
 * The v0.1 bundle (protobuf JSON) of a legacy signature: `signer` is the leaf's DER (keyless) or
 * a hint naming the key (key-based, resolved by the caller's `keyForHint`), `entry` the Rekor
 * entry (`tlogEntryOf`) or null when the signature has none.
 */
export function legacyBundle(payload: Buffer, signatureBase64: string, signer: { readonly leafDer: Buffer } | { readonly hint: string }, entry: Record<string, unknown> | null): Record<string, unknown> {
  const material = 'leafDer' in signer ? { x509CertificateChain: { certificates: [{ rawBytes: signer.leafDer.toString('base64') }] } } : { publicKey: { hint: signer.hint } };
  return {
    mediaType: BUNDLE_V01,
    verificationMaterial: { ...material, tlogEntries: entry === null ? [] : [entry] },
    messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') }, signature: signatureBase64 },
  };
}
