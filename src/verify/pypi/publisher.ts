/**
 * The Trusted Publisher a PEP 740 attestation bundle names, and whether a verified signing
 * certificate is that publisher's. The index says who published the file (`publisher`); the
 * certificate says who signed (Fulcio's identity extensions): for GitHub and GitLab publishers they
 * must agree, as pypi-attestations checks them — the OIDC issuer, the source repository, and the
 * workflow the certificate's build config URI names (`https://github.com/<repository>/.github/workflows/<workflow>@<ref>`,
 * the SAN when the certificate has no build config URI; with a reusable workflow the SAN names
 * the called workflow, the build config URI the caller, which is what a publisher registers).
 * Repository names compare without case (GitHub's and GitLab's do); workflow file names exactly.
 * A Google publisher is its service account: the SAN is its e-mail address, issued by Google.
 * Other publisher kinds (ActiveState …) are reported, not checked.
 */
import { isPlainObject } from '../../core/index.ts';
import type { Signer } from '../sigstore/index.ts';

/** A type, not an interface: it goes into the policy's facts as it is (JSON). */
export type PypiPublisherFacts = {
  /** `GitHub`, `GitLab`, `Google`, `ActiveState` … as the index says. */
  readonly kind: string | null;
  /** `owner/name` (GitHub), `namespace/project` (GitLab). */
  readonly repository: string | null;
  /** The workflow file: GitHub's `workflow`, GitLab's `workflow_filepath`. */
  readonly workflow: string | null;
  readonly environment: string | null;
};

const MAX_FIELD = 512;
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const GITLAB_ISSUER = 'https://gitlab.com';
const GOOGLE_ISSUER = 'https://accounts.google.com';

/** The publisher's facts, and what else checking its identity needs (a Google publisher's e-mail address). */
export interface Publisher {
  readonly facts: PypiPublisherFacts;
  readonly email: string | null;
}

function field(o: Readonly<Record<string, unknown>>, key: string, path: string): string | null | Error {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > MAX_FIELD) return new Error(`${path}.${key} is not a string of at most ${MAX_FIELD} characters`);
  return v;
}

/** The bundle's `publisher` (required by PEP 740; PyPI's lack the spec's `claims`, which is not needed). */
export function parsePublisher(v: unknown, path: string): Publisher | Error {
  if (!isPlainObject(v)) return new Error(`${path} is not an object`);
  const kind = field(v, 'kind', path);
  if (kind instanceof Error) return kind;
  if (kind === null || kind === '') return new Error(`${path} has no kind`);
  const repository = field(v, 'repository', path);
  const workflow = field(v, kind === 'GitLab' ? 'workflow_filepath' : 'workflow', path);
  const environment = field(v, 'environment', path);
  if (repository instanceof Error) return repository;
  if (workflow instanceof Error) return workflow;
  if (environment instanceof Error) return environment;
  const email = field(v, 'email', path);
  if (email instanceof Error) return email;
  if ((kind === 'GitHub' || kind === 'GitLab') && (!repository || !workflow)) return new Error(`${path} is a ${kind} publisher without its repository and workflow`);
  if (kind === 'Google' && !email) return new Error(`${path} is a Google publisher without its e-mail address`);
  return { facts: { kind, repository, workflow, environment }, email };
}

/** `<prefix><repository><separator><workflow>@<ref>`, the repository without case; the ref must be the certificate's when it names one. */
function workflowMatches(uri: string, prefix: string, repository: string, separator: string, workflow: string, refs: readonly string[]): boolean {
  const expected = `${prefix}${repository}${separator}${workflow}@`;
  if (uri.length <= expected.length) return false;
  const head = uri.slice(0, expected.length);
  if (head.slice(0, prefix.length + repository.length).toLowerCase() !== `${prefix}${repository}`.toLowerCase()) return false;
  if (head.slice(prefix.length + repository.length) !== `${separator}${workflow}@`) return false;
  const ref = uri.slice(expected.length);
  return refs.length === 0 || refs.includes(ref);
}

/** Why the certificate `signer` is not the publisher's, or null when it is (or the kind is not checked). */
export function publisherMismatch({ facts: publisher, email }: Publisher, signer: Signer): string | null {
  if (publisher.kind === 'Google') {
    if (signer.kind !== 'certificate') return 'it is signed with a key, not a certificate for the publisher';
    if (signer.issuer !== GOOGLE_ISSUER) return `the certificate was issued by ${JSON.stringify((signer.issuer ?? '(no issuer)').slice(0, 200))}, not ${GOOGLE_ISSUER} as a Google publisher's is`;
    if (signer.subjectAlternativeName !== email) return `the certificate is for ${JSON.stringify((signer.subjectAlternativeName ?? '(no name)').slice(0, 200))}, not the publisher's ${email ?? ''}`;
    return null;
  }
  const host = publisher.kind === 'GitHub' ? { issuer: GITHUB_ISSUER, prefix: 'https://github.com/', separator: '/.github/workflows/' } : publisher.kind === 'GitLab' ? { issuer: GITLAB_ISSUER, prefix: 'https://gitlab.com/', separator: '//' } : null;
  if (host === null) return null;
  if (signer.kind !== 'certificate') return 'it is signed with a key, not a certificate for the publisher';
  const repository = publisher.repository ?? '';
  const workflow = publisher.workflow ?? '';
  const ext = signer.extensions;
  if (signer.issuer !== host.issuer) return `the certificate was issued by ${JSON.stringify((signer.issuer ?? '(no issuer)').slice(0, 200))}, not ${host.issuer} as a ${publisher.kind} publisher's is`;
  const source = ext['sourceRepositoryUri'];
  if (source === undefined || source.toLowerCase() !== `${host.prefix}${repository}`.toLowerCase()) {
    return `the certificate's source repository is ${source === undefined ? '(none)' : JSON.stringify(source.slice(0, 200))}, not the publisher's ${host.prefix}${repository}`;
  }
  const uri = ext['buildConfigUri'] ?? signer.subjectAlternativeName ?? '';
  const refs = [ext['sourceRepositoryRef'], ext['sourceRepositoryDigest']].filter((r): r is string => r !== undefined);
  if (!workflowMatches(uri, host.prefix, repository, host.separator, workflow, refs)) {
    return `the certificate's workflow is ${JSON.stringify(uri.slice(0, 300))}, not the publisher's ${workflow} in ${repository}`;
  }
  return null;
}
