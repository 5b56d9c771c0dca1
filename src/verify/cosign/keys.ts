/**
 * The public keys an operator trusts for key-based cosign signatures, and how cosign signs with
 * each kind: ECDSA over SHA-256 (cosign's default for every curve; newer cosign can sign P-384
 * and P-521 with their own digests, so those are tried too), Ed25519 over the bytes themselves,
 * RSA PKCS#1 v1.5 over SHA-256. Keys are named by model_signing's hint (hex sha256 of the SPKI
 * PEM), so one key has one name across Airlock; cosign's own bundle hint (base64 sha256 of the
 * SPKI DER) is only used to pick the configured key a bundle means.
 */
import { createHash, KeyObject } from 'node:crypto';
import { AirlockError } from '../../core/index.ts';
import { modelSigningKeyHint } from '../model-signing/index.ts';
import { publicKeyOf } from '../model-signing/trust.ts';
import { verifies } from '../sigstore/tlog.ts';
import type { CosignTrust } from './types.ts';

export interface CosignKey {
  readonly key: KeyObject;
  /** Hex sha256 of the SPKI PEM (model_signing's hint): how Airlock reports the key. */
  readonly hint: string;
  /** The SPKI DER, to compare keys by. */
  readonly spki: Buffer;
  /** Base64 sha256 of the SPKI DER: the hint cosign and sigstore-go put in key-based bundles. */
  readonly cosignHint: string;
}

const MIN_RSA_BITS = 2048;

function configError(message: string): never {
  throw new AirlockError('CONFIG_INVALID', message);
}

/** The digests a signature by `key` may be over, in the order tried; null: the key hashes itself (Ed25519). Empty: not a key cosign signs with. */
export function digestsFor(key: KeyObject): readonly (string | null)[] {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return ['sha256'];
      if (curve === 'secp384r1') return ['sha256', 'sha384'];
      if (curve === 'secp521r1') return ['sha256', 'sha512'];
      return [];
    }
    case 'ed25519':
      return [null];
    case 'rsa':
      return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS ? ['sha256'] : [];
    default:
      return [];
  }
}

export function cosignKey(key: KeyObject): CosignKey {
  const spki = key.export({ type: 'spki', format: 'der' });
  return { key, hint: modelSigningKeyHint(key), spki, cosignHint: createHash('sha256').update(spki).digest('base64') };
}

/** The trusted keys; throws AirlockError CONFIG_INVALID naming the entry that is not a public key cosign signs with. */
export function trustedKeys(trust: CosignTrust): readonly CosignKey[] {
  return trust.keys.map((entry, i) => {
    const key = publicKeyOf(entry, `cosign key ${i}`);
    if (digestsFor(key).length === 0) configError(`cosign key ${i} is not an ECDSA P-256/P-384/P-521, Ed25519 or RSA (≥ ${MIN_RSA_BITS} bits) public key`);
    return cosignKey(key);
  });
}

/** Checks the keys once (at configuration time); throws AirlockError CONFIG_INVALID naming the bad entry. */
export function checkCosignTrust(trust: CosignTrust): void {
  trustedKeys(trust);
}

/** The digest `signature` over `data` verifies with under `key` (undefined: it does not verify). */
export function signedWith(key: KeyObject, data: Uint8Array, signature: Uint8Array): string | null | undefined {
  return digestsFor(key).find((digest) => verifies(key, data, signature, digest));
}
