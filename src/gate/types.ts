/**
 * The gate port: what ecosystem adapters ask before they serve anything. Adapters collect the
 * facts only they can know (from the packument, the tarball …) and hand them over; the gate adds
 * its own (signals, quarantine and exception state), evaluates the policy, records the decision
 * and opens quarantine records.
 */
import type { Ecosystem, Purl, Verdict } from '../core/index.ts';
import type { Json, RequestContext } from '../storage/ports/index.ts';
import type { ArchiveFile, ArchiveReadBounds, ReadArchiveFiles } from '../signals/install-scripts/hook-files.ts';

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

/**
 * How to get a package's listed versions for an artifact judgement (called only when needed).
 * Each version need carry only the facts in `HISTORY_FACTS`, the ones history-aware collectors
 * read: an adapter can keep that much for every package it knows without re-reading documents.
 */
export type ArtifactHistory = () => Promise<readonly VersionCandidate[]>;
export { HISTORY_FACTS } from '../signals/collectors/types.ts';

export interface VersionCandidate {
  readonly subject: Subject;
  readonly facts: Facts;
  /**
   * Optional: identifies the facts. Two candidates of the same subject with the same `factsKey`
   * must have equal facts (the npm adapter uses the digest of the upstream document they were
   * read from). Lets the gate key cached verdicts without digesting every version's facts.
   */
  readonly factsKey?: string;
  /**
   * Artifact phase: the artifact's content, for collectors that analyse files (e.g. the scripts
   * an install hook runs). Not part of `input.facts`; what collectors conclude from it is.
   */
  readonly content?: ArtifactContent;
  /**
   * Artifact phase: why the adapter could not read the artifact's content completely (a corrupt
   * archive, an unreadable manifest), so its facts are partial; null or absent when it could. The
   * gate then holds an allowed artifact for review (overrides.ts `holdUnread`).
   */
  readonly unread?: string | null;
}

/** Read access to the files of an artifact the adapter has fetched, verified and stored. */
export interface ArtifactContent {
  /**
   * The address of the bytes judged (`sha256:<hex>`, the blob store's). A quarantine opened on
   * them records it, and a reviewer's release of that quarantine covers these bytes only. A
   * pre-flight check (`explainArtifact`) of a file Airlock has not stored may name its bytes by
   * another digest the upstream gives (`git-sha1:<hex>`, a Hub file kept in git), which no
   * review's bytes are.
   */
  readonly digest: string;
  /** The artifact's bytes as stored (what reading its files walks). */
  readonly size: number;
  /**
   * The given package-relative files (`install.js`, `scripts/setup.sh`), each read up to
   * `maxBytesEach` and all together up to `maxTotalBytes`, with their whole size: a file with
   * fewer bytes than its size was cut. Files that do not exist, are not regular files or have
   * unsafe paths are absent from the result. Absent when the adapter reads no files for the
   * collectors (PyPI's: what a file runs is in its facts); those that need files then have none.
   */
  readonly readFiles?: ReadArchiveFiles;
}

/** A file of an artifact and the bounds of a read: the install-hook reader's own types, which it reads through. */
export type ArtifactFile = ArchiveFile;
export type ArtifactReadBounds = ArchiveReadBounds;

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
  /**
   * Set when the gate could not decide and the verdict is the fail-closed one. Such a decision
   * says nothing lasting about the version: it is never cached, kept in a view or compared with
   * what was served before.
   */
  readonly failure?: GateFailure;
}

export interface GateFailure {
  /**
   * `gate`: Airlock could not gather what the policy needs (its store or a fact collector
   * failed), so asking again later may succeed. `policy`: the policy failed on this input.
   */
  readonly kind: 'gate' | 'policy';
  /** What failed, in one line. */
  readonly cause: string;
}

export interface Gate {
  /**
   * Metadata phase: judge the listed versions of ONE package with cheap facts — every listed
   * version in one call, so collectors work per package (one store lookup per package, and
   * history-aware facts such as publisher changes see every version). Must be fast and cached
   * (keyed by policy hash, facts and review state); does not open quarantine records.
   */
  judgeVersions(
    candidates: readonly VersionCandidate[],
    request: RequestContext,
  ): Promise<ReadonlyMap<string, GateDecision>>;

  /**
   * Artifact phase: judge one artifact before its first byte is served, with content facts.
   * `history` is every listed version of the package with its `HISTORY_FACTS` (for
   * history-aware facts), produced by `history` only when the decision is not cached. Records
   * the decision, opens a quarantine record when the verdict is quarantine, and appends to the
   * audit trail. Fails closed: any error yields a block or quarantine, never an allow.
   */
  judgeArtifact(candidate: VersionCandidate, request: RequestContext, history?: ArtifactHistory): Promise<GateDecision>;

  /**
   * The upstream has no package by this name (it answered 404): the hallucination tripwire
   * records who asked. Never throws (a failure to record is logged, not served).
   */
  reportMissing(ecosystem: Ecosystem, name: string, request: RequestContext): Promise<void>;

  /**
   * Changes whenever a served view could change (policy reload, quarantine release/reject,
   * exception, feed import). Adapters fold it into ETags and caches of filtered metadata.
   */
  readonly generation: () => string;
}

/** What a collector is asked: facts for some versions of one package. */
export interface CollectRequest {
  readonly phase: 'metadata' | 'artifact';
  /** The versions to collect facts for, all of one package (same repo, ecosystem and name). */
  readonly candidates: readonly VersionCandidate[];
  /**
   * Every version of the package the adapter listed (the candidates included), for facts that
   * compare a version with the ones published before it. May be just the candidates.
   */
  readonly history: readonly VersionCandidate[];
  /** Who asked (artifact phase); null in the metadata phase, whose verdicts are shared. */
  readonly request: RequestContext | null;
  readonly now: Date;
}

/**
 * Gate-side fact collectors (signals: existence, age, popularity, feeds …). They run once per
 * package for the versions the gate has no cached verdict for; what they return is merged into
 * each version's `input.facts` next to the adapter's facts (a key both supply is an error,
 * which fails closed). A collector that throws fails the decision closed. When a collector's
 * knowledge changes (a feed import), call `GateService.invalidate()` so cached verdicts and
 * filtered metadata are recomputed.
 */
export interface FactCollector {
  /** Stable id, used in error reasons: `signals.malicious`. */
  readonly id: string;
  /** Facts for each candidate, in the order given. */
  collect(req: CollectRequest): Promise<readonly Facts[]>;
}
