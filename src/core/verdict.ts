import { assertNever } from './errors.ts';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** A fact-level observation produced by an analyzer (scanner, signal collector, verifier). */
export interface Finding {
  /** Which analyzer produced it, e.g. `scan.pickle`, `signals.lookalike`. */
  readonly analyzer: string;
  /** Stable rule id, e.g. `pickle.callable.os.system`. */
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
}

/**
 * One reason produced by the policy: an entry of `data.airlock.deny`, `.quarantine` or `.warn`.
 * Policies may produce plain strings (→ `{message}`) or objects with `msg`/`message` and more.
 */
export interface Reason {
  readonly message: string;
  /** Rule or policy id when the policy supplied one (`id`, `rule` or `policy` field). */
  readonly rule?: string;
  /** Any further fields the policy put in the object, JSON-safe. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export type VerdictKind = 'allow' | 'quarantine' | 'block';

export type Verdict =
  | { readonly kind: 'allow'; readonly warnings: readonly Reason[] }
  | { readonly kind: 'quarantine'; readonly reasons: readonly Reason[]; readonly warnings: readonly Reason[] }
  | { readonly kind: 'block'; readonly reasons: readonly Reason[]; readonly warnings: readonly Reason[] };

/** Deny wins, then quarantine, else allow. */
export function combineVerdict(
  deny: readonly Reason[],
  quarantine: readonly Reason[],
  warn: readonly Reason[],
): Verdict {
  if (deny.length > 0) return { kind: 'block', reasons: deny, warnings: warn };
  if (quarantine.length > 0) return { kind: 'quarantine', reasons: quarantine, warnings: warn };
  return { kind: 'allow', warnings: warn };
}

export function verdictReasons(v: Verdict): readonly Reason[] {
  switch (v.kind) {
    case 'allow':
      return [];
    case 'quarantine':
    case 'block':
      return v.reasons;
    default:
      return assertNever(v, 'verdict');
  }
}
