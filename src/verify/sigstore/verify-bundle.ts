/**
 * Verifying a Sigstore bundle offline against a trusted root: the signature (DSSE over its PAE,
 * or a message signature over the artifact), the signer (a Fulcio certificate chained to a
 * trusted CA, or a key the caller trusts for the bundle's hint), and the Rekor v1 transparency
 * log entry that fixes when it was signed (signed entry timestamp and/or inclusion proof with a
 * signed checkpoint, and a body that records this very signature). The certificate must have been
 * valid at the entry's integrated time: Fulcio certificates live ten minutes, so the log is what
 * shows the signature was made while the certificate was.
 *
 * Not checked: SCTs (certificate transparency) — the Rekor inclusion is checked, the CT log
 * inclusion of the certificate is not; RFC 3161 timestamps — a bundle whose only time is a TSA
 * stamp (Rekor v2) is 'unsupported', not verified. Identity policy (which SAN, which issuer) and
 * statement subjects are the caller's: this returns the signer and the payload.
 *
 * Fails closed: a malformed or hostile bundle is 'invalid' with the field and the reason; nothing
 * the bundle contains makes this throw.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { parseBundle, type Bundle, type TlogEntry } from './bundle.ts';
import { certificateIdentity } from './certificate.ts';
import { certValidAt, certValidity, checkChain } from './chain.ts';
import { preAuthEncoding } from './dsse.ts';
import { isoTime, SigstoreError, type Problem } from './fields.ts';
import { checkCheckpoint, checkInclusionProof, checkSignedEntryTimestamp, verifies } from './tlog.ts';
import { checkBody, type Verifier } from './tlog-body.ts';
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
  readonly validAt: (at: number) => string | null;
}

const invalid = (error: string): Problem => ({ status: 'invalid', error });

function signingKey(bundle: Bundle, options: VerifyBundleOptions): SigningKey | Problem {
  const m = bundle.material;
  if (m.kind === 'certificate') {
    if (m.leaf.ca) return invalid('the signing certificate is a CA certificate (basicConstraints), not a signing certificate');
    const id = certificateIdentity(m.leafDer);
    return {
      key: m.leaf.publicKey,
      verifier: { kind: 'certificate', der: m.leafDer },
      signer: { kind: 'certificate', subjectAlternativeName: id.subjectAlternativeName, issuer: id.issuer, extensions: id.extensions },
      validAt: (at) => (certValidAt(m.leaf, at) ? checkChain(m.leaf, options.trustedRoot, at) : `the signing certificate was not valid at the log's integrated time ${isoTime(at)} (it is ${certValidity(m.leaf)})`),
    };
  }
  const found = options.keyForHint?.(m.hint) ?? null;
  if (found === null) return invalid(`the bundle is signed by the key with hint ${JSON.stringify(m.hint.slice(0, 100))}, which is not a trusted key`);
  return {
    key: found.key,
    verifier: { kind: 'key', key: found.key },
    signer: { kind: 'key', hint: m.hint },
    validAt: (at) =>
      (found.validFrom === null || at >= found.validFrom) && (found.validUntil === null || at < found.validUntil)
        ? null
        : `the key with hint ${JSON.stringify(m.hint.slice(0, 100))} was not valid at the log's integrated time ${isoTime(at)}`,
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

/** One log entry, fully: log, proofs, body, and the signer's validity at the integrated time. */
function checkEntry(entry: TlogEntry, bundle: Bundle, signing: SigningKey, digest: string | null, root: TrustedRoot): Problem | number {
  if (entry.integratedTime === null) return { status: 'unsupported', error: `${entry.path} has no integrated time (a Rekor v2 entry: its time comes from an RFC 3161 timestamp, which this verifier does not check)` };
  const log = root.tlogs.find((l) => l.logId.equals(entry.logId));
  if (log === undefined) return invalid(`${entry.path} is in a log the trusted root does not list (log id ${entry.logId.toString('base64')})`);
  const at = entry.integratedTime * 1000;
  if (at < log.validFrom || (log.validUntil !== null && at > log.validUntil)) return invalid(`${entry.path}'s log ${log.baseUrl} was not trusted at its integrated time ${isoTime(at)}`);
  const set = entry.signedEntryTimestamp;
  const proof = entry.inclusionProof;
  if (bundle.version === '0.1' ? set === null && proof === null : proof === null) {
    return invalid(`${entry.path} has ${bundle.version === '0.1' ? 'neither an inclusion promise nor an inclusion proof' : `no inclusion proof (required by bundle v${bundle.version})`}`);
  }
  const why =
    (set === null ? null : checkSignedEntryTimestamp(entry, log, set)) ??
    (proof === null ? null : checkInclusionProof(entry, proof) ?? checkCheckpoint(entry, proof, log));
  if (why !== null) return invalid(why);
  const body = checkBody(entry, bundle.content, signing.verifier, digest);
  if (body !== null) return body;
  const validity = signing.validAt(at);
  return validity === null ? at : invalid(validity);
}

function verifyParsed(bundle: Bundle, options: VerifyBundleOptions): BundleVerification {
  const signing = signingKey(bundle, options);
  if ('status' in signing) return signing;
  const sig = checkSignature(bundle, signing.key, options.artifact);
  if ('status' in sig) return sig;
  if (bundle.tlogEntries.length === 0) {
    return bundle.hasTimestamps
      ? { status: 'unsupported', error: 'the bundle has no transparency log entry, only RFC 3161 timestamps, which this verifier does not check' }
      : invalid('the bundle has no transparency log entry, so nothing shows when it was signed');
  }
  const problems: Problem[] = [];
  for (const entry of bundle.tlogEntries) {
    const r = checkEntry(entry, bundle, signing, sig.digest, options.trustedRoot);
    if (typeof r === 'number') {
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
