/**
 * Verifying a Sigstore bundle offline against a trusted root: the signature (DSSE over its PAE,
 * or a message signature over the artifact), the signer (a Fulcio certificate chained to a
 * trusted CA, or a key the caller trusts for the bundle's hint), the transparency log entry that
 * publishes it (Rekor v1: signed entry timestamp and/or inclusion proof with a signed checkpoint;
 * Rekor v2: inclusion proof with a signed checkpoint; either way a body that records this very
 * signature), and when it was signed. The time comes from the Rekor v1 entry's integrated time
 * and from RFC 3161 timestamps over the signature (Rekor v2 entries carry no time, so their
 * bundles need a stamp); every stamp by an authority the root lists must verify, and the signer
 * must have been valid at every time shown. Fulcio certificates live ten minutes, so these times are what show the signature
 * was made while the certificate was.
 *
 * 'invalid' is for a check that failed against what the trusted root lists; a signer, log or
 * timestamp authority the root (or the caller's keys) does not list is 'unsupported': nothing was
 * checked, and a root that predates a rotation must not make every new bundle look forged.
 *
 * A Fulcio certificate must be for code signing and carry an SCT from a certificate transparency
 * log the root lists (sct.ts). A bundle with timestamps but no log entry is 'unsupported': its
 * time is shown, but nothing shows the signature was published. Identity
 * policy (which SAN, which issuer) and statement subjects are the caller's: this returns the
 * signer and the payload.
 *
 * Fails closed: a malformed or hostile bundle is 'invalid' with the field and the reason; nothing
 * the bundle contains makes this throw.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { parseBundle, type Bundle, type TlogEntry } from './bundle.ts';
import { certificateIdentity, extensionsOf, hasExtendedKeyUsage } from './certificate.ts';
import { certValidAt, certValidity, checkChain, issuersOf } from './chain.ts';
import { preAuthEncoding } from './dsse.ts';
import { checkCertificateTransparency } from './sct.ts';
import { isoTime, SigstoreError, STALE_ROOT, type Problem } from './fields.ts';
import { checkCheckpoint, checkInclusionProof, checkSignedEntryTimestamp, verifies } from './tlog.ts';
import { checkBody, type Verifier } from './tlog-body.ts';
import { verifyTimestamp } from './timestamp.ts';
import type { TrustedRoot } from './trusted-root.ts';

export interface KeyForHint {
  readonly key: KeyObject;
  /** Signatures logged before this time (ms) are not by this key; null: no start. */
  readonly validFrom: number | null;
  /** Signatures logged at or after this time (ms) are not by this key; null: no end. */
  readonly validUntil: number | null;
}

export interface VerifyBundleOptions {
  readonly trustedRoot: TrustedRoot;
  /** Keys for bundles whose verificationMaterial is `publicKey {hint}` (key-based signing); absent: such bundles fail as untrusted. */
  readonly keyForHint?: (hint: string) => KeyForHint | null;
  /** For `messageSignature` bundles: the artifact's bytes (the signature is over them, SHA-256). DSSE bundles ignore it. */
  readonly artifact?: Uint8Array;
}

export type Signer =
  | { readonly kind: 'certificate'; readonly subjectAlternativeName: string | null; readonly issuer: string | null; readonly extensions: Readonly<Record<string, string>> }
  | { readonly kind: 'key'; readonly hint: string };

export type BundleVerification =
  | { readonly status: 'verified'; readonly signer: Signer; readonly signedAt: number; readonly logIndex: number; readonly dsse: { readonly payloadType: string; readonly payload: Buffer } | null }
  | { readonly status: 'invalid'; readonly error: string }
  | { readonly status: 'unsupported'; readonly error: string };

/** Who signed and with what key, before any time is known. */
interface SigningKey {
  readonly key: KeyObject;
  readonly verifier: Verifier;
  readonly signer: Signer;
  /** Null when the key may sign at `at` (ms), else why not. */
  readonly validAt: (at: number) => Problem | null;
  /** An 'unsupported' finding about the signer (an SCT only from CT logs the root does not list): reported if every other check passes. */
  readonly unlisted: Problem | null;
}

const invalid = (error: string): Problem => ({ status: 'invalid', error });
/** id-kp-codeSigning (RFC 5280 §4.2.1.12). */
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

function signingKey(bundle: Bundle, options: VerifyBundleOptions): SigningKey | Problem {
  const m = bundle.material;
  if (m.kind === 'certificate') {
    if (m.leaf.ca) return invalid('the signing certificate is a CA certificate (basicConstraints), not a signing certificate');
    // Sigstore's certificate profile: a signing certificate is for code signing (Fulcio issues no other kind).
    // The leaf's extensions are read once, for every check below.
    const extensions = extensionsOf(m.leafDer);
    if (!hasExtendedKeyUsage(extensions, CODE_SIGNING)) return invalid('the signing certificate is not for code signing (its extended key usage does not list it)');
    const id = certificateIdentity(extensions);
    const issuing = issuersOf(m.leaf, options.trustedRoot);
    // Certificate transparency does not depend on the signing time; an unknown CA is left to the
    // chain check, which says so.
    const first = issuing[0];
    const ct = first === undefined ? null : checkCertificateTransparency({ der: m.leafDer, extensions }, first.certificate, options.trustedRoot);
    if (ct?.status === 'invalid') return ct;
    return {
      unlisted: ct,
      key: m.leaf.publicKey,
      verifier: { kind: 'certificate', der: m.leafDer },
      signer: { kind: 'certificate', subjectAlternativeName: id.subjectAlternativeName, issuer: id.issuer, extensions: id.extensions },
      validAt: (at) => (certValidAt(m.leaf, at) ? checkChain(m.leaf, issuing, at) : invalid(`the signing certificate was not valid at ${isoTime(at)}, when the bundle shows it signed (it is ${certValidity(m.leaf)})`)),
    };
  }
  const found = options.keyForHint?.(m.hint) ?? null;
  // An unknown key is not a failed check: the caller's keys may predate a rotation.
  if (found === null) return { status: 'unsupported', error: `the bundle is signed by the key with hint ${JSON.stringify(m.hint.slice(0, 100))}, which is not a trusted key` };
  return {
    key: found.key,
    unlisted: null,
    verifier: { kind: 'key', key: found.key },
    signer: { kind: 'key', hint: m.hint },
    validAt: (at) =>
      (found.validFrom === null || at >= found.validFrom) && (found.validUntil === null || at < found.validUntil)
        ? null
        : invalid(`the key with hint ${JSON.stringify(m.hint.slice(0, 100))} was not valid at ${isoTime(at)}, when the bundle shows it signed`),
  };
}

/** Checks the signature; returns the artifact's hex SHA-256 for message signatures. */
function checkSignature(bundle: Bundle, key: KeyObject, artifact: Uint8Array | undefined): { digest: string | null } | Problem {
  const c = bundle.content;
  if (c.kind === 'dsse') {
    if (!verifies(key, preAuthEncoding(c.payloadType, c.payload), c.signature)) return invalid('the DSSE envelope\'s signature does not verify over its payload with the signing key');
    return { digest: null };
  }
  if (artifact === undefined) return invalid('the bundle has a message signature, and no artifact was given to check it against');
  const digest = createHash('sha256').update(artifact).digest();
  if (c.digest !== null) {
    if (c.digest.algorithm !== 'SHA2_256') return invalid(`messageSignature.messageDigest.algorithm ${JSON.stringify(c.digest.algorithm)} is not SHA2_256`);
    if (!c.digest.value.equals(digest)) return invalid('messageSignature.messageDigest is not the SHA-256 of the artifact');
  }
  if (!verifies(key, artifact, c.signature, 'sha256')) return invalid('the message signature does not verify over the artifact with the signing key');
  return { digest: digest.toString('hex') };
}

/**
 * One log entry, fully: log, proofs, body, and the signer's validity at every time the bundle
 * shows (the entry's integrated time, if it has one, and the verified timestamps `stamps`).
 * Returns when it was signed (the integrated time, else the earliest stamp), or why not.
 */
function checkEntry(entry: TlogEntry, bundle: Bundle, signing: SigningKey, digest: string | null, root: TrustedRoot, stamps: readonly number[], unchecked: Problem | undefined): Problem | number {
  const log = root.tlogs.find((l) => l.logId.equals(entry.logId));
  if (log === undefined) return { status: 'unsupported', error: `${entry.path} is in a log the trusted root does not list (log id ${entry.logId.toString('base64')})${STALE_ROOT}` };
  const integrated = entry.integratedTime === null ? null : entry.integratedTime * 1000;
  if (integrated === null && stamps.length === 0) {
    return unchecked ?? invalid(`${entry.path} has no integrated time (a Rekor v2 entry) and the bundle has no RFC 3161 timestamp, so nothing shows when it was signed`);
  }
  const times = integrated === null ? stamps : [integrated, ...stamps];
  // The log's key must have been trusted when the entry was logged: at its integrated time, or
  // (Rekor v2) when the signature was stamped.
  const untrusted = (integrated === null ? stamps : [integrated]).find((at) => at < log.validFrom || (log.validUntil !== null && at > log.validUntil));
  if (untrusted !== undefined) return invalid(`${entry.path}'s log ${log.baseUrl} was not trusted at ${isoTime(untrusted)}, when the bundle shows it signed`);
  // A signed entry timestamp covers an integrated time; an entry without one is shown by its inclusion proof alone.
  const set = integrated === null ? null : entry.signedEntryTimestamp;
  const proof = entry.inclusionProof;
  if (integrated === null ? proof === null : bundle.version === '0.1' ? set === null && proof === null : proof === null) {
    return invalid(
      `${entry.path} has ${integrated === null ? 'no inclusion proof (required of an entry without an integrated time)' : bundle.version === '0.1' ? 'neither an inclusion promise nor an inclusion proof' : `no inclusion proof (required by bundle v${bundle.version})`}`,
    );
  }
  const why =
    (set === null ? null : checkSignedEntryTimestamp(entry, log, set)) ??
    (proof === null ? null : checkInclusionProof(entry, proof) ?? checkCheckpoint(entry, proof, log));
  if (why !== null) return invalid(why);
  const body = checkBody(entry, bundle.content, signing.verifier, digest);
  if (body !== null) return body;
  for (const at of times) {
    const validity = signing.validAt(at);
    if (validity !== null) return validity;
  }
  return integrated ?? Math.min(...stamps);
}

function verifyParsed(bundle: Bundle, options: VerifyBundleOptions): BundleVerification {
  const signing = signingKey(bundle, options);
  if ('status' in signing) return signing;
  const sig = checkSignature(bundle, signing.key, options.artifact);
  if ('status' in sig) return sig;
  // A stamp that fails a check fails the bundle (it is forged or altered); one by an authority
  // the root does not list shows no time, and is what an entry without a time of its own reports.
  const checked = bundle.timestamps.map((der, i) => verifyTimestamp(der, bundle.content.signature, options.trustedRoot, `verificationMaterial.timestampVerificationData.rfc3161Timestamps[${i}]`));
  const failed = checked.find((r): r is Problem => typeof r !== 'number' && r.status === 'invalid');
  if (failed !== undefined) return failed;
  const stamps = checked.filter((r): r is number => typeof r === 'number');
  const unchecked = checked.find((r): r is Problem => typeof r !== 'number');
  if (bundle.tlogEntries.length === 0) {
    return checked.length > 0
      ? { status: 'unsupported', error: 'the bundle has no transparency log entry, only RFC 3161 timestamps: they show when it was signed, but nothing shows the signature was published' }
      : invalid('the bundle has no transparency log entry, so nothing shows when it was signed');
  }
  const problems: Problem[] = [];
  for (const entry of bundle.tlogEntries) {
    const r = checkEntry(entry, bundle, signing, sig.digest, options.trustedRoot, stamps, unchecked);
    if (typeof r === 'number') {
      if (signing.unlisted !== null) return signing.unlisted;
      const c = bundle.content;
      return { status: 'verified', signer: signing.signer, signedAt: r, logIndex: entry.logIndex, dsse: c.kind === 'dsse' ? { payloadType: c.payloadType, payload: c.payload } : null };
    }
    problems.push(r);
  }
  return problems.find((p) => p.status === 'invalid') ?? problems[0] ?? invalid('no transparency log entry verifies');
}

/** Never throws for bad bundle input: malformed or hostile input is 'invalid' with a specific error. */
export function verifyBundle(bundle: unknown, options: VerifyBundleOptions): BundleVerification {
  try {
    return verifyParsed(parseBundle(bundle), options);
  } catch (e) {
    if (e instanceof SigstoreError) return { status: 'invalid', error: e.message };
    const message = e instanceof Error ? e.message : String(e);
    return { status: 'invalid', error: `the bundle could not be verified (${message.slice(0, 200)})` };
  }
}
