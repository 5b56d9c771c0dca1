/**
 * What one judgement of a version produced, and the fail-closed judgements the gate falls back
 * to when it cannot decide: a store failure or a broken fact collector blocks (never cached).
 */
import type { Reason, Verdict } from '../core/index.ts';
import type { PolicyOutcome } from '../policy/decide.ts';
import type { Facts, GateDecision, VersionCandidate } from './types.ts';

export const GATE_ERROR_RULE = 'airlock.gate_error';

export interface Judged {
  readonly decision: GateDecision;
  readonly outcome: PolicyOutcome;
  /** Every fact the policy saw. */
  readonly facts: Facts;
  /** epoch ms after which a cached copy must not be used. */
  readonly validUntil: number;
}

/** One version as `GateService.explain` judged it. */
export interface Explained {
  readonly candidate: VersionCandidate;
  /** The gate's decision (policy, then reviews and exceptions). */
  readonly decision: GateDecision;
  /** What the policy alone said, before reviews and exceptions. */
  readonly policyVerdict: Verdict;
  readonly policyHash: string;
  /** Every fact the policy saw: the adapter's and the collectors'. */
  readonly facts: Facts;
  readonly now: Date;
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function blocked(message: string): Verdict {
  const reason: Reason = { message, rule: GATE_ERROR_RULE };
  return { kind: 'block', reasons: [reason], warnings: [] };
}

function failed(message: string, err: unknown): GateDecision {
  return { verdict: blocked(message), source: 'policy', quarantineId: null, failure: { kind: 'gate', cause: text(err) } };
}

function failedWith(c: VersionCandidate, message: string, err: unknown, policyHash: string): Judged {
  const decision = failed(message, err);
  return { decision, outcome: { verdict: decision.verdict, policyHash, error: message }, facts: c.facts, validUntil: 0 };
}

export function gateErrorDecision(err: unknown): GateDecision {
  return failed(`the gate could not decide (fail closed): ${text(err)}`, err);
}

/** The gate could not read what it needs (exceptions, review state): block. */
export function failedJudgement(c: VersionCandidate, err: unknown, policyHash: string): Judged {
  return failedWith(c, `the gate could not decide (fail closed): ${text(err)}`, err, policyHash);
}

/** The collectors failed: the policy input would be incomplete, so block. */
export function incompleteJudgement(c: VersionCandidate, err: unknown, policyHash: string): Judged {
  return failedWith(c, `policy input incomplete (fail closed): ${text(err)}`, err, policyHash);
}
