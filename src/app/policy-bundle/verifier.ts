/**
 * The bundle signature check's cryptography, from the verification library: the configured PEM
 * key (held to the rules of an OIDC issuer's keys), a compact JWS read under limits, an algorithm
 * the key is for (never `none` or an HMAC), and the signature over the token's own bytes. The
 * header's `kid`, when it names one, must be the configured `keyId` when one is configured.
 */
import type { BundleSignatureVerifier } from '../../policy/index.ts';
import { algorithmForKey, checkJwtSignature, JwtError, parseCompactJwt, publicJwkFromPem, type JwtLimits } from '../../verify/index.ts';
import type { PolicyBundleSigningConfig } from '../config/types.ts';

/** A bundle signature lists every file with its digest: far longer than an ID token. */
const BUNDLE_JWS_LIMITS: JwtLimits = Object.freeze({ maxTokenChars: 4 * 1024 * 1024, maxClaims: 100 });

export function bundleSignatureVerifier(signing: PolicyBundleSigningConfig): BundleSignatureVerifier {
  const key = publicJwkFromPem(signing.publicKeyPem, signing.keyId ?? 'policy.bundle.signing.publicKey', signing.algorithm);
  return {
    verify(token) {
      const parsed = parseCompactJwt(token, BUNDLE_JWS_LIMITS);
      if (signing.keyId !== null && parsed.kid !== null && parsed.kid !== signing.keyId) {
        throw new JwtError('unknown-key', `it names the key ${JSON.stringify(parsed.kid.slice(0, 64))}, not the configured ${JSON.stringify(signing.keyId)}`);
      }
      const alg = algorithmForKey(parsed, key);
      checkJwtSignature(parsed, key, alg);
      return { payload: parsed.claims, kid: parsed.kid, alg };
    },
  };
}
