/**
 * npm attestations, checked in the artifact phase as `npm audit signatures` checks them: a version
 * whose metadata lists `dist.attestations` has Sigstore bundles at
 * `/-/npm/v1/attestations/<name>@<version>` — the registry's publish attestation (signed with the
 * registry's key) and, when it was built in CI with provenance, its SLSA provenance (keyless: a
 * short-lived certificate for the CI workflow, logged in Rekor). Each bundle must verify against
 * the repository's trust (Sigstore's trusted root, the registry's attestation keys) and attest
 * this very tarball: its purl and the sha512 of the bytes Airlock verified and stored. The
 * document is upstream data: size-capped, the entries counted, every failure named.
 */
import { isPlainObject, type NpmPackageName, type PlainObject } from '../../core/index.ts';
import { parseInTotoStatement, verifyBundle, type AttestationStatus, type BundleVerification, type KeyForHint, type TrustedRoot, type RegistryKeySet } from '../../verify/index.ts';


/** A type, not an interface: it goes into the policy's facts as it is (JSON). */
export type ProvenanceFacts = {
  readonly predicate_type: string;
  /** The certificate's identity: the CI workflow (a URI) or an e-mail address. */
  readonly subject_alternative_name: string | null;
  /** The OIDC issuer that vouched for it (`https://token.actions.githubusercontent.com` for GitHub Actions). */
  readonly issuer: string | null;
  readonly source_repository: string | null;
  readonly source_ref: string | null;
  readonly source_digest: string | null;
  readonly build_trigger: string | null;
  readonly build_config: string | null;
  readonly runner_environment: string | null;
  readonly run_invocation: string | null;
  /** When the transparency log recorded the signature (RFC 3339). */
  readonly signed_at: string;
};

export type AttestationCheck = {
  /**
   * `verified`: every attestation verifies and attests this tarball; `invalid`: one does not (a
   * signature, certificate, log entry or subject fails); `unverifiable`: the metadata lists
   * attestations but they could not be checked (the upstream did not serve them, or a bundle is
   * of a kind Airlock does not verify); `absent`: the metadata lists none.
   */
  readonly status: AttestationStatus;
  readonly error: string | null;
  /** Attestations the upstream served (at most 16 are read). */
  readonly count: number;
  /** The predicate types of those verified. */
  readonly verified: readonly string[];
  /** The SLSA provenance, once verified. */
  readonly provenance: ProvenanceFacts | null;
};

export interface AttestationTrust {
  readonly root: TrustedRoot;
  readonly keys: RegistryKeySet;
}

/** The attestation document's bytes, or why there are none (the upstream failed or refused). */
export type AttestationDocument = { readonly bytes: Buffer } | { readonly error: string };

const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
const MAX_ATTESTATIONS = 16;
const MAX_PREDICATE_TYPE = 512;
const SLSA_PROVENANCE = /^https:\/\/slsa\.dev\/provenance\/v/;

export const NO_ATTESTATIONS: AttestationCheck = Object.freeze({ status: 'absent', error: null, count: 0, verified: [], provenance: null });

/** Whether the version's `dist` lists attestations (then the document must be fetched and checked). */
export function listsAttestations(dist: PlainObject): boolean {
  const att = dist['attestations'];
  return isPlainObject(att) && typeof att['url'] === 'string';
}

function outcome(status: AttestationStatus, error: string | null, count: number, verified: readonly string[] = [], provenance: ProvenanceFacts | null = null): AttestationCheck {
  return { status, error, count, verified, provenance };
}

/** Purls a subject may name this version by: npm's own (`%40scope/name@<version as published>`) and the canonical one. */
function purlsOf(name: NpmPackageName, version: string, canonical: string): ReadonlySet<string> {
  return new Set([`pkg:npm/${name.replace(/^@/, '%40')}@${version}`, canonical]);
}

function keyLookup(keys: RegistryKeySet): (hint: string) => KeyForHint | null {
  return (hint) => {
    const k = keys.get(hint)?.[0];
    return k === undefined ? null : { key: k.key, validFrom: k.validFrom, validUntil: k.validUntil };
  };
}

function provenanceOf(predicateType: string, v: Extract<BundleVerification, { status: 'verified' }>): ProvenanceFacts {
  const cert = v.signer.kind === 'certificate' ? v.signer : null;
  const ext = (k: string): string | null => cert?.extensions[k] ?? null;
  return {
    predicate_type: predicateType,
    subject_alternative_name: cert?.subjectAlternativeName ?? null,
    issuer: cert?.issuer ?? null,
    source_repository: ext('sourceRepositoryUri'),
    source_ref: ext('sourceRepositoryRef'),
    source_digest: ext('sourceRepositoryDigest'),
    build_trigger: ext('buildTrigger'),
    build_config: ext('buildConfigUri'),
    runner_environment: ext('runnerEnvironment'),
    run_invocation: ext('runInvocationUri'),
    signed_at: new Date(v.signedAt).toISOString(),
  };
}

/** Why one verified bundle does not attest this tarball, or null when it does. */
function subjectProblem(v: Extract<BundleVerification, { status: 'verified' }>, predicateType: string, purls: ReadonlySet<string>, sha512: string): string | null {
  if (v.dsse === null) return 'it is not a DSSE envelope (an npm attestation is an in-toto statement)';
  let statement;
  try {
    statement = parseInTotoStatement(v.dsse.payloadType, v.dsse.payload);
  } catch (err) {
    return `its statement is unreadable (${(err as Error).message})`;
  }
  if (statement.predicateType !== predicateType) return `it is listed as ${predicateType} but its statement is ${statement.predicateType.slice(0, MAX_PREDICATE_TYPE)}`;
  const ours = statement.subjects.find((s) => purls.has(s.name));
  if (ours === undefined) return `it attests ${statement.subjects.map((s) => s.name.slice(0, 200)).join(', ') || 'nothing'}, not ${[...purls][0]}`;
  const digest = ours.digest['sha512'];
  if (digest?.toLowerCase() !== sha512) return `it attests a tarball with sha512 ${digest === undefined ? '(none)' : digest.slice(0, 128)}, not the one served (sha512 ${sha512})`;
  return null;
}

/**
 * Checks the attestation document of `name@version` against the tarball verified as `sha512`
 * (hex). `canonicalPurl` is Airlock's purl of the version.
 */
export function checkAttestations(name: NpmPackageName, version: string, canonicalPurl: string, sha512: string, doc: AttestationDocument, trust: AttestationTrust): AttestationCheck {
  if ('error' in doc) return outcome('unverifiable', `the upstream did not serve its attestations (${doc.error})`, 0);
  if (doc.bytes.length > MAX_DOCUMENT_BYTES) return outcome('unverifiable', `its attestation document is larger than ${MAX_DOCUMENT_BYTES} bytes`, 0);
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc.bytes.toString('utf8'));
  } catch {
    return outcome('invalid', 'its attestation document is not JSON', 0);
  }
  const list = isPlainObject(parsed) ? parsed['attestations'] : undefined;
  if (!Array.isArray(list)) return outcome('invalid', 'its attestation document has no "attestations" list', 0);
  const count = list.length;
  if (count === 0) return outcome('invalid', 'the metadata lists attestations but the upstream serves none', 0);
  if (count > MAX_ATTESTATIONS) return outcome('invalid', `its attestation document lists ${count} attestations (at most ${MAX_ATTESTATIONS} are read)`, count);
  const purls = purlsOf(name, version, canonicalPurl);
  const options = { trustedRoot: trust.root, keyForHint: keyLookup(trust.keys) };
  const verified: string[] = [];
  let provenance: ProvenanceFacts | null = null;
  let unverifiable: string | null = null;
  for (const [i, entry] of list.entries()) {
    const e: PlainObject = isPlainObject(entry) ? entry : {};
    const predicateType = e['predicateType'];
    if (typeof predicateType !== 'string' || predicateType === '' || predicateType.length > MAX_PREDICATE_TYPE) return outcome('invalid', `attestation ${i} has no predicate type`, count, verified);
    const label = `the ${predicateType} attestation`;
    const result = verifyBundle(e['bundle'], options);
    if (result.status === 'invalid') return outcome('invalid', `${label} does not verify: ${result.error}`, count, verified);
    if (result.status === 'unsupported') {
      unverifiable ??= `${label} cannot be checked: ${result.error}`;
      continue;
    }
    const problem = subjectProblem(result, predicateType, purls, sha512);
    if (problem !== null) return outcome('invalid', `${label} is not for this tarball: ${problem}`, count, verified);
    verified.push(predicateType);
    if (SLSA_PROVENANCE.test(predicateType)) provenance = provenanceOf(predicateType, result);
  }
  return unverifiable === null ? outcome('verified', null, count, verified, provenance) : outcome('unverifiable', unverifiable, count, verified, provenance);
}
