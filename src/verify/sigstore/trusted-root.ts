/**
 * The Sigstore trusted root (`application/vnd.dev.sigstore.trustedroot+json;version=0.1`): the
 * transparency logs and certificate authorities a verifier trusts, each key valid for a span of
 * time. The root has no global expiry, so each key's `validFor` is what limits it; a log or CA
 * without a `validFor.start` is rejected (sigstore-js accepts it, the conformance suite says it
 * must not). Only what verification uses is parsed: the Rekor logs, the Fulcio CAs, the
 * certificate transparency logs whose SCTs Fulcio certificates carry, and the timestamp
 * authorities.
 *
 * The root is operator input (or the vendored public-good copy) but parsed as untrusted: bounded
 * counts and sizes, and errors that name the JSON path.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issuedBy } from './certificate.ts';
import { base64, fail, list, object, shown, string, timestamp } from './fields.ts';

export interface TransparencyLog {
  readonly baseUrl: string;
  /** As the root names it (`SHA2_256`). */
  readonly hashAlgorithm: string;
  /** The log id (`logId.keyId`): SHA-256 of the log's DER public key. */
  readonly logId: Buffer;
  readonly key: KeyObject;
  /** Entries integrated before this time (ms) are not trusted; `validUntil` null: no end. */
  readonly validFrom: number;
  readonly validUntil: number | null;
}

export interface CertificateAuthority {
  readonly uri: string;
  /** The CA's certificates as the root lists them: the issuing certificate first, the self-signed root last. */
  readonly chain: readonly X509Certificate[];
  /**
   * Whether each certificate of the chain is signed by the next (the root by itself), checked
   * once when the root is read: the same for every signature checked against it, and each check
   * is a P-384 verification (most of a bundle's cost when repeated per bundle).
   */
  readonly signedByNext: readonly boolean[];
  readonly validFrom: number;
  readonly validUntil: number | null;
}

export interface TrustedRoot {
  readonly tlogs: readonly TransparencyLog[];
  readonly certificateAuthorities: readonly CertificateAuthority[];
  /** Certificate transparency logs (same shape as the Rekor logs): a Fulcio certificate needs an SCT from one when any are listed. */
  readonly ctlogs: readonly TransparencyLog[];
  /** RFC 3161 timestamp authorities: the stamping certificate first, the self-signed root last. */
  readonly timestampAuthorities: readonly CertificateAuthority[];
}

const MEDIA_TYPES: readonly string[] = ['application/vnd.dev.sigstore.trustedroot+json;version=0.1', 'application/vnd.dev.sigstore.trustedroot.v0.2+json'];
const MAX_LOGS = 64;
const MAX_CAS = 64;
const MAX_TSAS = 64;
const MAX_CHAIN = 10;
const MAX_KEY_BASE64 = 8192;
const MAX_CERT_BASE64 = 16384;
const MAX_TEXT = 2048;

function validity(v: unknown, path: string): { validFrom: number; validUntil: number | null } {
  const o = object(v, path);
  if (o['start'] === undefined) fail(`${path}.start is missing (a key without a start of validity is not trusted)`);
  const validFrom = timestamp(o['start'], `${path}.start`);
  const validUntil = o['end'] === undefined || o['end'] === null ? null : timestamp(o['end'], `${path}.end`);
  if (validUntil !== null && validUntil < validFrom) fail(`${path}.end is before its start`);
  return { validFrom, validUntil };
}

function tlog(v: unknown, path: string): TransparencyLog {
  const o = object(v, path);
  const publicKey = object(o['publicKey'], `${path}.publicKey`);
  const der = base64(publicKey['rawBytes'], `${path}.publicKey.rawBytes`, MAX_KEY_BASE64);
  let key: KeyObject;
  try {
    // `PKCS1_*` keys (older CT logs' RSA keys) are bare RSAPublicKey structures, not SubjectPublicKeyInfo.
    const pkcs1 = typeof publicKey['keyDetails'] === 'string' && publicKey['keyDetails'].startsWith('PKCS1_');
    key = createPublicKey({ key: der, format: 'der', type: pkcs1 ? 'pkcs1' : 'spki' });
  } catch (cause) {
    fail(`${path}.publicKey.rawBytes is not a DER public key (${(cause as Error).message})`);
  }
  return Object.freeze({
    baseUrl: string(o['baseUrl'] ?? '', `${path}.baseUrl`, MAX_TEXT),
    hashAlgorithm: string(o['hashAlgorithm'] ?? 'SHA2_256', `${path}.hashAlgorithm`, 64),
    logId: base64(object(o['logId'], `${path}.logId`)['keyId'], `${path}.logId.keyId`, 256),
    key,
    ...validity(publicKey['validFor'], `${path}.publicKey.validFor`),
  });
}

function authority(v: unknown, path: string): CertificateAuthority {
  const o = object(v, path);
  const certsPath = `${path}.certChain.certificates`;
  const certs = list(object(o['certChain'], `${path}.certChain`)['certificates'], certsPath, MAX_CHAIN);
  if (certs.length === 0) fail(`${certsPath} is empty`);
  const chain = certs.map((c, i) => {
    const rawPath = `${certsPath}[${i}].rawBytes`;
    const der = base64(object(c, `${certsPath}[${i}]`)['rawBytes'], rawPath, MAX_CERT_BASE64);
    try {
      return new X509Certificate(der);
    } catch (cause) {
      fail(`${rawPath} is not a DER certificate (${(cause as Error).message})`);
    }
  });
  return Object.freeze({
    uri: string(o['uri'] ?? '', `${path}.uri`, MAX_TEXT),
    chain: Object.freeze(chain),
    signedByNext: Object.freeze(chain.map((cert, i) => issuedBy(chain[i + 1] ?? cert, cert))),
    ...validity(o['validFor'], `${path}.validFor`),
  });
}

/** Parses a trusted root document (already JSON.parse'd); throws SigstoreError naming the path. */
export function parseTrustedRoot(json: unknown): TrustedRoot {
  const o = object(json, 'trusted root');
  const mediaType = o['mediaType'];
  if (typeof mediaType !== 'string' || !MEDIA_TYPES.includes(mediaType)) fail(`mediaType ${shown(mediaType)} is not a trusted root media type (${MEDIA_TYPES.join(', ')})`);
  const tlogs = list(o['tlogs'] ?? [], 'tlogs', MAX_LOGS).map((t, i) => tlog(t, `tlogs[${i}]`));
  const cas = list(o['certificateAuthorities'] ?? [], 'certificateAuthorities', MAX_CAS).map((c, i) => authority(c, `certificateAuthorities[${i}]`));
  const ctlogs = list(o['ctlogs'] ?? [], 'ctlogs', MAX_LOGS).map((t, i) => tlog(t, `ctlogs[${i}]`));
  const tsas = list(o['timestampAuthorities'] ?? [], 'timestampAuthorities', MAX_TSAS).map((c, i) => authority(c, `timestampAuthorities[${i}]`));
  return Object.freeze({ tlogs: Object.freeze(tlogs), certificateAuthorities: Object.freeze(cas), ctlogs: Object.freeze(ctlogs), timestampAuthorities: Object.freeze(tsas) });
}

/** A root that trusts nothing: every bundle checked against it is unsupported. */
export const EMPTY_TRUSTED_ROOT: TrustedRoot = Object.freeze({ tlogs: Object.freeze([]), certificateAuthorities: Object.freeze([]), ctlogs: Object.freeze([]), timestampAuthorities: Object.freeze([]) });

/** The vendored byte copy of the Sigstore public-good root (from sigstore-js's TUF seed). */
const PUBLIC_GOOD_FILE = join(import.meta.dirname, 'public-good-trusted-root.json');

let publicGood: TrustedRoot | null = null;

/**
 * The Sigstore public-good trusted root, parsed once on first use. The one module-level value in
 * this library: immutable (frozen) data read from a file shipped with the code, never refreshed.
 */
export function publicGoodTrustedRoot(): TrustedRoot {
  publicGood ??= parseTrustedRoot(JSON.parse(readFileSync(PUBLIC_GOOD_FILE, 'utf8')));
  return publicGood;
}
