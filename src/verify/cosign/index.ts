/**
 * Cosign container-image signatures, both generations (protocols: oci.md §5–6, signing.md §5):
 *
 * - `parseCosignSignatureManifest(bytes)` → `{ layers }`: the signature layers (digest, size,
 *   mediaType, annotations) of a legacy `sha256-<hex>.sig` manifest, OCI or Docker media types;
 *   the caller fetches each layer's blob. Throws AirlockError UPSTREAM_BAD_RESPONSE for a
 *   malformed or oversized manifest.
 * - `legacySignatureOf(layerAnnotations, payload)` → `LegacyCosignSignature`.
 * - `verifyCosignSignatures(imageDigest, { legacy, bundles }, trust, now)` → `CosignCheck`:
 *   `verified` (with every signer that verified: mode, identity, issuer, keyHint, source,
 *   predicateType, signedAt), `invalid`, `unverifiable` or `absent`.
 * - `checkCosignTrust(trust)`: validates the configured keys once (AirlockError CONFIG_INVALID).
 *
 * `keyHint` is hex sha256 of the key's SPKI PEM, the same as model_signing's.
 */
export { verifyCosignSignatures, type FoundCosignSignatures } from './verify.ts';
export { legacySignatureOf, parseCosignSignatureManifest, type CosignSignatureLayer } from './manifest.ts';
export { checkCosignTrust } from './keys.ts';
export {
  COSIGN,
  COSIGN_LIMITS,
  type CosignCheck,
  type CosignLimits,
  type CosignSignatureSource,
  type CosignSigner,
  type CosignTrust,
  type LegacyCosignSignature,
} from './types.ts';
