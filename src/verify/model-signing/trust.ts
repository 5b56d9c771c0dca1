/**
 * The keys and certificate authorities an operator trusts for model signatures made without
 * Sigstore, read from PEM text (with any text around the blocks: certtool writes a description
 * before them), and the facts about a key model_signing relies on: its hint (hex sha256 of the
 * SPKI PEM as Python's `cryptography` writes it — Node's export gives the same bytes) and the
 * digest its curve signs with.
 */
import { createHash, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { AirlockError } from '../../core/index.ts';
import type { ModelSigningTrust } from './types.ts';

export interface TrustedKey {
  readonly key: KeyObject;
  /** model_signing's key hint: hex sha256 of the SPKI PEM. */
  readonly hint: string;
  /** The key's SPKI DER, to compare keys by. */
  readonly spki: Buffer;
}

const PUBLIC_KEY_RE = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;
const CERTIFICATE_RE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const CURVE_DIGESTS: Readonly<Record<string, string>> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

/** The digest an ECDSA key of model_signing signs with (by curve: P-256 → sha256, P-384 → sha384, P-521 → sha512); null for any other key. */
export function curveDigest(key: KeyObject): string | null {
  if (key.asymmetricKeyType !== 'ec') return null;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === undefined ? null : (CURVE_DIGESTS[curve] ?? null);
}

/** model_signing's key hint for a public key: hex sha256 of its SPKI PEM (64-column base64, `\n` line ends). */
export function modelSigningKeyHint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'pem' })).digest('hex');
}

export function spkiOf(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

function configError(message: string): never {
  throw new AirlockError('CONFIG_INVALID', message);
}

/** A public key given as a KeyObject or PEM text (exactly one `PUBLIC KEY` block, any text around it); CONFIG_INVALID naming `what` otherwise. */
export function publicKeyOf(entry: KeyObject | string, what: string): KeyObject {
  if (entry instanceof KeyObject) {
    if (entry.type === 'secret') configError(`${what} is a secret key, not a public key`);
    return entry.type === 'private' ? createPublicKey(entry) : entry;
  }
  const blocks = entry.match(PUBLIC_KEY_RE) ?? [];
  if (blocks.length !== 1) configError(`${what} holds ${blocks.length} PEM public keys (-----BEGIN PUBLIC KEY-----); exactly one is expected`);
  try {
    return createPublicKey(blocks[0] ?? '');
  } catch (cause) {
    configError(`${what}: the public key cannot be read (${(cause as Error).message.slice(0, 200)})`);
  }
}

/** The trusted keys; throws AirlockError CONFIG_INVALID naming the entry that is not an ECDSA P-256/P-384/P-521 public key. */
export function trustedKeys(trust: ModelSigningTrust): readonly TrustedKey[] {
  return trust.keys.map((entry, i) => {
    const key = publicKeyOf(entry, `model signing key ${i}`);
    if (curveDigest(key) === null) configError(`model signing key ${i} is not an ECDSA P-256, P-384 or P-521 key (model_signing signs with no other)`);
    return { key, hint: modelSigningKeyHint(key), spki: spkiOf(key) };
  });
}

/** The trusted CA certificates; throws AirlockError CONFIG_INVALID naming the entry that holds none, or one that is not a CA. */
export function trustedCertificateAuthorities(trust: ModelSigningTrust): readonly X509Certificate[] {
  return trust.certificateAuthorities.flatMap((pem, i) => {
    const blocks = pem.match(CERTIFICATE_RE) ?? [];
    if (blocks.length === 0) configError(`model signing certificate authority ${i} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return blocks.map((block, j) => {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(block);
      } catch (cause) {
        configError(`model signing certificate authority ${i}, certificate ${j}, cannot be read (${(cause as Error).message.slice(0, 200)})`);
      }
      if (!cert.ca) configError(`model signing certificate authority ${i}, certificate ${j} (${cert.subject.replace(/\n/g, ', ')}), is not a CA certificate (basicConstraints)`);
      return cert;
    });
  });
}

/** Checks the keys and certificate authorities once (at configuration time); throws AirlockError CONFIG_INVALID naming the bad entry. */
export function checkModelSigningTrust(trust: ModelSigningTrust): void {
  trustedKeys(trust);
  trustedCertificateAuthorities(trust);
}
