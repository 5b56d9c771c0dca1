/**
 * How reviewers' decisions combine with the policy's verdict:
 *  - a rejected version is blocked whatever the policy says;
 *  - an unexpired release turns a quarantine into an allow (a deny still blocks: deny rules are
 *    for what must never be installed, e.g. known malware found after the release), for the
 *    content it was opened for: other bytes under the same version (an upstream that replaced
 *    the artifact) were never reviewed, and stay quarantined;
 *  - an expired release counts for nothing: the policy decides again;
 *  - an active exception waives the quarantine reasons whose rule it names (all of them when it
 *    names none); deny reasons are never waived.
 * Before them, an artifact the adapter could not read completely is held for review even when the
 * policy allows it (`holdUnread`): a reviewer may release it like any other quarantine.
 */
import type { Reason, Verdict } from '../core/index.ts';
import type { PolicyException } from '../storage/ports/index.ts';
import type { DecisionSource } from './types.ts';
import type { ReviewEntry } from './review-index.ts';

export interface OverrideResult {
  readonly verdict: Verdict;
  readonly source: DecisionSource;
  /** The review record that decided, if any. */
  readonly reviewId: string | null;
}

export const RULE_REJECTED = 'airlock.rejected';
export const RULE_RELEASED = 'airlock.released';
export const RULE_EXCEPTION = 'airlock.exception';
export const RULE_UNREAD = 'airlock.uninspectable';
export const RULE_OTHER_CONTENT = 'airlock.release_other_content';

/**
 * The policy's verdict on an artifact whose content could not be read completely (`why`): an
 * allow becomes a quarantine, since the facts it rests on are partial; a deny or a quarantine
 * stands as it is.
 */
export function holdUnread(policy: Verdict, why: string): Verdict {
  if (policy.kind !== 'allow') return policy;
  const reason: Reason = { message: `its content could not be inspected completely (${why.slice(0, 200)}); held for review whatever the policy allows`, rule: RULE_UNREAD };
  return { kind: 'quarantine', reasons: [reason], warnings: policy.warnings };
}

function by(entry: ReviewEntry): string {
  const who = entry.decidedBy === null ? '' : ` by ${entry.decidedBy}`;
  const why = entry.decisionReason === null || entry.decisionReason === '' ? '' : `: ${entry.decisionReason}`;
  return `${who}${why}`;
}

export function isActiveRelease(entry: ReviewEntry | null, now: Date): boolean {
  return entry !== null && entry.state === 'released' && (entry.expiresAt === null || entry.expiresAt.getTime() > now.getTime());
}

/**
 * Whether the review was of other bytes than `content`, the artifact judged now (null when none
 * is: the metadata phase). A record opened without content covers the version whatever its bytes.
 */
export function isForOtherContent(entry: ReviewEntry | null, content: string | null): boolean {
  return entry !== null && entry.contentDigest !== null && content !== null && entry.contentDigest !== content;
}

/** The first hex digits of a content address, enough to tell two apart in a message. */
function short(digest: string): string {
  return digest.slice(0, digest.indexOf(':') + 17);
}

export function applyOverrides(
  policy: Verdict,
  review: ReviewEntry | null,
  exceptions: readonly PolicyException[],
  now: Date,
  content: string | null = null,
): OverrideResult {
  if (review !== null && review.state === 'rejected') {
    const reason: Reason = { message: `rejected by a reviewer${by(review)} (quarantine ${review.id})`, rule: RULE_REJECTED };
    return { verdict: { kind: 'block', reasons: [reason], warnings: policy.warnings }, source: 'rejection', reviewId: review.id };
  }
  if (policy.kind !== 'quarantine') return { verdict: policy, source: 'policy', reviewId: null };

  const released = review !== null && isActiveRelease(review, now);
  if (released && !isForOtherContent(review, content)) {
    const until = review.expiresAt === null ? '' : ` until ${review.expiresAt.toISOString()}`;
    const note: Reason = {
      message: `released${by(review)}${until} (quarantine ${review.id}); policy said: ${policy.reasons.map((r) => r.message).join('; ')}`,
      rule: RULE_RELEASED,
    };
    return { verdict: { kind: 'allow', warnings: [...policy.warnings, note] }, source: 'release', reviewId: review.id };
  }

  const result = waive(policy, exceptions);
  if (!released || result.verdict.kind !== 'quarantine') return result;
  // A release of other bytes: these stay held, and the reviewer is told why a release did not do.
  const reason: Reason = {
    message: `its bytes (${short(content ?? '')}…) are not the ones released as quarantine ${review.id} (${short(review.contentDigest ?? '')}…), and these have not been reviewed (the upstream replaced them, or they are another file of the version)`,
    rule: RULE_OTHER_CONTENT,
  };
  return { ...result, verdict: { ...result.verdict, reasons: [...result.verdict.reasons, reason] } };
}

/** Exceptions waive the quarantine reasons whose rules they name (every one when they name none). */
function waive(policy: Extract<Verdict, { kind: 'quarantine' }>, exceptions: readonly PolicyException[]): OverrideResult {
  if (exceptions.length > 0) {
    const waivesAll = exceptions.some((e) => e.rules.length === 0);
    const waived = new Set(exceptions.flatMap((e) => e.rules));
    const remaining = waivesAll ? [] : policy.reasons.filter((r) => r.rule === undefined || !waived.has(r.rule));
    if (remaining.length === 0) {
      const ids = exceptions.map((e) => e.id).join(', ');
      const note: Reason = {
        message: `allowed by exception ${ids}; policy said: ${policy.reasons.map((r) => r.message).join('; ')}`,
        rule: RULE_EXCEPTION,
      };
      return { verdict: { kind: 'allow', warnings: [...policy.warnings, note] }, source: 'exception', reviewId: null };
    }
    if (remaining.length < policy.reasons.length) {
      return { verdict: { kind: 'quarantine', reasons: remaining, warnings: policy.warnings }, source: 'policy', reviewId: null };
    }
  }
  return { verdict: policy, source: 'policy', reviewId: null };
}
