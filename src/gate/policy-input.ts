/** Builds the versioned policy input document from what the gate knows about one version. */
import type { PolicyException, RequestContext } from '../storage/ports/index.ts';
import {
  POLICY_INPUT_VERSION,
  type PolicyInput,
  type PolicyInputException,
  type PolicyInputReview,
  type RepositoryKind,
} from '../policy/input.ts';
import type { Facts, Subject } from './types.ts';
import type { ReviewEntry } from './review-index.ts';
import { isForOtherContent } from './overrides.ts';

/** The review state as the policy sees it; `content` is the artifact judged now (null: none). */
export function reviewInput(entry: ReviewEntry | null, now: Date, content: string | null = null): PolicyInputReview {
  if (entry === null) return { state: 'none', quarantine_id: null, expires_at: null, expired: false, other_content: false };
  const expired = entry.state === 'released' && entry.expiresAt !== null && entry.expiresAt.getTime() <= now.getTime();
  return {
    state: entry.state,
    quarantine_id: entry.id,
    expires_at: entry.expiresAt?.toISOString() ?? null,
    expired,
    other_content: isForOtherContent(entry, content),
  };
}

export function exceptionsFor(subject: Subject, all: readonly PolicyException[]): PolicyException[] {
  return all.filter((e) => e.version === null || e.version === subject.version);
}

function exceptionInput(e: PolicyException): PolicyInputException {
  return { id: e.id, version: e.version, rules: e.rules, reason: e.reason, expires_at: e.expiresAt?.toISOString() ?? null };
}

export function buildPolicyInput(args: {
  readonly phase: 'metadata' | 'artifact';
  readonly subject: Subject;
  readonly repoKind: RepositoryKind;
  readonly facts: Facts;
  readonly request: RequestContext | null;
  readonly review: PolicyInputReview;
  readonly exceptions: readonly PolicyException[];
  readonly now: Date;
}): PolicyInput {
  const { subject, request } = args;
  return {
    version: POLICY_INPUT_VERSION,
    phase: args.phase,
    now: args.now.toISOString(),
    artifact: {
      ecosystem: subject.ecosystem,
      repo: subject.repo,
      repo_kind: args.repoKind,
      name: subject.name,
      version: subject.version,
      purl: subject.purl,
    },
    facts: args.facts,
    request:
      request === null
        ? null
        : {
            role: request.role ?? null,
            token_id: request.tokenId,
            user_agent: request.userAgent,
            agent: request.agent,
            ip: request.ip,
          },
    review: args.review,
    exceptions: args.exceptions.map(exceptionInput),
  };
}
