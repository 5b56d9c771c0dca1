/**
 * Verifying an OpenSSF model signature (`model.sig`, signing.md §6.3): the DSSE signature by the
 * mode's signer, then the statement it signs, read into the model's manifest. Comparing the
 * manifest with the files served is `modelFileCoverage`'s job.
 *
 * - sigstore (keyless): the bundle is verified by our Sigstore verifier against the trusted root
 *   (Fulcio certificate, Rekor entry, times). Identity is not checked here: the signer's SAN and
 *   OIDC issuer are returned for the caller's policy.
 * - key: the configured key whose model_signing hint (hex sha256 of its SPKI PEM) is the bundle's;
 *   a bundle without a hint (model_signing 1.0.x) names its key in a non-standard `rawBytes`, used
 *   only to pick the configured key it means; with neither, each configured key is tried.
 * - certificate: the leaf must chain to a configured CA at its notBefore (certificate-chain.ts).
 *
 * Key and certificate signatures are ECDSA with the digest of the key's curve over the DSSE PAE,
 * or, for model_signing 0.2.x signatures, over its buggy PAE (legacy-pae.ts; certificate mode
 * then hashes with sha256). A signer Airlock has no trust for is 'unverifiable'; a signature that
 * fails with the trusted key, or a statement that does not hold, is 'invalid'.
 *
 * Pure and bounded: bytes, trust and a clock in, a typed result out; nothing throws for bad input.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { assertNever } from '../../core/index.ts';
import { LIMITS } from '../sigstore/bundle.ts';
import { preAuthEncoding } from '../sigstore/dsse.ts';
import { shown } from '../sigstore/fields.ts';
import { SigstoreError, verifyBundle } from '../sigstore/index.ts';
import { verifies } from '../sigstore/tlog.ts';
import { checkCertificateChain } from './certificate-chain.ts';
import { parseModelSignature, type ModelSignatureBundle, type SigningMaterial } from './envelope.ts';
import { legacyPreAuthEncoding } from './legacy-pae.ts';
import { parseModelStatement } from './statement.ts';
import { curveDigest, modelSigningKeyHint, spkiOf, trustedCertificateAuthorities, trustedKeys, type TrustedKey } from './trust.ts';
import {
  invalid,
  MODEL_SIGNING_LIMITS,
  unverifiable,
  type ModelProblem,
  type ModelSignatureCheck,
  type ModelSigner,
  type ModelSigningLimits,
  type ModelSigningTrust,
} from './types.ts';

/** Clock skew allowed between this host and the log, timestamp authority or CA. */
const MAX_SKEW_MS = 5 * 60 * 1000;

const NO_SIGNER: ModelSigner = Object.freeze({ identity: null, issuer: null, keyHint: null, subject: null });

/** Whether `key` signed the envelope: over the DSSE PAE with the curve's digest, else over model_signing 0.2.x's PAE with `legacyDigest`. */
function signedBy(key: KeyObject, b: ModelSignatureBundle, legacyDigest: string | null): boolean {
  const digest = curveDigest(key);
  if (digest === null) return false;
  return verifies(key, preAuthEncoding(b.payloadType, b.payload), b.signature, digest) || verifies(key, legacyPreAuthEncoding(b.payloadType, b.payload), b.signature, legacyDigest ?? digest);
}

/** The key `embedded` (model_signing 1.0.0's `publicKey.rawBytes`: PEM, or DER SPKI) names, as SPKI DER; null when unreadable. */
function embeddedSpki(embedded: Buffer): Buffer | null {
  try {
    const text = embedded.toString('latin1');
    return spkiOf(text.includes('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: embedded, format: 'der', type: 'spki' }));
  } catch {
    return null;
  }
}

/** The configured keys the bundle names (by hint, or by model_signing 1.0.0's embedded key), or null when it names none. */
function namedKeys(m: Extract<SigningMaterial, { kind: 'key' }>, keys: readonly TrustedKey[]): { readonly keys: readonly TrustedKey[]; readonly by: string } | null {
  if (m.hint !== null) {
    const hint = m.hint.toLowerCase();
    return { keys: keys.filter((k) => k.hint === hint), by: `the key whose hint is ${shown(m.hint)}` };
  }
  const spki = m.embedded === null ? null : embeddedSpki(m.embedded);
  if (spki === null) return null;
  return { keys: keys.filter((k) => k.spki.equals(spki)), by: 'the key it embeds (publicKey.rawBytes, model_signing 1.0.0)' };
}

function verifyWithKey(b: ModelSignatureBundle, m: Extract<SigningMaterial, { kind: 'key' }>, trust: ModelSigningTrust): ModelSigner | ModelProblem {
  const keys = trustedKeys(trust);
  if (keys.length === 0) return unverifiable(`the signature is made with a key${m.hint === null ? '' : ` (hint ${shown(m.hint)})`}, and no key is configured for model signatures`);
  const named = namedKeys(m, keys);
  if (named === null) {
    // model_signing 1.0.x records no hint: any configured key may be the one.
    const found = keys.find((k) => signedBy(k.key, b, null));
    if (found === undefined) {
      return unverifiable(`the signature names no key (no publicKey.hint), and none of the ${keys.length} configured model signing keys verifies it: made with another key, or altered`);
    }
    return { ...NO_SIGNER, keyHint: found.hint };
  }
  if (named.keys.length === 0) return unverifiable(`the signature is made with ${named.by}, which is not a configured model signing key`);
  const found = named.keys.find((k) => signedBy(k.key, b, null));
  if (found === undefined) return invalid(`the DSSE signature does not verify with the configured key it names (hint ${named.keys[0]?.hint ?? ''}): the statement or the signature was altered`);
  return { ...NO_SIGNER, keyHint: found.hint };
}

function verifyWithCertificate(b: ModelSignatureBundle, m: Extract<SigningMaterial, { kind: 'certificate' }>, trust: ModelSigningTrust, now: number): ModelSigner | ModelProblem {
  const checked = checkCertificateChain(m.chain, trustedCertificateAuthorities(trust), now, MAX_SKEW_MS);
  if ('status' in checked) return checked;
  const key = checked.leaf.publicKey;
  if (curveDigest(key) === null) return unverifiable(`the signing certificate's key is ${key.asymmetricKeyType ?? 'of an unknown type'}${key.asymmetricKeyDetails?.namedCurve === undefined ? '' : ` on ${key.asymmetricKeyDetails.namedCurve}`}, not ECDSA P-256, P-384 or P-521 (model_signing signs with no other)`);
  if (!signedBy(key, b, 'sha256')) return invalid(`the DSSE signature does not verify with the signing certificate's key (${checked.subject}): the statement or the signature was altered`);
  return { identity: checked.identity, issuer: checked.issuer, keyHint: modelSigningKeyHint(key), subject: checked.subject };
}

function verifyKeyless(b: ModelSignatureBundle, trust: ModelSigningTrust, now: number): ModelSigner | ModelProblem {
  if (b.payload.length > (LIMITS.payloadBase64 / 4) * 3) {
    return unverifiable(`the signed statement is ${b.payload.length} bytes, more than Airlock's Sigstore verifier reads (${(LIMITS.payloadBase64 / 4) * 3}): a manifest this large can be checked in key or certificate mode only`);
  }
  const r = verifyBundle(b.json, { trustedRoot: trust.sigstoreRoot });
  if (r.status === 'invalid') return invalid(`the Sigstore bundle does not verify: ${r.error}`);
  if (r.status === 'unsupported') return unverifiable(`the Sigstore bundle cannot be checked: ${r.error}`);
  if (r.signer.kind !== 'certificate') return invalid('the Sigstore bundle is not signed with a certificate');
  if (r.signedAt > now + MAX_SKEW_MS) return invalid(`the signature was made at ${new Date(r.signedAt).toISOString()}, later than this host's time (${new Date(now).toISOString()})`);
  if (r.dsse === null || !r.dsse.payload.equals(b.payload)) return invalid('the verified bundle does not carry the statement model.sig holds');
  return { identity: r.signer.subjectAlternativeName, issuer: r.signer.issuer, keyHint: null, subject: null };
}

function signerOf(b: ModelSignatureBundle, trust: ModelSigningTrust, now: number): ModelSigner | ModelProblem {
  const m = b.material;
  switch (m.kind) {
    case 'sigstore':
      return verifyKeyless(b, trust, now);
    case 'key':
      return verifyWithKey(b, m, trust);
    case 'certificate':
      return verifyWithCertificate(b, m, trust, now);
    default:
      return assertNever(m, 'signing material');
  }
}

function problemMessage(e: unknown): ModelProblem {
  if (e instanceof SigstoreError) return invalid(e.message);
  // Trust configuration that cannot be read (AirlockError CONFIG_INVALID): nothing was checked.
  const message = e instanceof Error ? e.message : String(e);
  return unverifiable(`the model signature could not be checked (${message.slice(0, 300)})`);
}

/**
 * Verifies `sig` (model.sig's bytes) against `trust` at `now`. Signer fields by mode: sigstore →
 * identity (SAN) and issuer (OIDC issuer); key → keyHint; certificate → identity (the leaf's SAN,
 * if any), issuer and subject (DNs) and keyHint (of the leaf's key).
 */
export function verifyModelSignature(sig: Uint8Array, trust: ModelSigningTrust, now: Date, limits: ModelSigningLimits = MODEL_SIGNING_LIMITS): ModelSignatureCheck {
  const parsed = parseModelSignature(sig, limits);
  if (!parsed.ok) return { ...parsed.problem, mode: parsed.mode };
  const { mode, bundle } = parsed;
  let signer: ModelSigner | ModelProblem;
  try {
    signer = signerOf(bundle, trust, now.getTime());
  } catch (e) {
    signer = problemMessage(e);
  }
  if ('status' in signer) return { ...signer, mode };
  const manifest = parseModelStatement(bundle.payload, limits);
  if ('status' in manifest) return { ...manifest, mode };
  return { status: 'verified', mode, signer, manifest };
}
