/**
 * The gate port: what ecosystem adapters ask before they serve anything. Adapters collect the
 * facts only they can know (from the packument, the tarball …) and hand them over; the gate adds
 * its own (signals, quarantine and exception state), evaluates the policy, records the decision
 * and opens quarantine records.
 */
import type { Ecosystem, Purl, Verdict } from '../core/index.ts';
import type { Json, RequestContext } from '../storage/ports/index.ts';

export interface Subject {
  readonly repo: string;
  readonly ecosystem: Ecosystem;
  /** The ecosystem's own spelling: `@scope/name`, a PEP 503 name, `org/model`. */
  readonly name: string;
  readonly version: string;
  readonly purl: Purl;
}

/** Facts as an ecosystem adapter supplies them; they appear under `input.facts`. */
export type Facts = { readonly [key: string]: Json };

export interface VersionCandidate {
  readonly subject: Subject;
  readonly facts: Facts;
}

export type DecisionSource =
  /** the policy decided */
  | 'policy'
  /** a reviewer released the quarantine record (not expired) */
  | 'release'
  /** a reviewer rejected the quarantine record */
  | 'rejection'
  /** an active policy exception waived every quarantine reason */
  | 'exception';

export interface GateDecision {
  readonly verdict: Verdict;
  readonly source: DecisionSource;
  /** Set when the verdict is quarantine (the open record) or came from a review. */
  readonly quarantineId: string | null;
}

export interface Gate {
  /**
   * Metadata phase: judge every listed version of one package with cheap facts. Must be fast
   * and cached (keyed by policy hash, facts and review state); does not open quarantine records.
   */
  judgeVersions(
    candidates: readonly VersionCandidate[],
    request: RequestContext,
  ): Promise<ReadonlyMap<string, GateDecision>>;

  /**
   * Artifact phase: judge one artifact before its first byte is served, with content facts.
   * Records the decision, opens a quarantine record when the verdict is quarantine, and appends
   * to the audit trail. Fails closed: any error yields a block or quarantine, never an allow.
   */
  judgeArtifact(candidate: VersionCandidate, request: RequestContext): Promise<GateDecision>;

  /**
   * Changes whenever a served view could change (policy reload, quarantine release/reject,
   * exception, feed import). Adapters fold it into ETags and caches of filtered metadata.
   */
  readonly generation: () => string;
}

/**
 * Gate-side fact collectors (signals: existence, age, popularity, feeds …). They run when the gate
 * has no cached verdict for a version; what they return is merged into `input.facts` next to the
 * adapter's facts (a key both supply is an error, which fails closed). A collector that throws
 * fails the decision closed. When a collector's knowledge changes (a feed import), call
 * `GateControl.invalidate()` so cached verdicts and filtered metadata are recomputed.
 */
export interface FactCollector {
  /** Stable id, used in error reasons: `signals.existence`. */
  readonly id: string;
  collect(
    subject: Subject,
    phase: 'metadata' | 'artifact',
    facts: Facts,
    request: RequestContext | null,
  ): Facts | Promise<Facts>;
}
