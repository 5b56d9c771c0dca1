/**
 * An image's cosign signatures, both generations, judged together for one digest: the legacy
 * `.sig` layers (legacy.ts) and the Sigstore bundles stored as referrers (referrer.ts). Each
 * signature stands on its own: the image is 'verified' when at least one verifies against the
 * trust, and every one that does is listed (identity and issuer for the policy to check). When
 * none does, 'invalid' (one is forged, altered, malformed or for another image) wins over
 * 'unverifiable' (none could be checked: a key or CA not trusted, a format not read, a limit),
 * and the error names the signature. At most `limits.maxSignatures` are checked.
 *
 * Pure and bounded: bytes, trust and a clock in, a typed result out; nothing the signatures
 * contain makes this throw.
 */
import { AirlockError } from '../../core/index.ts';
import { verifyLegacySignature } from './legacy.ts';
import { verifyReferrerBundle } from './referrer.ts';
import { COSIGN_LIMITS, isProblem, type CosignCheck, type CosignLimits, type CosignProblem, type CosignSigner, type CosignTrust, type LegacyCosignSignature } from './types.ts';

const IMAGE_DIGEST_RE = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

export interface FoundCosignSignatures {
  /** The legacy `.sig` manifest's signature layers, each with its blob (`legacySignatureOf`). */
  readonly legacy: readonly LegacyCosignSignature[];
  /** The Sigstore bundles (JSON bytes) of the image's referrers with artifact type `application/vnd.dev.sigstore.bundle.v0.3+json`. */
  readonly bundles: readonly Buffer[];
}

/**
 * Verifies the signatures `found` for the image `imageDigest` (`sha256:<hex>`, as the registry
 * names it) against `trust` at `now`. Throws AirlockError INVALID_DIGEST only for a malformed
 * `imageDigest` (the caller's, not the signatures').
 */
export function verifyCosignSignatures(imageDigest: string, found: FoundCosignSignatures, trust: CosignTrust, now: Date, limits: CosignLimits = COSIGN_LIMITS): CosignCheck {
  if (!IMAGE_DIGEST_RE.test(imageDigest)) throw new AirlockError('INVALID_DIGEST', `not an image digest: ${JSON.stringify(imageDigest.slice(0, 80))}`);
  const total = found.legacy.length + found.bundles.length;
  if (total === 0) return { status: 'absent' };
  const at = now.getTime();
  const checks: (() => CosignSigner | CosignProblem)[] = [
    ...found.legacy.map((sig, i) => () => named(`legacy signature ${i + 1} of ${found.legacy.length} (.sig tag)`, verifyLegacySignature(sig, imageDigest, trust, at, limits))),
    ...found.bundles.map((bytes, i) => () => named(`referrer bundle ${i + 1} of ${found.bundles.length}`, verifyReferrerBundle(bytes, imageDigest, trust, at, limits))),
  ].slice(0, limits.maxSignatures);
  const signers: CosignSigner[] = [];
  const problems: CosignProblem[] = [];
  for (const check of checks) {
    const r = check();
    if (isProblem(r)) problems.push(r);
    else signers.push(r);
  }
  if (signers.length > 0) return { status: 'verified', signers };
  const first = problems.find((p) => p.status === 'invalid') ?? problems[0];
  const skipped = total > checks.length ? ` (${total - checks.length} more signatures were not checked: at most ${limits.maxSignatures} are)` : '';
  if (first === undefined) return { status: 'unverifiable', error: `no signature was checked${skipped}` };
  const others = problems.length > 1 ? ` (and ${problems.length - 1} other signature${problems.length > 2 ? 's' : ''} did not verify either)` : '';
  return { status: first.status, error: `${first.error}${others}${skipped}` };
}

function named<T extends object>(what: string, r: T | CosignProblem): T | CosignProblem {
  return isProblem(r) ? { status: r.status, error: `${what}: ${r.error}` } : r;
}
