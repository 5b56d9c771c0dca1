/**
 * PEP 740 provenance objects for test files, signed by the test's own Sigstore
 * (../sigstore-pki.ts): a real in-toto statement about the file, a real DSSE signature, the
 * deployment's certificate and log entry, in PyPI's JSON shape (pypi.md §7) — what PyPI's
 * Integrity API serves at `/integrity/<project>/<version>/<filename>/provenance`.
 *
 * The test log is Rekor v2-style: its entries carry no integrated time, so the signing time comes
 * from the RFC 3161 timestamp, which PyPI's v1 shape has no field for. It goes where the proposal
 * for Rekor v2 puts it (packaging.python.org PR 1936): `verification_material.timestamps`, a list
 * of base64 `TimeStampResp`s. PyPI's objects today have no such field (their entries are Rekor v1
 * ones with an integrated time).
 */
import { createHash } from 'node:crypto';
import type { TestSigstore } from '../sigstore-pki.ts';

export const PYPI_PUBLISH_V1 = 'https://docs.pypi.org/attestations/publish/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/** The publisher matching sigstore-pki's `WORKFLOW` (the identity its certificates carry). */
export const TEST_PUBLISHER = Object.freeze({ kind: 'GitHub', repository: 'acme/widget', workflow: 'release.yml', environment: null });

export interface PypiProvenanceOptions {
  /** Default: PyPI's publish attestation (predicate null); the SLSA type gets a small build predicate. */
  readonly predicateType?: string;
  /** The bundle's `publisher` as the index would list it; default TEST_PUBLISHER. */
  readonly publisher?: Readonly<Record<string, string | null>>;
  /** The statement's subject name; default the file's name. */
  readonly subjectName?: string;
  /** The statement's subject digest; default the sha256 of the file's bytes. */
  readonly subjectSha256?: string;
}

function predicateFor(type: string): unknown {
  if (type !== SLSA_PROVENANCE_V1) return null;
  return {
    buildDefinition: {
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: { workflow: { ref: 'refs/heads/main', repository: 'https://github.com/acme/widget', path: '.github/workflows/release.yml' } },
      internalParameters: { github: { event_name: 'push', repository_id: '1', repository_owner_id: '1' } },
      resolvedDependencies: [],
    },
    runDetails: { builder: { id: 'https://github.com/actions/runner/github-hosted' }, metadata: { invocationId: 'https://github.com/acme/widget/actions/runs/1/attempts/1' } },
  };
}

/** One attestation (PEP 740 attestation object) of `file`, signed now. */
export function pypiAttestation(sigstore: TestSigstore, file: { readonly filename: string; readonly bytes: Uint8Array }, options: PypiProvenanceOptions = {}): Record<string, unknown> {
  const predicateType = options.predicateType ?? PYPI_PUBLISH_V1;
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: options.subjectName ?? file.filename, digest: { sha256: options.subjectSha256 ?? createHash('sha256').update(file.bytes).digest('hex') } }],
    predicateType,
    predicate: predicateFor(predicateType),
  };
  const { bundle } = sigstore.dsseBundle(statement);
  const material = bundle['verificationMaterial'] as { certificate: { rawBytes: string }; tlogEntries: unknown[]; timestampVerificationData?: { rfc3161Timestamps: { signedTimestamp: string }[] } };
  const envelope = bundle['dsseEnvelope'] as { payload: string; signatures: { sig: string }[] };
  const timestamps = material.timestampVerificationData?.rfc3161Timestamps.map((t) => t.signedTimestamp) ?? [];
  return {
    version: 1,
    verification_material: { certificate: material.certificate.rawBytes, transparency_entries: material.tlogEntries, ...(timestamps.length > 0 ? { timestamps } : {}) },
    envelope: { statement: envelope.payload, signature: envelope.signatures[0]?.sig },
  };
}

/** A provenance object with one bundle holding one attestation of `file`, as bytes (what the index serves). */
export function pypiProvenance(sigstore: TestSigstore, file: { readonly filename: string; readonly bytes: Uint8Array }, options: PypiProvenanceOptions = {}): Buffer {
  return Buffer.from(JSON.stringify({ version: 1, attestation_bundles: [{ publisher: options.publisher ?? TEST_PUBLISHER, attestations: [pypiAttestation(sigstore, file, options)] }] }));
}
