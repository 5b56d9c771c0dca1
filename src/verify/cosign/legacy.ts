/**
 * One legacy cosign signature (a `.sig` layer, oci.md §5), checked for one image:
 *
 * 1. the payload must be a cosign container image signature naming this image's digest;
 * 2. keyless (a certificate annotation): the signature, the certificate and the Rekor entry of the
 *    bundle annotation are checked by the Sigstore verifier as the v0.1 bundle they amount to
 *    (rekor-bundle.ts): the certificate must chain to a Fulcio CA of the trusted root and be valid
 *    at the entry's integrated time, which the log's signed entry timestamp vouches for, and the
 *    entry must be a `hashedrekord` of this signature, payload and certificate. Without a Rekor
 *    entry nothing shows when a ten-minute certificate signed, so the signature cannot be judged;
 * 3. key-based: the signature must verify over the payload with a configured key. A Rekor entry,
 *    if present, must then verify too when the trusted root lists its log (it dates the
 *    signature); a log the root does not list leaves the signature undated, not unverified.
 *
 * A key-based signature names no key, so one that no configured key verifies is 'unverifiable'
 * (made with a key Airlock does not trust — or altered: the two cannot be told apart), unless
 * its Rekor entry records a configured key: then it is an altered signature, 'invalid'.
 */
import { createPublicKey } from 'node:crypto';
import { isPlainObject } from '../../core/index.ts';
import { SigstoreError, verifyBundle, type BundleVerification } from '../sigstore/index.ts';
import { trustedKeys, signedWith, type CosignKey } from './keys.ts';
import { leafDerOf, legacyBundle, tlogEntryOf } from './rekor-bundle.ts';
import { checkSimpleSigning } from './simple-signing.ts';
import { invalid, MAX_SKEW_MS, unverifiable, type CosignLimits, type CosignProblem, type CosignSigner, type CosignTrust, type LegacyCosignSignature } from './types.ts';

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_SIGNATURE_BASE64 = 1024;

/** The key a Rekor entry (as `tlogEntryOf` gives it) records as the signer's, as SPKI DER; null when it records none that can be read. */
function keyRecordedIn(entry: Record<string, unknown>): Buffer | null {
  try {
    const body: unknown = JSON.parse(Buffer.from(String(entry['canonicalizedBody']), 'base64').toString('utf8'));
    const spec = isPlainObject(body) ? body['spec'] : undefined;
    const sig = isPlainObject(spec) ? spec['signature'] : undefined;
    const pk = isPlainObject(sig) ? sig['publicKey'] : undefined;
    const content = isPlainObject(pk) ? pk['content'] : undefined;
    if (typeof content !== 'string') return null;
    return createPublicKey(Buffer.from(content, 'base64').toString('utf8')).export({ type: 'spki', format: 'der' });
  } catch {
    return null;
  }
}

function signedAtOf(r: Extract<BundleVerification, { status: 'verified' }>, now: number): number | CosignProblem {
  if (r.signedAt > now + MAX_SKEW_MS) return invalid(`its Rekor entry says it was signed at ${new Date(r.signedAt).toISOString()}, later than this host's time (${new Date(now).toISOString()})`);
  return r.signedAt;
}

function keyless(sig: LegacyCosignSignature, certificate: string, entry: Record<string, unknown> | null, trust: CosignTrust, now: number): CosignSigner | CosignProblem {
  const leafDer = leafDerOf(certificate);
  if (entry === null) return unverifiable('the keyless signature has no Rekor entry (no dev.sigstore.cosign/bundle annotation): nothing shows when it was made, so its short-lived certificate cannot be checked');
  const r = verifyBundle(legacyBundle(sig.payload, sig.signature, { leafDer }, entry), { trustedRoot: trust.sigstoreRoot, artifact: sig.payload });
  if (r.status === 'invalid') return invalid(`the keyless signature does not verify: ${r.error}`);
  if (r.status === 'unsupported') return unverifiable(`the keyless signature cannot be checked: ${r.error}`);
  if (r.signer.kind !== 'certificate') return invalid('the keyless signature was not verified with its certificate');
  const signedAt = signedAtOf(r, now);
  if (typeof signedAt !== 'number') return signedAt;
  return { mode: 'keyless', identity: r.signer.subjectAlternativeName, issuer: r.signer.issuer, keyHint: null, source: 'tag', predicateType: null, signedAt, extensions: r.signer.extensions };
}

function keyBased(sig: LegacyCosignSignature, signature: Buffer, entry: Record<string, unknown> | null, trust: CosignTrust, now: number): CosignSigner | CosignProblem {
  const keys = trustedKeys(trust);
  let found: { key: CosignKey; digest: string | null } | null = null;
  for (const key of keys) {
    const digest = signedWith(key.key, sig.payload, signature);
    if (digest !== undefined) {
      found = { key, digest };
      break;
    }
  }
  if (found === null) {
    const recorded = entry === null ? null : keyRecordedIn(entry);
    const named = recorded === null ? undefined : keys.find((k) => k.spki.equals(recorded));
    if (named !== undefined) return invalid(`the signature does not verify over the payload with the configured key its Rekor entry records (hint ${named.hint}): the payload or the signature was altered`);
    if (keys.length === 0) return unverifiable('the signature is made with a key, and no key is configured for cosign signatures');
    return unverifiable(`none of the ${keys.length} configured cosign keys verifies the signature: it was made with another key, or altered`);
  }
  const signer: CosignSigner = { mode: 'key', identity: null, issuer: null, keyHint: found.key.hint, source: 'tag', predicateType: null, signedAt: null, extensions: {} };
  // The bundle verifier checks message signatures over SHA-256; a key that signs otherwise (Ed25519, P-384 with SHA-384) is trusted by itself, its entry undated.
  if (entry === null || found.digest !== 'sha256') return signer;
  const key = found.key;
  const r = verifyBundle(legacyBundle(sig.payload, sig.signature, { hint: key.cosignHint }, entry), {
    trustedRoot: trust.sigstoreRoot,
    artifact: sig.payload,
    keyForHint: (h) => (h === key.cosignHint ? { key: key.key, validFrom: null, validUntil: null } : null),
  });
  if (r.status === 'invalid') return invalid(`the signature verifies with a configured key (hint ${key.hint}), but its Rekor entry does not: ${r.error}`);
  if (r.status === 'unsupported') return signer;
  const signedAt = signedAtOf(r, now);
  return typeof signedAt === 'number' ? { ...signer, signedAt } : signedAt;
}

/** Checks one legacy signature for `imageDigest`; never throws (malformed input is 'invalid', unreadable trust 'unverifiable'). */
export function verifyLegacySignature(sig: LegacyCosignSignature, imageDigest: string, trust: CosignTrust, now: number, limits: CosignLimits): CosignSigner | CosignProblem {
  try {
    const payload = checkSimpleSigning(sig.payload, imageDigest, limits);
    if (payload !== null) return payload;
    if (sig.signature === '') return invalid('the layer has no signature (dev.cosignproject.cosign/signature annotation)');
    if (sig.signature.length > MAX_SIGNATURE_BASE64 || sig.signature.length % 4 === 1 || !BASE64_RE.test(sig.signature)) return invalid(`the signature annotation is not base64 of at most ${MAX_SIGNATURE_BASE64} characters`);
    const entry = sig.bundle === null ? null : tlogEntryOf(sig.bundle);
    if (sig.certificate !== null) return keyless(sig, sig.certificate, entry, trust, now);
    return keyBased(sig, Buffer.from(sig.signature, 'base64'), entry, trust, now);
  } catch (e) {
    if (e instanceof SigstoreError) return invalid(e.message);
    // Trust configuration that cannot be read (AirlockError CONFIG_INVALID): nothing was checked.
    return unverifiable(`the signature could not be checked (${(e instanceof Error ? e.message : String(e)).slice(0, 300)})`);
  }
}
