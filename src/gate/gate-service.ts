/**
 * The decision pipeline behind the `Gate` port: collect facts, build the policy input, evaluate
 * the policy, apply reviewers' decisions and exceptions, and (artifact phase) record the
 * decision, open quarantine records and append to the audit trail. Verdicts are cached per
 * (generation, version, facts digest); any failure fails closed.
 */
import type { Reason, Verdict, VerdictKind } from '../core/index.ts';
import type {
  AuditLog,
  DecisionLog,
  DecisionPhase,
  ExceptionStore,
  Json,
  PolicyException,
  QuarantineStore,
  RequestContext,
} from '../storage/ports/index.ts';
import type { PolicyOutcome } from '../policy/decide.ts';
import { inputToJson } from '../policy/input.ts';
import type { FactCollector, Facts, Gate, GateDecision, VersionCandidate, DecisionSource } from './types.ts';
import { Lru } from './lru.ts';
import { Generation } from './generation.ts';
import { jsonDigest } from './facts-digest.ts';
import { ReviewIndex, reviewEntryOf, type ReviewEntry } from './review-index.ts';
import { buildPolicyInput, exceptionsFor, reviewInput } from './policy-input.ts';
import { applyOverrides, isActiveRelease } from './overrides.ts';
import { DecisionRecorder } from './decision-recorder.ts';

/** What the gate needs from the policy service. */
export interface PolicyDecider {
  readonly hash: string;
  decide(input: Json): PolicyOutcome;
  onChange(listener: (hash: string) => void): () => void;
}

export type GateStore = QuarantineStore & DecisionLog & ExceptionStore & AuditLog;

export interface GateObserver {
  decision(phase: DecisionPhase, verdict: VerdictKind, source: DecisionSource, cached: boolean): void;
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
  readonly clock?: () => Date;
  readonly observer?: GateObserver;
  readonly log?: GateLogger;
}

export interface GateOptions {
  readonly verdictCacheSize: number;
  /** Re-judge everything this often, for rules that depend on time (cooldowns). */
  readonly reevaluateEveryMs: number;
}

export const GATE_ERROR_RULE = 'airlock.gate_error';
const MAX_TIMER_MS = 2 ** 31 - 1;

interface CachedVerdict {
  readonly decision: GateDecision;
  /** epoch ms after which the entry must not be used (a release or exception expiring). */
  readonly validUntil: number;
}

interface Judged {
  readonly decision: GateDecision;
  readonly outcome: PolicyOutcome;
  readonly facts: Facts;
  readonly validUntil: number;
}

export class GateService implements Gate {
  readonly #deps: Required<Omit<GateDeps, 'observer' | 'log'>> & Pick<GateDeps, 'observer' | 'log'>;
  readonly #options: GateOptions;
  readonly #generation: Generation;
  readonly #cache: Lru<string, CachedVerdict>;
  readonly #recorder: DecisionRecorder;
  #expiryTimer: NodeJS.Timeout | null = null;
  #periodic: NodeJS.Timeout | null = null;
  readonly #unsubscribe: () => void;

  constructor(deps: GateDeps, options: GateOptions) {
    this.#deps = { collectors: [], clock: () => new Date(), ...deps };
    this.#options = Object.freeze({ ...options });
    this.#generation = new Generation(deps.policy.hash);
    this.#cache = new Lru(options.verdictCacheSize);
    this.#recorder = new DecisionRecorder(deps.store, deps.newId, options.verdictCacheSize);
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
    if (this.#expiryTimer !== null) clearTimeout(this.#expiryTimer);
    if (this.#periodic !== null) clearInterval(this.#periodic);
  }

  async judgeVersions(candidates: readonly VersionCandidate[], _request: RequestContext): Promise<ReadonlyMap<string, GateDecision>> {
    const out = new Map<string, GateDecision>();
    const gen = this.#generation.value;
    const now = this.#deps.clock();
    const misses: { readonly c: VersionCandidate; readonly key: string }[] = [];
    for (const c of candidates) {
      const key = `m\0${gen}\0${c.subject.repo}\0${c.subject.purl}\0${jsonDigest(c.facts)}`;
      const hit = this.#cache.get(key);
      if (hit !== undefined && hit.validUntil > now.getTime()) {
        out.set(c.subject.version, hit.decision);
        this.#deps.observer?.decision('metadata', hit.decision.verdict.kind, hit.decision.source, true);
      } else {
        misses.push({ c, key });
      }
    }
    if (misses.length === 0) return out;
    const exceptionsByName = new Map<string, readonly PolicyException[] | Error>();
    for (const { c } of misses) {
      const k = `${c.subject.ecosystem}\0${c.subject.name}`;
      if (exceptionsByName.has(k)) continue;
      try {
        exceptionsByName.set(k, await this.#deps.store.activeExceptions(c.subject.ecosystem, c.subject.name, now));
      } catch (err) {
        exceptionsByName.set(k, err instanceof Error ? err : new Error(String(err)));
      }
    }
    for (const { c, key } of misses) {
      const exc = exceptionsByName.get(`${c.subject.ecosystem}\0${c.subject.name}`) ?? [];
      let decision: GateDecision;
      if (exc instanceof Error) {
        decision = this.#gateError(exc);
      } else {
        const review = this.#deps.reviews.get(c.subject.repo, c.subject.purl);
        const judged = await this.#judge('metadata', c, null, review, exceptionsFor(c.subject, exc), now);
        decision = judged.decision;
        if (judged.outcome.error === null) this.#cache.set(key, { decision, validUntil: judged.validUntil });
      }
      out.set(c.subject.version, decision);
      this.#deps.observer?.decision('metadata', decision.verdict.kind, decision.source, false);
    }
    return out;
  }

  async judgeArtifact(candidate: VersionCandidate, request: RequestContext): Promise<GateDecision> {
    const { subject } = candidate;
    const now = this.#deps.clock();
    const key = `a\0${this.#generation.value}\0${subject.repo}\0${subject.purl}\0${jsonDigest(candidate.facts)}\0${jsonDigest(requestJson(request))}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.validUntil > now.getTime()) {
      this.#deps.observer?.decision('artifact', hit.decision.verdict.kind, hit.decision.source, true);
      return hit.decision;
    }
    try {
      const latest = await this.#deps.store.latestQuarantine(subject.repo, subject.purl);
      if (latest !== null) this.#deps.reviews.put(latest);
      const review = latest === null ? null : reviewEntryOf(latest);
      const exceptions = exceptionsFor(subject, await this.#deps.store.activeExceptions(subject.ecosystem, subject.name, now));
      const judged = await this.#judge('artifact', candidate, request, review, exceptions, now);
      let decision = judged.decision;
      if (decision.verdict.kind === 'quarantine') {
        const rec = await this.#recorder.openQuarantine(candidate, judged.facts, decision.verdict.reasons, now);
        this.#deps.reviews.put(rec);
        decision = { ...decision, quarantineId: rec.id };
      }
      await this.#recorder.record('artifact', candidate, decision, judged.outcome.policyHash, judged.facts, request, now);
      if (judged.outcome.error === null) this.#cache.set(key, { decision, validUntil: judged.validUntil });
      this.#deps.observer?.decision('artifact', decision.verdict.kind, decision.source, false);
      return decision;
    } catch (err) {
      this.#deps.log?.error({ err, purl: subject.purl }, 'gate failed; blocking (fail closed)');
      const decision = this.#gateError(err);
      this.#deps.observer?.decision('artifact', 'block', 'policy', false);
      return decision;
    }
  }

  #gateError(err: unknown): GateDecision {
    const message = `the gate could not decide (fail closed): ${err instanceof Error ? err.message : String(err)}`;
    const reason: Reason = { message, rule: GATE_ERROR_RULE };
    return { verdict: { kind: 'block', reasons: [reason], warnings: [] }, source: 'policy', quarantineId: null };
  }

  async #collect(phase: DecisionPhase, c: VersionCandidate, request: RequestContext | null): Promise<Facts> {
    if (this.#deps.collectors.length === 0) return c.facts;
    const facts: { [k: string]: Json } = { ...c.facts };
    for (const collector of this.#deps.collectors) {
      let more: Facts;
      try {
        more = await collector.collect(c.subject, phase, c.facts, request);
      } catch (err) {
        throw new Error(`fact collector ${collector.id} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      for (const [k, v] of Object.entries(more)) {
        if (Object.hasOwn(facts, k)) throw new Error(`fact collector ${collector.id} supplies facts.${k}, which is already set`);
        facts[k] = v;
      }
    }
    return facts;
  }

  async #judge(
    phase: DecisionPhase,
    c: VersionCandidate,
    request: RequestContext | null,
    review: ReviewEntry | null,
    exceptions: readonly PolicyException[],
    now: Date,
  ): Promise<Judged> {
    let facts: Facts;
    let outcome: PolicyOutcome;
    try {
      facts = await this.#collect(phase, c, request);
    } catch (err) {
      const message = `policy input incomplete (fail closed): ${err instanceof Error ? err.message : String(err)}`;
      const verdict: Verdict = { kind: 'block', reasons: [{ message, rule: GATE_ERROR_RULE }], warnings: [] };
      outcome = { verdict, policyHash: this.#deps.policy.hash, error: message };
      return { decision: { verdict, source: 'policy', quarantineId: null }, outcome, facts: c.facts, validUntil: 0 };
    }
    const input = buildPolicyInput({ phase, subject: c.subject, facts, request, review: reviewInput(review, now), exceptions, now });
    outcome = this.#deps.policy.decide(inputToJson(input));
    const result = applyOverrides(outcome.verdict, review, exceptions, now);
    const quarantineId = result.reviewId ?? (result.verdict.kind === 'quarantine' && review?.state === 'quarantined' ? review.id : null);
    let validUntil = Number.POSITIVE_INFINITY;
    if (review !== null && isActiveRelease(review, now) && review.expiresAt !== null) validUntil = review.expiresAt.getTime();
    for (const e of exceptions) if (e.expiresAt !== null) validUntil = Math.min(validUntil, e.expiresAt.getTime());
    return { decision: { verdict: result.verdict, source: result.source, quarantineId }, outcome, facts, validUntil };
  }
}

function requestJson(r: RequestContext): Json {
  return { t: r.tokenId, r: r.role ?? null, u: r.userAgent, a: r.agent, i: r.ip };
}
