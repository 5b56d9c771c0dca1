/**
 * PEP 740 provenance of a PyPI file: the object the index serves at the file's `provenance` URL
 * (PyPI's Integrity API), a list of attestation bundles, each the attestations one Trusted
 * Publisher made for the file. Every attestation is a DSSE envelope over an in-toto statement,
 * signed with a short-lived Fulcio certificate and logged in Rekor; converted to a Sigstore bundle
 * v0.3 (pypi.md §7) it must verify against the trusted root, attest this very file (its one
 * subject is the file's name, compared in canonical spelling, and the sha256 of the bytes Airlock
 * verified), be of a predicate type PyPI accepts, and be signed by the bundle's publisher.
 *
 * An attestation's `verification_material` may also carry `timestamps` (base64 RFC 3161
 * responses over the signature), the optional field proposed for Rekor v2 entries, which carry no
 * integrated time (packaging.python.org PR 1936, pypi-attestations PR 143): they become the
 * bundle's `timestampVerificationData`.
 *
 * The object is upstream data: size-capped, its shape checked, the bundles and attestations
 * counted, every failure named. Pure: bytes in, facts out.
 */
import { isPlainObject, type PlainObject } from '../../core/index.ts';
import { IN_TOTO_PAYLOAD_TYPE, parseInTotoStatement, verifyBundle, type AttestationStatus, type BundleVerification, type TrustedRoot } from '../sigstore/index.ts';
import { canonicalDistFilename } from './dist-filename.ts';
import { parsePublisher, publisherMismatch, type Publisher, type PypiPublisherFacts } from './publisher.ts';

export type { PypiPublisherFacts } from './publisher.ts';


/** Who signed, from the verified certificate (Fulcio's extensions); a type, not an interface (JSON). */
export type PypiSigningIdentity = {
  /** The CI workflow (a URI) or an e-mail address. */
  readonly subject_alternative_name: string | null;
  /** The OIDC issuer that vouched for it (`https://token.actions.githubusercontent.com` for GitHub Actions). */
  readonly issuer: string | null;
  readonly source_repository: string | null;
  readonly source_ref: string | null;
  /** When the transparency log (or a timestamp authority) shows it was signed (RFC 3339). */
  readonly signed_at: string;
};

/** JSON-ready facts (a type, not an interface): they go into the policy's input as they are. */
export type PypiProvenanceCheck = {
  /**
   * `verified`: every attestation verifies, attests this file and is its publisher's; `invalid`:
   * one does not, or the object is malformed; `unverifiable`: the index lists provenance but did
   * not serve it, or an attestation is of a kind Airlock cannot check (a log or authority the
   * trusted root does not list, a format version it does not read); `absent`: the index lists none.
   */
  readonly status: AttestationStatus;
  /** One line: which bundle and attestation, and what failed. */
  readonly error: string | null;
  /** Attestations the object lists, across its bundles (at most 16 are read). */
  readonly count: number;
  /** The predicate types of those verified. */
  readonly verified: readonly string[];
  /** The first bundle's publisher, as the index says it. */
  readonly publisher: PypiPublisherFacts | null;
  /** The signer of the first attestation verified. */
  readonly identity: PypiSigningIdentity | null;
};

/** The provenance object's bytes, or why there are none (the upstream failed or refused). */
export type PypiProvenanceDocument = { readonly bytes: Buffer } | { readonly error: string };

export const PYPI_PUBLISH_V1 = 'https://docs.pypi.org/attestations/publish/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** The attestation types PyPI accepts (pypi-attestations' `AttestationType`). */
const ACCEPTED_PREDICATES: readonly string[] = [PYPI_PUBLISH_V1, SLSA_PROVENANCE_V1];
const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
const MAX_BUNDLES = 8;
const MAX_ATTESTATIONS = 16;
const MAX_TLOG_ENTRIES = 8;
const MAX_TIMESTAMPS = 8;
/** Clock skew allowed between this host and the log or timestamp authority. */
const MAX_SKEW_MS = 5 * 60 * 1000;

export const NO_PROVENANCE: PypiProvenanceCheck = Object.freeze({ status: 'absent', error: null, count: 0, verified: Object.freeze([]), publisher: null, identity: null });

interface Progress {
  count: number;
  verified: string[];
  publisher: PypiPublisherFacts | null;
  identity: PypiSigningIdentity | null;
}

function outcome(status: AttestationStatus, error: string | null, p: Partial<Progress> = {}): PypiProvenanceCheck {
  return { status, error, count: p.count ?? 0, verified: p.verified ?? [], publisher: p.publisher ?? null, identity: status === 'invalid' ? null : (p.identity ?? null) };
}

function identityOf(v: Extract<BundleVerification, { status: 'verified' }>): PypiSigningIdentity {
  const cert = v.signer.kind === 'certificate' ? v.signer : null;
  return {
    subject_alternative_name: cert?.subjectAlternativeName ?? null,
    issuer: cert?.issuer ?? null,
    source_repository: cert?.extensions['sourceRepositoryUri'] ?? null,
    source_ref: cert?.extensions['sourceRepositoryRef'] ?? null,
    signed_at: new Date(v.signedAt).toISOString(),
  };
}

/**
 * The attestation as a Sigstore bundle v0.3, or what is wrong with its shape. Only types are
 * checked here; sizes and base64 are the bundle parser's (it names the bundle's fields).
 */
function toBundle(att: unknown): PlainObject | Error {
  if (!isPlainObject(att)) return new Error('it is not an object');
  const material = att['verification_material'];
  const envelope = att['envelope'];
  if (!isPlainObject(material)) return new Error('it has no verification_material object');
  if (!isPlainObject(envelope)) return new Error('it has no envelope object');
  const { certificate, transparency_entries: entries, timestamps } = material;
  if (typeof certificate !== 'string') return new Error('verification_material.certificate is not a string');
  if (!Array.isArray(entries) || entries.length === 0) return new Error('verification_material.transparency_entries is not a non-empty list');
  if (entries.length > MAX_TLOG_ENTRIES) return new Error(`verification_material.transparency_entries has ${entries.length} entries (at most ${MAX_TLOG_ENTRIES} are read)`);
  if (timestamps !== undefined && timestamps !== null && (!Array.isArray(timestamps) || timestamps.length > MAX_TIMESTAMPS || !timestamps.every((t) => typeof t === 'string'))) {
    return new Error(`verification_material.timestamps is not a list of at most ${MAX_TIMESTAMPS} strings`);
  }
  const { statement, signature } = envelope;
  if (typeof statement !== 'string') return new Error('envelope.statement is not a string');
  if (typeof signature !== 'string') return new Error('envelope.signature is not a string');
  const verificationMaterial: Record<string, unknown> = { certificate: { rawBytes: certificate }, tlogEntries: entries };
  if (Array.isArray(timestamps) && timestamps.length > 0) verificationMaterial['timestampVerificationData'] = { rfc3161Timestamps: timestamps.map((t: unknown) => ({ signedTimestamp: t })) };
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial,
    dsseEnvelope: { payload: statement, payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: signature }] },
  };
}

/** Why a verified attestation does not attest this file (`canonical`, `sha256`), or its predicate type. */
function statementProblem(v: Extract<BundleVerification, { status: 'verified' }>, filename: string, canonical: string, sha256: string): { problem: string } | { predicateType: string } {
  if (v.dsse === null) return { problem: 'it is not a DSSE envelope' };
  let statement;
  try {
    statement = parseInTotoStatement(v.dsse.payloadType, v.dsse.payload);
  } catch (err) {
    return { problem: `its statement is unreadable (${(err as Error).message})` };
  }
  const predicateType = statement.predicateType;
  if (!ACCEPTED_PREDICATES.includes(predicateType)) return { problem: `its predicate type ${JSON.stringify(predicateType.slice(0, 200))} is not one PyPI accepts (${ACCEPTED_PREDICATES.join(', ')})` };
  const label = `its ${predicateType} statement`;
  if (statement.subjects.length !== 1) return { problem: `${label} names ${statement.subjects.length} subjects (exactly one is allowed)` };
  const subject = statement.subjects[0] as (typeof statement.subjects)[number];
  const named = canonicalDistFilename(subject.name);
  if (named instanceof Error) return { problem: `${label} attests ${JSON.stringify(subject.name.slice(0, 200))}, which is not a distribution file name: ${named.message}` };
  if (named !== canonical) return { problem: `${label} attests ${JSON.stringify(subject.name.slice(0, 200))}, not ${filename}` };
  const digest = subject.digest['sha256'];
  if (digest === undefined || digest.toLowerCase() !== sha256) {
    return { problem: `${label} attests a file with sha256 ${digest === undefined ? '(none)' : digest.slice(0, 128)}, not the one served (sha256 ${sha256})` };
  }
  return { predicateType };
}

/** The bundles' shapes, publishers and attestation lists, before anything is verified. */
function readBundles(list: readonly unknown[]): { readonly bundles: readonly { publisher: Publisher; attestations: readonly unknown[] }[]; readonly count: number } | string {
  const bundles: { publisher: Publisher; attestations: readonly unknown[] }[] = [];
  let count = 0;
  for (const [i, b] of list.entries()) {
    if (!isPlainObject(b)) return `bundle ${i} is not an object`;
    const attestations = b['attestations'];
    if (!Array.isArray(attestations)) return `bundle ${i} has no "attestations" list`;
    count += attestations.length;
    if (count > MAX_ATTESTATIONS) continue;
    const publisher = parsePublisher(b['publisher'], `bundle ${i}'s publisher`);
    if (publisher instanceof Error) return publisher.message;
    bundles.push({ publisher, attestations });
  }
  return { bundles, count };
}

/**
 * Checks the PEP 740 provenance object `doc` of the distribution file `filename`, whose bytes
 * Airlock verified as `sha256` (hex), against `root`. `now` is this host's time: a signature
 * the log or a timestamp authority dates later than it (beyond a few minutes' skew) fails.
 */
export function checkPypiProvenance(doc: PypiProvenanceDocument, filename: string, sha256: string, root: TrustedRoot, now: Date = new Date()): PypiProvenanceCheck {
  if ('error' in doc) return outcome('unverifiable', `the upstream did not serve its provenance (${doc.error})`);
  if (doc.bytes.length > MAX_DOCUMENT_BYTES) return outcome('unverifiable', `its provenance object is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  const canonical = canonicalDistFilename(filename);
  if (canonical instanceof Error) return outcome('invalid', `the file name ${JSON.stringify(filename.slice(0, 200))} cannot be matched to an attestation: ${canonical.message}`);
  const served = sha256.toLowerCase();
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc.bytes.toString('utf8'));
  } catch {
    return outcome('invalid', 'its provenance object is not JSON');
  }
  if (!isPlainObject(parsed)) return outcome('invalid', 'its provenance object is not a JSON object');
  const version = parsed['version'];
  if (typeof version !== 'number') return outcome('invalid', 'its provenance object has no version');
  if (version !== 1) return outcome('unverifiable', `its provenance object is version ${String(version).slice(0, 20)} (Airlock reads version 1)`);
  const list = parsed['attestation_bundles'];
  if (!Array.isArray(list)) return outcome('invalid', 'its provenance object has no "attestation_bundles" list');
  if (list.length === 0) return outcome('invalid', 'its provenance object has no attestation bundles');
  if (list.length > MAX_BUNDLES) return outcome('invalid', `its provenance object lists ${list.length} attestation bundles (at most ${MAX_BUNDLES} are read)`);
  const read = readBundles(list);
  if (typeof read === 'string') return outcome('invalid', `its provenance object is malformed: ${read}`);
  const p: Progress = { count: read.count, verified: [], publisher: read.bundles[0]?.publisher.facts ?? null, identity: null };
  if (read.count === 0) return outcome('invalid', 'its provenance object has no attestations', p);
  if (read.count > MAX_ATTESTATIONS) return outcome('invalid', `its provenance object lists ${read.count} attestations (at most ${MAX_ATTESTATIONS} are read)`, p);
  let unverifiable: string | null = null;
  for (const [i, { publisher, attestations }] of read.bundles.entries()) {
    for (const [j, att] of attestations.entries()) {
      const label = `bundle ${i}, attestation ${j}`;
      if (isPlainObject(att) && att['version'] !== 1) {
        if (typeof att['version'] !== 'number') return outcome('invalid', `${label} has no version`, p);
        unverifiable ??= `${label} is version ${String(att['version']).slice(0, 20)} (Airlock reads version 1)`;
        continue;
      }
      const bundle = toBundle(att);
      if (bundle instanceof Error) return outcome('invalid', `${label} is malformed: ${bundle.message}`, p);
      const result = verifyBundle(bundle, { trustedRoot: root });
      if (result.status === 'invalid') return outcome('invalid', `${label} does not verify: ${result.error}`, p);
      if (result.status === 'unsupported') {
        unverifiable ??= `${label} cannot be checked: ${result.error}`;
        continue;
      }
      if (result.signedAt > now.getTime() + MAX_SKEW_MS) {
        return outcome('invalid', `${label} was signed at ${new Date(result.signedAt).toISOString()}, later than this host's time (${now.toISOString()})`, p);
      }
      const statement = statementProblem(result, filename, canonical, served);
      if ('problem' in statement) return outcome('invalid', `${label} is not for this file: ${statement.problem}`, p);
      const mismatch = publisherMismatch(publisher, result.signer);
      if (mismatch !== null) return outcome('invalid', `${label} is not by its publisher (${publisher.facts.kind}): ${mismatch}`, p);
      p.verified.push(statement.predicateType);
      p.identity ??= identityOf(result);
    }
  }
  return unverifiable === null ? outcome('verified', null, p) : outcome('unverifiable', unverifiable, p);
}
