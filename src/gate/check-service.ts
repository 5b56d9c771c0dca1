/**
 * The pre-flight check: what the gate would decide about a package version right now, with
 * every fact the policy saw and the rules that decided — for agents and CI before they install
 * (`airlock check`, `GET/POST /-/api/check`). Metadata phase (no download: content facts such as
 * the tarball's own install scripts are judged when the artifact is fetched), or, where a source
 * resolves references (OCI images, Hugging Face commits), what that source judges as a pull or a
 * download would be judged. Nothing is cached, recorded or opened; a name the upstream does not
 * have is recorded in the missing-name ledger, as a client's request would be.
 */
import { AirlockError, isAirlockError, type Ecosystem, type Reason, type VerdictKind } from '../core/index.ts';
import type { RequestContext } from '../storage/ports/index.ts';
import type { Explained } from './gate-service.ts';
import type { ListedDistribution, PackageListing, PackageSource, PackageSources, ReferenceCheck, ReferencePart } from './package-sources.ts';
import type { ArtifactHistory, DecisionSource, Facts, VersionCandidate } from './types.ts';
import { checkRange } from './check-range.ts';
import { parseVersionRange } from './version-range.ts';

export interface CheckTarget {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  /** null: the version the upstream calls the latest (npm's `latest` dist-tag; PyPI's newest final release; an image's `latest` tag; a Hub repo's default branch). An image's tag or digest; a Hub repo's branch, tag or commit. */
  readonly version: string | null;
  /**
   * A version range (npm `^4.17.0`; PyPI `>=2,<3`), instead of a version (then `version` is
   * null): what an install of it gets through Airlock is judged (version-range.ts reads it).
   */
  readonly range?: string | null;
  /** null: the first repository of the ecosystem. */
  readonly repo: string | null;
}

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

export interface Explainer {
  explain(candidates: readonly VersionCandidate[], history: readonly VersionCandidate[]): Promise<readonly Explained[]>;
  /** The artifact phase's verdict on one artifact now, recording nothing (`GateService.explainArtifact`). */
  explainArtifact(candidate: VersionCandidate, request: RequestContext, history?: ArtifactHistory): Promise<Explained>;
}

export interface CheckOptions {
  /** Targets per call. */
  readonly maxTargets: number;
  /** Packages looked up at once. */
  readonly concurrency: number;
}

export const CHECK_DEFAULTS: CheckOptions = Object.freeze({ maxTargets: 5000, concurrency: 8 });

function rulesOf(reasons: readonly Reason[]): string[] {
  return [...new Set(reasons.map((r) => r.rule ?? '(no rule id)'))];
}

function base(t: CheckTarget, repo: string | null, now: Date): Omit<CheckResult, 'status' | 'message'> {
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

function judged(t: CheckTarget, repo: string, e: Explained, resolvesTo: string | null, distributions: readonly ListedDistribution[] | null): CheckResult {
  const p = e.policyVerdict;
  return {
    ...base(t, repo, e.now),
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
  const own = judged(t, repo, r.explained, null, null);
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

export class CheckService {
  readonly #sources: PackageSources;
  readonly #gate: Explainer;
  readonly #clock: () => Date;
  readonly #options: CheckOptions;

  constructor(deps: { sources: PackageSources; gate: Explainer; clock?: () => Date }, options: Partial<CheckOptions> = {}) {
    this.#sources = deps.sources;
    this.#gate = deps.gate;
    this.#clock = deps.clock ?? (() => new Date());
    this.#options = Object.freeze({ ...CHECK_DEFAULTS, ...options });
  }

  async check(target: CheckTarget, request: RequestContext): Promise<CheckResult> {
    const [r] = await this.checkMany([target], request);
    return r as CheckResult;
  }

  /** Many targets at once (a lockfile): each package is looked up and judged once. Results in input order. */
  async checkMany(targets: readonly CheckTarget[], request: RequestContext): Promise<CheckResult[]> {
    if (targets.length > this.#options.maxTargets) throw new AirlockError('LIMIT_EXCEEDED', `at most ${this.#options.maxTargets} packages per check`);
    const groups = new Map<string, { readonly repo: string; readonly name: string; readonly items: { readonly i: number; readonly t: CheckTarget }[]; readonly source: ReturnType<PackageSources['find']> }>();
    const out: (CheckResult | undefined)[] = new Array(targets.length);
    targets.forEach((t, i) => {
      try {
        const source = this.#sources.find(t.ecosystem, t.repo);
        const name = source.canonicalName(t.name);
        if (t.range !== undefined && t.range !== null) parseVersionRange(t.ecosystem, t.range);
        const key = `${source.repo}\0${name}`;
        const g = groups.get(key);
        if (g === undefined) groups.set(key, { repo: source.repo, name, items: [{ i, t: { ...t, name } }], source });
        else g.items.push({ i, t: { ...t, name } });
      } catch (err) {
        if (!isAirlockError(err)) throw err;
        if (err.code === 'INVALID_NAME' || err.code === 'INVALID_VERSION' || err.code === 'NOT_FOUND' || err.code === 'BAD_REQUEST') throw err;
        out[i] = { ...base(t, t.repo, this.#clock()), status: 'error', message: err.message };
      }
    });
    const queue = [...groups.values()];
    const worker = async (): Promise<void> => {
      for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
        const results = await this.#checkPackage(g.source, g.repo, g.name, g.items.map((x) => x.t), request);
        g.items.forEach((x, k) => {
          out[x.i] = results[k];
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#options.concurrency, queue.length) }, worker));
    return out as CheckResult[];
  }

  async #checkPackage(
    source: ReturnType<PackageSources['find']>,
    repo: string,
    name: string,
    targets: readonly CheckTarget[],
    request: RequestContext,
  ): Promise<CheckResult[]> {
    if (source.checkReference !== undefined) {
      const out: CheckResult[] = [];
      for (const t of targets) out.push(await this.#checkReference(source, repo, name, t, request));
      return out;
    }
    let listing: PackageListing;
    try {
      if (source.listing === undefined) throw new AirlockError('BAD_REQUEST', `repository ${repo} can be checked by neither listing nor reference`);
      listing = await source.listing(name, request);
    } catch (err) {
      const now = this.#clock();
      if (isAirlockError(err, 'UPSTREAM_NOT_FOUND')) {
        return targets.map((t) => ({ ...base(t, repo, now), status: 'package-not-found', message: `${name} does not exist upstream (the request was recorded)` }));
      }
      const message = isAirlockError(err) ? err.message : 'the package could not be looked up';
      return targets.map((t) => ({ ...base(t, repo, now), status: 'error', message }));
    }
    const byVersion = new Map(listing.candidates.map((c) => [c.subject.version, c]));
    const wanted: VersionCandidate[] = [];
    const plan = targets.map((t) => {
      if (t.range !== undefined && t.range !== null) return { t, version: null, c: undefined };
      const version = t.version === null ? listing.latest : (listing.versionNamed?.(t.version) ?? t.version);
      const c = version === null ? undefined : byVersion.get(version);
      if (c !== undefined && !wanted.includes(c)) wanted.push(c);
      return { t, version, c };
    });
    const explained = wanted.length === 0 ? [] : await this.#gate.explain(wanted, listing.candidates);
    const byCandidate = new Map(explained.map((e) => [e.candidate.subject.version, e]));
    const now = this.#clock();
    return Promise.all(plan.map(async ({ t, version, c }) => {
      if (t.range !== undefined && t.range !== null) return this.#checkRange(t, t.range, repo, name, listing);
      if (version === null) return { ...base(t, repo, now), status: 'version-not-found', message: `${name} has no latest version` };
      const why = listing.unusable.get(version);
      if (why !== undefined) return { ...base(t, repo, now), version, status: 'unusable', message: `${name}@${version} is never served: ${why}` };
      const e = c === undefined ? undefined : byCandidate.get(version);
      if (e === undefined) return { ...base(t, repo, now), version, status: 'version-not-found', message: `${name} has no version ${version}` };
      return judged(t, repo, e, t.version === null ? listing.servedLatest : null, listing.distributions?.(version) ?? null);
    }));
  }

  /** A range: the version an install of it gets through Airlock, judged (check-range.ts). */
  async #checkRange(t: CheckTarget, text: string, repo: string, name: string, listing: PackageListing): Promise<CheckResult> {
    const r = await checkRange(parseVersionRange(t.ecosystem, text), listing, this.#gate);
    if (r.status === 'none') {
      return { ...base(t, repo, this.#clock()), status: 'version-not-found', message: `none of the ${r.listed} versions of ${name} Airlock can serve satisfies ${text}` };
    }
    const e = r.chosen ?? r.newest;
    const version = e.candidate.subject.version;
    const newest = r.newest === e ? null : verdictOf(r.newest);
    const installs = e.decision.verdict.kind === 'allow' ? version : null;
    return { ...judged(t, repo, e, installs, listing.distributions?.(version) ?? null), range: { range: text, satisfying: r.satisfying, newest } };
  }

  /** One reference of a source that resolves references: judged by the source, through the gate's explainer. */
  async #checkReference(source: PackageSource, repo: string, name: string, t: CheckTarget, request: RequestContext): Promise<CheckResult> {
    let r: ReferenceCheck;
    try {
      r = await (source.checkReference as NonNullable<PackageSource['checkReference']>)(name, t.version, this.#gate, request);
    } catch (err) {
      const message = isAirlockError(err) ? err.message : 'the reference could not be looked up';
      return { ...base(t, repo, this.#clock()), status: 'error', message };
    }
    if (r.status !== 'judged') return { ...base(t, repo, this.#clock()), status: r.status, message: r.message };
    return referenceResult(t, repo, r);
  }
}
