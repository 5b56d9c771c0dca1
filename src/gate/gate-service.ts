/**
 * The decision pipeline behind the `Gate` port: collect facts, build the policy input, evaluate
 * the policy, apply reviewers' decisions and exceptions, and (artifact phase) record the
 * decision, open quarantine records and append to the audit trail. Verdicts are cached per
 * (generation, version, facts digest); any failure fails closed.
 */
import type { VerdictKind } from '../core/index.ts';
import type {
  AuditLog,
  DecisionLog,
  DecisionPhase,
  ExceptionStore,
  FactCache,
  Json,
  MissingNameLedger,
  PolicyException,
  QuarantineRecord,
  QuarantineStore,
  RequestContext,
} from '../storage/ports/index.ts';
import type { CacheFills, Ecosystem } from '../core/index.ts';
import type { PolicyBatch, PolicyOutcome } from '../policy/decide.ts';
import { inputToJson, type RepositoryKind } from '../policy/input.ts';
import type { ArtifactHistory, FactCollector, Facts, Gate, GateDecision, GateFailure, VersionCandidate, DecisionSource } from './types.ts';
import { byPackage, collectFacts, historyWith, packagesOf } from './collect.ts';
import { ServedLedger, type VerdictChange } from './served-ledger.ts';
import { failedJudgement, gateErrorDecision, incompleteJudgement, type Explained, type Judged } from './judgement.ts';
import { WakeTimer } from './wake-timer.ts';
import { TokenBucket } from './token-bucket.ts';

export { GATE_ERROR_RULE, type Explained } from './judgement.ts';
import { candidatesFingerprint, internDecision, VerdictCache } from './verdict-cache.ts';
import { Generation } from './generation.ts';
import { jsonDigest } from './facts-digest.ts';
import { ReviewIndex, reviewEntryOf, type ReviewEntry } from './review-index.ts';
import { buildPolicyInput, exceptionsFor, reviewInput } from './policy-input.ts';
import { applyOverrides, holdUnread, isActiveRelease } from './overrides.ts';
import { DecisionRecorder } from './decision-recorder.ts';

/** What the gate needs from the policy service. */
/** Records of one version read to find the one for the bytes judged (a version has a few files, a few reviews). */
const OWN_REVIEW_SCAN = 64;

export interface PolicyDecider {
  readonly hash: string;
  decide(input: Json, batch?: PolicyBatch): PolicyOutcome;
  /** Shared by the decisions of one package's versions (see PolicyBatch). */
  batch(): PolicyBatch;
  onChange(listener: (hash: string) => void): () => void;
}

export type GateStore = QuarantineStore & DecisionLog & ExceptionStore & AuditLog;

export interface GateObserver {
  /** `count` decisions of one kind were taken (a package's versions are reported together). */
  decision(phase: DecisionPhase, verdict: VerdictKind, source: DecisionSource, cached: boolean, count?: number): void;
  /** `count` judgements could not be made and failed closed (`GateFailure.kind`). */
  failure?(phase: DecisionPhase, kind: GateFailure['kind'], count?: number): void;
}

/**
 * Reports a package's metadata decisions to the observer, one call per kind of decision
 * instead of one per version (a big package lists thousands of versions, nearly all alike).
 */
function observeDecisions(observer: GateObserver | undefined, decisions: Iterable<GateDecision>, cached: boolean): void {
  if (observer === undefined) return;
  const counts = new Map<string, { verdict: VerdictKind; source: DecisionSource; n: number }>();
  let gateFailures = 0;
  let policyFailures = 0;
  for (const d of decisions) {
    if (d.failure?.kind === 'gate') gateFailures++;
    else if (d.failure?.kind === 'policy') policyFailures++;
    const key = `${d.verdict.kind}\0${d.source}`;
    const c = counts.get(key);
    if (c === undefined) counts.set(key, { verdict: d.verdict.kind, source: d.source, n: 1 });
    else c.n++;
  }
  for (const c of counts.values()) observer.decision('metadata', c.verdict, c.source, cached, c.n);
  if (gateFailures > 0) observer.failure?.('metadata', 'gate', gateFailures);
  if (policyFailures > 0) observer.failure?.('metadata', 'policy', policyFailures);
}

export interface GateLogger {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface GateDeps {
  readonly policy: PolicyDecider;
  readonly store: GateStore;
  readonly reviews: ReviewIndex;
  readonly newId: () => string;
  readonly collectors?: readonly FactCollector[];
  /** The missing-name ledger (hallucination tripwire); without it `reportMissing` does nothing. */
  readonly missing?: Pick<MissingNameLedger, 'recordMissing'>;
  /**
   * Where served versions and their verdicts are remembered, so a verdict change on a version
   * already served is audited (`verdict.changed`); without it nothing is remembered.
   */
  readonly served?: FactCache;
  readonly clock?: () => Date;
  readonly observer?: GateObserver;
  readonly log?: GateLogger;
  /** Each repository's kind, for `input.artifact.repo_kind` (default: every one a proxy). */
  readonly repositoryKind?: (repo: string) => RepositoryKind;
}

export interface GateOptions {
  /** At most this many versions' metadata verdicts are cached. */
  readonly verdictCacheSize: number;
  /** Estimated heap bytes for cached verdicts (default 8 MiB). */
  readonly verdictCacheBytes?: number;
  /** Artifact decisions remembered as recorded (so repeated downloads add no rows); default 20,000. */
  readonly recordedDecisions?: number;
  /** Re-judge everything this often, for rules that depend on time (cooldowns). */
  readonly reevaluateEveryMs: number;
  /**
   * A cached verdict is used at most this long (its time to live); after that the version is
   * judged again with fresh facts. Default: `reevaluateEveryMs` (or 15 minutes when that is 0).
   */
  readonly verdictTtlMs?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class GateService implements Gate {
  readonly #deps: Required<Pick<GateDeps, 'policy' | 'store' | 'reviews' | 'newId' | 'collectors' | 'clock' | 'repositoryKind'>> &
    Pick<GateDeps, 'observer' | 'log' | 'missing'>;
  readonly #served: ServedLedger | null;
  readonly #options: Required<GateOptions>;
  readonly #generation: Generation;
  readonly #cache: VerdictCache;
  readonly #recorder: DecisionRecorder;
  #expiryTimer: NodeJS.Timeout | null = null;
  /** Wakes the gate when an exception it applied expires (views must change then). */
  readonly #wake = new WakeTimer(() => this.invalidate());
  /** Bounds how fast invented names can grow the missing-name ledger (burst 1,000, then 20/s). */
  readonly #missingBudget: TokenBucket;
  #missingDropped = 0;
  #periodic: NodeJS.Timeout | null = null;
  readonly #unsubscribe: () => void;

  constructor(deps: GateDeps, options: GateOptions) {
    this.#deps = { collectors: [], clock: () => new Date(), repositoryKind: () => 'proxy', ...deps };
    this.#served = deps.served === undefined ? null : new ServedLedger(deps.served, deps.store);
    this.#missingBudget = new TokenBucket({ burst: 1000, perSecond: 20 }, this.#deps.clock().getTime());
    this.#options = Object.freeze({
      ...options,
      verdictCacheBytes: options.verdictCacheBytes ?? 8 * 1024 * 1024,
      recordedDecisions: options.recordedDecisions ?? 20_000,
      verdictTtlMs: options.verdictTtlMs ?? (options.reevaluateEveryMs > 0 ? options.reevaluateEveryMs : 15 * 60_000),
    });
    this.#generation = new Generation(deps.policy.hash);
    this.#cache = new VerdictCache({ maxBytes: this.#options.verdictCacheBytes, maxVersions: options.verdictCacheSize });
    this.#recorder = new DecisionRecorder(deps.store, deps.newId, this.#options.recordedDecisions);
    this.#unsubscribe = deps.policy.onChange((hash) => {
      this.#generation.setPolicy(hash);
      this.#cache.clear();
    });
    if (options.reevaluateEveryMs > 0) {
      this.#periodic = setInterval(() => void this.refresh(), Math.min(options.reevaluateEveryMs, MAX_TIMER_MS));
      this.#periodic.unref();
    }
    this.#scheduleExpiry();
  }

  readonly generation = (): string => this.#generation.value;

  /** How full the verdict caches are (read by the metrics when scraped). */
  caches(): CacheFills {
    return this.#cache.caches();
  }

  /** Something a verdict depends on changed: drop cached verdicts and move the generation on. */
  invalidate(): void {
    this.#generation.bump();
    this.#cache.clear();
    this.#scheduleExpiry();
  }

  /**
   * Periodic re-evaluation: re-read review state from the store (other gateway processes sharing
   * it may have released or rejected versions) and re-judge everything.
   */
  async refresh(): Promise<void> {
    try {
      await this.#deps.reviews.load(this.#deps.store);
    } catch (err) {
      this.#deps.log?.error({ err }, 'could not re-read review state; keeping the current one');
    }
    this.invalidate();
  }

  /** Bump the generation when the next release expires, so views re-judge at once. */
  #scheduleExpiry(): void {
    if (this.#expiryTimer !== null) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
    const now = this.#deps.clock();
    const next = this.#deps.reviews.nextExpiry(now);
    if (next === null) return;
    const wait = Math.min(Math.max(0, next.getTime() - now.getTime()) + 5, MAX_TIMER_MS);
    this.#expiryTimer = setTimeout(() => this.invalidate(), wait);
    this.#expiryTimer.unref();
  }

  close(): void {
    this.#unsubscribe();
    this.#wake.cancel();
    if (this.#expiryTimer !== null) clearTimeout(this.#expiryTimer);
    if (this.#periodic !== null) clearInterval(this.#periodic);
  }

  async judgeVersions(candidates: readonly VersionCandidate[], _request: RequestContext): Promise<ReadonlyMap<string, GateDecision>> {
    const out = new Map<string, GateDecision>();
    const gen = this.#generation.value;
    const now = this.#deps.clock();
    for (const group of packagesOf(candidates)) {
      const s = (group[0] as VersionCandidate).subject;
      const key = `${gen}\0${s.repo}\0${s.ecosystem}\0${s.name}`;
      const fingerprint = candidatesFingerprint(group);
      const hit = this.#cache.packageDecisions(key, fingerprint, now.getTime());
      if (hit !== null && group.every((c) => hit.has(c.subject.version))) {
        const decided = group.map((c) => {
          const d = hit.get(c.subject.version) as GateDecision;
          out.set(c.subject.version, d);
          return d;
        });
        observeDecisions(this.#deps.observer, decided, true);
        continue;
      }
      const judged = await this.#judgeGroup(group, candidates, now);
      const changes: VerdictChange[] = [];
      const decided: GateDecision[] = [];
      const decisions = new Map<string, GateDecision>();
      let cacheable = true;
      let validUntil = Number.POSITIVE_INFINITY;
      group.forEach((c, i) => {
        const j = judged[i] as Judged;
        const decision = internDecision(j.decision);
        if (j.outcome.error === null) decisions.set(c.subject.version, decision);
        else cacheable = false;
        validUntil = Math.min(validUntil, j.validUntil);
        out.set(c.subject.version, decision);
        decided.push(decision);
        // A fail-closed verdict is no change of verdict: the version is judged again next time.
        if (decision.failure === undefined) changes.push({ subject: c.subject, phase: 'metadata', decision, policyHash: j.outcome.policyHash });
      });
      observeDecisions(this.#deps.observer, decided, false);
      // A failure is never cached: the whole package is judged again next time.
      if (cacheable) this.#cache.setPackage(key, fingerprint, decisions, validUntil);
      await this.#noteChanges(changes, now);
    }
    return out;
  }

  /**
   * Metadata-phase judgement of some versions of one package, without caches or records: facts
   * are collected once for the group (history: every candidate of the package), each version
   * is judged with its review state and exceptions. Failures fail closed per version.
   */
  async #judgeGroup(group: readonly VersionCandidate[], all: readonly VersionCandidate[], now: Date): Promise<Judged[]> {
    const first = group[0];
    if (first === undefined) return [];
    const subject = first.subject;
    let exceptions: readonly PolicyException[];
    try {
      exceptions = await this.#deps.store.activeExceptions(subject.ecosystem, subject.name, now);
    } catch (err) {
      return group.map((c) => failedJudgement(c, err, this.#deps.policy.hash));
    }
    const history = all.filter((h) => h.subject.repo === subject.repo && h.subject.ecosystem === subject.ecosystem && h.subject.name === subject.name);
    let facts: Facts[];
    try {
      facts = await collectFacts(this.#deps.collectors, { phase: 'metadata', candidates: group, history, request: null, now });
    } catch (err) {
      this.#deps.log?.error({ err, package: subject.name }, 'fact collection failed; blocking (fail closed)');
      return group.map((c) => incompleteJudgement(c, err, this.#deps.policy.hash));
    }
    // One package's versions share most of their input: the policy's parts that read only the
    // shared facts are evaluated once for the group.
    const batch = group.length > 1 ? this.#deps.policy.batch() : undefined;
    return group.map((c, i) => {
      const review = this.#deps.reviews.get(c.subject.repo, c.subject.purl);
      return this.#decide('metadata', c, facts[i] as Facts, null, review, exceptionsFor(c.subject, exceptions), now, batch);
    });
  }

  /**
   * A pre-flight judgement (`airlock check`): the metadata-phase verdict of the given versions
   * of one package with every fact and the policy's own verdict, as the gate would decide them
   * now. Nothing is cached or recorded.
   */
  async explain(candidates: readonly VersionCandidate[], history: readonly VersionCandidate[]): Promise<readonly Explained[]> {
    const now = this.#deps.clock();
    const all = history.length === 0 ? candidates : history;
    const judged: Judged[] = [];
    for (const group of byPackage(candidates.map((c) => ({ c })))) judged.push(...(await this.#judgeGroup(group.map((g) => g.c), all, now)));
    return judged.map((j, i) => ({
      candidate: candidates[i] as VersionCandidate,
      decision: j.decision,
      policyVerdict: j.outcome.verdict,
      policyHash: j.outcome.policyHash,
      facts: j.facts,
      now,
    }));
  }

  async reportMissing(ecosystem: Ecosystem, name: string, request: RequestContext): Promise<void> {
    if (this.#deps.missing === undefined) return;
    if (!this.#missingBudget.take(this.#deps.clock().getTime())) {
      // A flood of invented names: keep the ledger bounded, say so once per thousand.
      if (this.#missingDropped++ % 1000 === 0) this.#deps.log?.info({ dropped: this.#missingDropped }, 'too many requests for missing names; not recording them all');
      return;
    }
    try {
      await this.#deps.missing.recordMissing({ ecosystem, name, at: this.#deps.clock(), tokenId: request.tokenId, userAgent: request.userAgent, agent: request.agent });
    } catch (err) {
      this.#deps.log?.error({ err, ecosystem, name }, 'could not record a request for a missing package');
    }
  }

  async #noteChanges(changes: readonly VerdictChange[], now: Date): Promise<void> {
    if (this.#served === null || changes.length === 0) return;
    try {
      const n = await this.#served.compare(changes, now);
      if (n > 0) this.#deps.log?.info({ package: changes[0]?.subject.name, changed: n }, 'verdicts changed on versions already served');
    } catch (err) {
      this.#deps.log?.error({ err, package: changes[0]?.subject.name }, 'could not compare verdicts with the served versions');
    }
  }

  async judgeArtifact(candidate: VersionCandidate, request: RequestContext, history?: ArtifactHistory): Promise<GateDecision> {
    const { subject } = candidate;
    const now = this.#deps.clock();
    // The bytes judged are part of the key: which review covers them depends on them, whatever the facts say.
    const key = `${this.#generation.value}\0${subject.repo}\0${subject.purl}\0${candidate.content?.digest ?? ''}\0${jsonDigest(candidate.facts)}\0${candidate.unread ?? ''}\0${jsonDigest(requestJson(request))}`;
    const hit = this.#cache.artifact(key, now.getTime());
    if (hit !== null) {
      this.#deps.observer?.decision('artifact', hit.verdict.kind, hit.source, true);
      return hit;
    }
    try {
      const judged = await this.#judgeArtifactNow(candidate, request, history, now, (latest) => this.#deps.reviews.put(latest));
      let decision = judged.decision;
      if (decision.verdict.kind === 'quarantine') {
        const rec = await this.#recorder.openQuarantine(candidate, judged.facts, decision.verdict.reasons, now);
        this.#deps.reviews.put(rec);
        decision = { ...decision, quarantineId: rec.id };
      }
      await this.#recorder.record('artifact', candidate, decision, judged.outcome.policyHash, judged.facts, request, now);
      if (judged.outcome.error === null) this.#cache.setArtifact(key, decision, judged.validUntil);
      this.#deps.observer?.decision('artifact', decision.verdict.kind, decision.source, false);
      if (decision.failure !== undefined) this.#deps.observer?.failure?.('artifact', decision.failure.kind);
      if (this.#served !== null && decision.failure === undefined) {
        try {
          await this.#served.artifact({ subject, phase: 'artifact', decision, policyHash: judged.outcome.policyHash }, now);
        } catch (err) {
          this.#deps.log?.error({ err, purl: subject.purl }, 'could not remember the served version');
        }
      }
      return decision;
    } catch (err) {
      this.#deps.log?.error({ err, purl: subject.purl }, 'gate failed; blocking (fail closed)');
      const decision = gateErrorDecision(err);
      this.#deps.observer?.decision('artifact', 'block', 'policy', false);
      this.#deps.observer?.failure?.('artifact', 'gate');
      return decision;
    }
  }

  /**
   * A pre-flight judgement in the artifact phase (`airlock check oci`): the verdict the gate
   * would give the artifact now — its review and exceptions applied — with every fact and the
   * policy's own verdict. Nothing is cached or recorded and no quarantine is opened (a
   * quarantine carries an id only when a review of these bytes is open already). Fails closed as
   * `judgeArtifact` does.
   */
  async explainArtifact(candidate: VersionCandidate, request: RequestContext, history?: ArtifactHistory): Promise<Explained> {
    const now = this.#deps.clock();
    let judged: Judged;
    try {
      judged = await this.#judgeArtifactNow(candidate, request, history, now, () => undefined);
    } catch (err) {
      judged = failedJudgement(candidate, err, this.#deps.policy.hash);
    }
    return { candidate, decision: judged.decision, policyVerdict: judged.outcome.verdict, policyHash: judged.outcome.policyHash, facts: judged.facts, now };
  }

  /**
   * The artifact phase's judgement, without caches or records: the review that covers the bytes
   * (`seen` is told the version's newest record), the exceptions, the facts, the policy. A store
   * failure throws; a collector's fails closed.
   */
  async #judgeArtifactNow(candidate: VersionCandidate, request: RequestContext, history: ArtifactHistory | undefined, now: Date, seen: (latest: QuarantineRecord) => void): Promise<Judged> {
    const { subject } = candidate;
    const latest = await this.#deps.store.latestQuarantine(subject.repo, subject.purl);
    if (latest !== null) seen(latest);
    const own = await this.#ownReview(latest, candidate);
    const review = own === null ? null : reviewEntryOf(own);
    const exceptions = exceptionsFor(subject, await this.#deps.store.activeExceptions(subject.ecosystem, subject.name, now));
    try {
      const [facts] = await collectFacts(this.#deps.collectors, {
        phase: 'artifact',
        candidates: [candidate],
        history: historyWith(candidate, await history?.()),
        request,
        now,
      });
      return this.#decide('artifact', candidate, facts as Facts, request, review, exceptions, now);
    } catch (err) {
      this.#deps.log?.error({ err, purl: subject.purl }, 'fact collection failed; blocking (fail closed)');
      return incompleteJudgement(candidate, err, this.#deps.policy.hash);
    }
  }

  /**
   * The review that covers the artifact judged: the version's newest record, unless that was
   * opened for other bytes and these bytes have a record of their own (a PyPI version's other
   * file, or bytes an upstream served before it replaced them): then the newest of those. So a
   * release covers the bytes reviewed, and the review of one file is not overturned by another's.
   * The extra read happens only when the newest record is for other bytes.
   */
  async #ownReview(latest: QuarantineRecord | null, candidate: VersionCandidate): Promise<QuarantineRecord | null> {
    const content = candidate.content?.digest ?? null;
    if (latest === null || content === null || latest.contentDigest === null || latest.contentDigest === content) return latest;
    const { repo, purl } = candidate.subject;
    const page = await this.#deps.store.listQuarantine({ purl, limit: OWN_REVIEW_SCAN });
    return page.items.find((r) => r.repo === repo && r.contentDigest === content) ?? latest;
  }

  #decide(
    phase: DecisionPhase,
    c: VersionCandidate,
    facts: Facts,
    request: RequestContext | null,
    review: ReviewEntry | null,
    exceptions: readonly PolicyException[],
    now: Date,
    batch?: PolicyBatch,
  ): Judged {
    // The bytes judged (artifact phase): a release covers the bytes it was opened for.
    const content = c.content?.digest ?? null;
    const input = buildPolicyInput({ phase, subject: c.subject, repoKind: this.#deps.repositoryKind(c.subject.repo), facts, request, review: reviewInput(review, now, content), exceptions, now });
    const outcome = this.#deps.policy.decide(inputToJson(input), batch);
    const verdict = c.unread === undefined || c.unread === null ? outcome.verdict : holdUnread(outcome.verdict, c.unread);
    const result = applyOverrides(verdict, review, exceptions, now, content);
    const quarantineId = result.reviewId ?? (result.verdict.kind === 'quarantine' && review?.state === 'quarantined' ? review.id : null);
    let validUntil = now.getTime() + this.#options.verdictTtlMs;
    if (review !== null && isActiveRelease(review, now) && review.expiresAt !== null) validUntil = Math.min(validUntil, review.expiresAt.getTime());
    for (const e of exceptions) {
      if (e.expiresAt === null) continue;
      validUntil = Math.min(validUntil, e.expiresAt.getTime());
      // When the exception lapses, filtered views and the ETags clients hold must change too.
      if (e.expiresAt.getTime() > now.getTime()) this.#wake.wakeAt(e.expiresAt.getTime(), now.getTime());
    }
    // A review or an exception that decided stands; a verdict the policy's failure produced does not last.
    const failure = outcome.error !== null && result.source === 'policy' ? { kind: 'policy' as const, cause: outcome.error } : undefined;
    const decision: GateDecision = failure === undefined ? { verdict: result.verdict, source: result.source, quarantineId } : { verdict: result.verdict, source: result.source, quarantineId, failure };
    return { decision, outcome, facts, validUntil };
  }
}

function requestJson(r: RequestContext): Json {
  return { t: r.tokenId, r: r.role ?? null, u: r.userAgent, a: r.agent, i: r.ip };
}
