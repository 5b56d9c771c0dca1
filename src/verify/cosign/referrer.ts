/**
 * One cosign v3 signature: a Sigstore bundle stored as an OCI 1.1 referrer of the image (oci.md
 * §6). `cosign sign` makes a DSSE envelope over an in-toto statement with predicate
 * `https://sigstore.dev/cosign/sign/v1` and a subject holding only the image's digest; `cosign
 * attest` makes the same with the user's predicate. Either is accepted when a subject's digest is
 * this image's; the predicate type is reported for the policy to tell them apart.
 *
 * Keyless bundles are verified by the Sigstore verifier against the trusted root (certificate,
 * log entry, times). Key-based bundles (`publicKey.hint`): the configured key whose cosign hint
 * (base64 sha256 of the SPKI DER) the bundle names, else any configured key, must verify the
 * envelope; a log entry, if the bundle has one, must then verify too unless its log is not in the
 * root (`cosign sign --key --tlog-upload=false` makes bundles without one). A message-signature
 * bundle names no image, so it is not a container signature.
 */
import { SigstoreError, verifyBundle, type BundleVerification } from '../sigstore/index.ts';
import { parseBundle, type Bundle } from '../sigstore/bundle.ts';
import { preAuthEncoding } from '../sigstore/dsse.ts';
import { IN_TOTO_PAYLOAD_TYPE, parseInTotoStatement, type InTotoStatement } from '../sigstore/in-toto.ts';
import { shown } from '../sigstore/fields.ts';
import { signedWith, trustedKeys, type CosignKey } from './keys.ts';
import { invalid, MAX_SKEW_MS, unverifiable, type CosignLimits, type CosignProblem, type CosignSigner, type CosignTrust } from './types.ts';

function signedAtOf(r: Extract<BundleVerification, { status: 'verified' }>, now: number): number | CosignProblem {
  if (r.signedAt > now + MAX_SKEW_MS) return invalid(`the bundle says it was signed at ${new Date(r.signedAt).toISOString()}, later than this host's time (${new Date(now).toISOString()})`);
  return r.signedAt;
}

/** Null when a subject of `st` is the image `<alg>:<hex>`, else why not. */
function checkSubject(st: InTotoStatement, imageDigest: string): CosignProblem | null {
  const at = imageDigest.indexOf(':');
  const alg = imageDigest.slice(0, at);
  const hex = imageDigest.slice(at + 1);
  if (st.subjects.some((s) => Object.hasOwn(s.digest, alg) && s.digest[alg]?.toLowerCase() === hex)) return null;
  const named = st.subjects.map((s) => (Object.hasOwn(s.digest, alg) ? `${alg}:${s.digest[alg] ?? ''}` : Object.keys(s.digest).join('+'))).slice(0, 3);
  return invalid(`the statement is about ${named.join(', ')}, not the image ${imageDigest}: a signature of another image`);
}

function keyless(json: unknown, statement: InTotoStatement, trust: CosignTrust, now: number): CosignSigner | CosignProblem {
  const r = verifyBundle(json, { trustedRoot: trust.sigstoreRoot });
  if (r.status === 'invalid') return invalid(`the bundle does not verify: ${r.error}`);
  if (r.status === 'unsupported') return unverifiable(`the bundle cannot be checked: ${r.error}`);
  if (r.signer.kind !== 'certificate') return invalid('the bundle was not verified with its certificate');
  const signedAt = signedAtOf(r, now);
  if (typeof signedAt !== 'number') return signedAt;
  return { mode: 'keyless', identity: r.signer.subjectAlternativeName, issuer: r.signer.issuer, keyHint: null, source: 'referrer', predicateType: statement.predicateType, signedAt, extensions: r.signer.extensions };
}

function keyBased(json: unknown, bundle: Bundle, hint: string, statement: InTotoStatement, trust: CosignTrust, now: number): CosignSigner | CosignProblem {
  const c = bundle.content;
  if (c.kind !== 'dsse') return invalid('the bundle has no DSSE envelope');
  const keys = trustedKeys(trust);
  const named = keys.filter((k) => k.cosignHint === hint || k.hint === hint.toLowerCase());
  // Hints are the signer's own label, not a standard: a bundle whose hint names no configured key may still be by one.
  const candidates = named.length > 0 ? named : keys;
  const pae = preAuthEncoding(c.payloadType, c.payload);
  const found: CosignKey | undefined = candidates.find((k) => signedWith(k.key, pae, c.signature) !== undefined);
  if (found === undefined) {
    if (named.length > 0) return invalid(`the DSSE signature does not verify with the configured key the bundle names (hint ${named[0]?.hint ?? ''}): the statement or the signature was altered`);
    if (keys.length === 0) return unverifiable(`the bundle is signed with a key (hint ${shown(hint)}), and no key is configured for cosign signatures`);
    return unverifiable(`the bundle is signed with a key (hint ${shown(hint)}) that none of the ${keys.length} configured cosign keys is: it was made with another key, or altered`);
  }
  const signer: CosignSigner = { mode: 'key', identity: null, issuer: null, keyHint: found.hint, source: 'referrer', predicateType: statement.predicateType, signedAt: null, extensions: {} };
  if (bundle.tlogEntries.length === 0) return signer;
  const r = verifyBundle(json, { trustedRoot: trust.sigstoreRoot, keyForHint: (h) => (h === hint ? { key: found.key, validFrom: null, validUntil: null } : null) });
  if (r.status === 'invalid') return invalid(`the DSSE signature verifies with a configured key (hint ${found.hint}), but the bundle does not: ${r.error}`);
  if (r.status === 'unsupported') return signer;
  const signedAt = signedAtOf(r, now);
  return typeof signedAt === 'number' ? { ...signer, signedAt } : signedAt;
}

/** Checks one referrer bundle's bytes for `imageDigest`; never throws (malformed input is 'invalid', unreadable trust 'unverifiable'). */
export function verifyReferrerBundle(bytes: Buffer, imageDigest: string, trust: CosignTrust, now: number, limits: CosignLimits): CosignSigner | CosignProblem {
  if (bytes.length > limits.maxBundleBytes) return unverifiable(`the bundle is ${bytes.length} bytes (at most ${limits.maxBundleBytes} are read)`);
  try {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      return invalid('the bundle is not UTF-8 JSON');
    }
    const bundle = parseBundle(json);
    const c = bundle.content;
    if (c.kind !== 'dsse') return unverifiable('the bundle holds a message signature, which names no image: it is not a cosign container signature');
    if (c.payloadType !== IN_TOTO_PAYLOAD_TYPE) return unverifiable(`the bundle's payload type is ${shown(c.payloadType)}, not an in-toto statement (${IN_TOTO_PAYLOAD_TYPE})`);
    const statement = parseInTotoStatement(c.payloadType, c.payload);
    const subject = checkSubject(statement, imageDigest);
    if (subject !== null) return subject;
    const m = bundle.material;
    return m.kind === 'certificate' ? keyless(json, statement, trust, now) : keyBased(json, bundle, m.hint, statement, trust, now);
  } catch (e) {
    if (e instanceof SigstoreError) return invalid(e.message);
    return unverifiable(`the bundle could not be checked (${(e instanceof Error ? e.message : String(e)).slice(0, 300)})`);
  }
}
