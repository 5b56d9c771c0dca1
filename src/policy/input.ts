/**
 * The policy input document, version 1 (documented in docs/policy-input.md). Policies are
 * written against this shape, so changes are additive within a version; a breaking change
 * bumps `version`.
 */
import type { Ecosystem, Purl } from '../core/index.ts';
import type { DecisionPhase, Json, QuarantineState, Role } from '../storage/ports/index.ts';

export const POLICY_INPUT_VERSION = 1;

/** A proxy of an upstream registry, or a repository packages are published to (`hosted`). */
export type RepositoryKind = 'proxy' | 'hosted';

export interface PolicyInputArtifact {
  readonly ecosystem: Ecosystem;
  readonly repo: string;
  /** The kind of `repo`: a hosted repository's packages were published to this Airlock. */
  readonly repo_kind: RepositoryKind;
  readonly name: string;
  readonly version: string;
  readonly purl: Purl;
}

/** Present in the artifact phase only (metadata verdicts are shared by every requester). */
export interface PolicyInputRequest {
  readonly role: Role | null;
  readonly token_id: string | null;
  readonly user_agent: string | null;
  readonly agent: string | null;
  readonly ip: string | null;
}

/** What reviewers decided about this exact version, if anything. */
export interface PolicyInputReview {
  /** `none`, or the state of the newest quarantine record of this version. */
  readonly state: 'none' | QuarantineState;
  readonly quarantine_id: string | null;
  /** A release's expiry (RFC 3339), if it has one. */
  readonly expires_at: string | null;
  /** True when a release existed but has expired: the policy decides again. */
  readonly expired: boolean;
  /**
   * True when the record was opened for other bytes than the artifact judged now (the upstream
   * replaced it): a release of it does not cover these.
   */
  readonly other_content: boolean;
}

export interface PolicyInputException {
  readonly id: string;
  readonly version: string | null;
  readonly rules: readonly string[];
  readonly reason: string;
  readonly expires_at: string | null;
}

export interface PolicyInput {
  readonly version: typeof POLICY_INPUT_VERSION;
  readonly phase: DecisionPhase;
  /** Evaluation time, RFC 3339 UTC; use it instead of `time.now_ns()` so tests can pin it. */
  readonly now: string;
  readonly artifact: PolicyInputArtifact;
  readonly facts: { readonly [k: string]: Json };
  readonly request: PolicyInputRequest | null;
  readonly review: PolicyInputReview;
  readonly exceptions: readonly PolicyInputException[];
}

/** The input as JSON (for Rego conversion and for snapshots). */
export function inputToJson(input: PolicyInput): Json {
  return input as unknown as Json;
}
