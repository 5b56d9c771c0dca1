/**
 * What the pre-flight check answers (`CheckResult`, as `/-/api/check` and `airlock check --format
 * json` serialise it, and the MCP tools condense it), and how a judgement becomes one: a version's
 * verdict with its rules, reasons, facts and policy; a range's resolution (the version an install
 * of it gets, and the newest satisfying one when that is held); a reference's verdict as the
 * strictest of it and its parts.
 */
import type { Ecosystem, Reason, VerdictKind } from '../core/index.ts';
import type { CheckTarget } from './check-service.ts';
import type { RangeCheck } from './check-range.ts';
import type { Explained } from './gate-service.ts';
import type { ListedDistribution, ReferenceCheck, ReferencePart } from './package-sources.ts';
import type { DecisionSource, Facts } from './types.ts';

export type CheckStatus =
  /** The version was judged. */
  | 'judged'
  /** The upstream has no package by this name. */
  | 'package-not-found'
  /** The package exists but not this version (or no `latest`). */
  | 'version-not-found'
  /** The version is listed but its metadata is unusable: it is never served. */
  | 'unusable'
  /** The package could not be looked up (upstream down, bad metadata …). */
  | 'error';

export interface CheckResult {
  readonly ecosystem: Ecosystem;
  readonly repo: string | null;
  readonly name: string;
  /** The version, or the range, asked for (null: latest). */
  readonly requested: string | null;
  /** The version judged. */
  readonly version: string | null;
  readonly purl: string | null;
  readonly status: CheckStatus;
  /** Why there is no verdict (status other than `judged`). */
  readonly message: string | null;
  /** The gate's verdict: policy, then reviews and exceptions. */
  readonly verdict: VerdictKind | null;
  readonly source: DecisionSource | null;
  readonly quarantineId: string | null;
  /** Rule ids of the reasons that decided (deny rules for a block, quarantine rules for a quarantine). */
  readonly decidedBy: readonly string[];
  readonly reasons: readonly Reason[];
  readonly warnings: readonly Reason[];
  /** What the policy alone said. */
  readonly policy: { readonly verdict: VerdictKind; readonly reasons: readonly Reason[]; readonly hash: string } | null;
  /** Every fact the policy saw. */
  readonly facts: Facts | null;
  /** Without a version: the version `latest` resolves to through Airlock (withheld versions hidden); with a range, the version it resolves to through Airlock. */
  readonly resolvesTo: string | null;
  /** With a range: how it resolved (else null). */
  readonly range: RangeResolution | null;
  /** The files the upstream lists for the version with their sha256, where the ecosystem's listing names them (PyPI); else null. */
  readonly distributions: readonly ListedDistribution[] | null;
  /** The phase judged: the metadata phase, or for an image, the artifact phase a pull is judged in (its signatures included). */
  readonly phase: 'metadata' | 'artifact';
  /** What a download brings that is judged on its own and was not judged by the check, where the source says (an image's model layers, the bytes of a Hub commit's files); else null. */
  readonly notJudged: string | null;
  /**
   * What a download of it brings that is judged on its own too (a multi-platform image's
   * platform images, a Hub commit's files), each with its verdict; the verdict above is the
   * strictest of all. Else null.
   */
  readonly parts: readonly CheckPart[] | null;
  readonly evaluatedAt: string;
}

/**
 * How a range resolved: the version judged is the one an install of it gets through Airlock (the
 * newest satisfying version the gate allows; npm's `latest` first when it satisfies the range), or,
 * when the gate allows none, the newest satisfying version.
 */
export interface RangeResolution {
  readonly range: string;
  /** Listed versions satisfying it. */
  readonly satisfying: number;
  /** The newest satisfying version and its verdict, when it is not the version judged (it is held, or npm's `latest` is older). */
  readonly newest: Omit<CheckPart, 'label' | 'notJudged' | 'facts'> | null;
}

/** One part of what was checked (see `CheckResult.parts`), judged on its own. */
export interface CheckPart {
  /** What it is (`linux/arm64`, a file's path). */
  readonly label: string;
  /** What of it was not judged by the check and is when it is downloaded (a file's bytes, scanned then); else null. */
  readonly notJudged: string | null;
  /** The facts the policy saw for it that are not the result's own (a file's `model_file`, `model_scan`, `model_signature`; a platform image's `image`). */
  readonly facts: Facts;
  readonly version: string;
  readonly purl: string;
  readonly verdict: VerdictKind;
  readonly source: DecisionSource;
  readonly quarantineId: string | null;
  readonly decidedBy: readonly string[];
  readonly reasons: readonly Reason[];
  readonly warnings: readonly Reason[];
}

function rulesOf(reasons: readonly Reason[]): string[] {
  return [...new Set(reasons.map((r) => r.rule ?? '(no rule id)'))];
}

/** A result with nothing judged yet: what was asked, and when. */
export function baseResult(t: CheckTarget, repo: string | null, now: Date): Omit<CheckResult, 'status' | 'message'> {
  return {
    ecosystem: t.ecosystem,
    repo,
    name: t.name,
    requested: t.range ?? t.version,
    version: null,
    purl: null,
    verdict: null,
    source: null,
    quarantineId: null,
    decidedBy: [],
    reasons: [],
    warnings: [],
    policy: null,
    facts: null,
    resolvesTo: null,
    range: null,
    distributions: null,
    phase: 'metadata',
    notJudged: null,
    parts: null,
    evaluatedAt: now.toISOString(),
  };
}

/** What a judgement says of the version judged: the verdict, where it came from, its reasons and rules. */
function verdictOf(e: Explained): Omit<CheckPart, 'label' | 'notJudged' | 'facts'> {
  const v = e.decision.verdict;
  const reasons = v.kind === 'allow' ? [] : v.reasons;
  return {
    version: e.candidate.subject.version,
    purl: e.candidate.subject.purl,
    verdict: v.kind,
    source: e.decision.source,
    quarantineId: e.decision.quarantineId,
    decidedBy: rulesOf(reasons),
    reasons,
    warnings: v.warnings,
  };
}

/** A version judged (`resolvesTo`: see `CheckResult.resolvesTo`). */
export function judgedResult(t: CheckTarget, repo: string, e: Explained, resolvesTo: string | null, distributions: readonly ListedDistribution[] | null): CheckResult {
  const p = e.policyVerdict;
  return {
    ...baseResult(t, repo, e.now),
    ...verdictOf(e),
    status: 'judged',
    message: null,
    policy: { verdict: p.kind, reasons: p.kind === 'allow' ? [] : p.reasons, hash: e.policyHash },
    facts: e.facts,
    resolvesTo,
    distributions,
  };
}

const STRICTNESS: Readonly<Record<VerdictKind, number>> = { allow: 0, quarantine: 1, block: 2 };

/** Each fact of the reference's own, serialised once for all its parts (a commit may have thousands of files). */
function serialised(facts: Facts): ReadonlyMap<string, string> {
  return new Map(Object.entries(facts).map(([k, v]) => [k, JSON.stringify(v)]));
}

/** The facts of `facts` that `base` does not have as they are. */
function factsBeyond(facts: Facts, base: ReadonlyMap<string, string>): Facts {
  return Object.fromEntries(Object.entries(facts).filter(([k, v]) => base.get(k) !== JSON.stringify(v)));
}

function partOf(p: ReferencePart, base: ReadonlyMap<string, string>): CheckPart {
  return { label: p.label, notJudged: p.notJudged ?? null, facts: factsBeyond(p.explained.facts, base), ...verdictOf(p.explained) };
}

/** Reasons once each (parts judged alike say the same: a commit's cooldown, for each of its files). */
function distinct(reasons: readonly Reason[]): Reason[] {
  return [...new Map(reasons.map((w) => [`${w.rule ?? ''}\0${w.message}`, w])).values()];
}

/**
 * A reference's judgement as a check result: the facts and the policy's own verdict are those of
 * what the reference names; the verdict is the strictest of it and its parts (a pull brings the
 * parts too, and the check cannot know which), with the reasons and rules of every judgement
 * that gave that verdict. Where a quarantine of what the reference names holds nothing back by
 * itself (`ownQuarantineHolds: false`), only a block of it counts next to its parts.
 */
export function referenceResult(t: CheckTarget, repo: string, r: Extract<ReferenceCheck, { status: 'judged' }>): CheckResult {
  const own = judgedResult(t, repo, r.explained, null, null);
  const base = serialised(r.explained.facts);
  const parts = r.parts.map((p) => partOf(p, base));
  const ownCounts = r.ownQuarantineHolds !== false || own.verdict === 'block' || parts.length === 0;
  const all: Pick<CheckPart, 'verdict' | 'source' | 'quarantineId' | 'reasons' | 'warnings'>[] = [
    ...(ownCounts ? [{ verdict: own.verdict as VerdictKind, source: own.source as DecisionSource, quarantineId: own.quarantineId, reasons: own.reasons, warnings: own.warnings }] : []),
    ...parts,
  ];
  const strictest = all.reduce((a, b) => (STRICTNESS[b.verdict] > STRICTNESS[a.verdict] ? b : a));
  const deciding = all.filter((x) => x.verdict === strictest.verdict);
  const reasons = distinct(deciding.flatMap((x) => x.reasons));
  const warnings = distinct([...own.warnings, ...parts.flatMap((x) => x.warnings)]);
  return {
    ...own,
    verdict: strictest.verdict,
    source: strictest.source,
    quarantineId: strictest.quarantineId,
    decidedBy: rulesOf(reasons),
    reasons,
    warnings,
    phase: r.phase,
    notJudged: r.notJudged,
    parts: r.parts.length === 0 ? null : parts,
  };
}

/**
 * A range resolved (check-range.ts): the version judged is the one an install of it gets, or,
 * when the gate allows none, the newest satisfying one; `resolvesTo` is what installs (null: the
 * install fails), `range.newest` the newest satisfying version when it is not the one judged.
 */
export function rangeResult(
  t: CheckTarget,
  repo: string,
  text: string,
  r: Extract<RangeCheck, { status: 'judged' }>,
  distributions: (version: string) => readonly ListedDistribution[] | null,
): CheckResult {
  const e = r.chosen ?? r.newest;
  const version = e.candidate.subject.version;
  const newest = r.newest === e ? null : verdictOf(r.newest);
  const installs = e.decision.verdict.kind === 'allow' ? version : null;
  return { ...judgedResult(t, repo, e, installs, distributions(version)), range: { range: text, satisfying: r.satisfying, newest } };
}
