/**
 * Writes artifact-phase decisions, quarantine records and their audit events. A decision is
 * recorded when a version is judged under a policy with an outcome not recorded before in this
 * process (verdict, source, reasons, quarantine record); repeated downloads of the same judged
 * artifact do not add rows.
 */
import { Lru, type Reason } from '../core/index.ts';
import type {
  DecisionLog,
  DecisionPhase,
  Json,
  QuarantineRecord,
  QuarantineStore,
  RequestContext,
} from '../storage/ports/index.ts';
import { digestText, jsonDigest } from './facts-digest.ts';
import type { Facts, GateDecision, VersionCandidate } from './types.ts';

function reasonsJson(reasons: readonly Reason[]): Json {
  return reasons.map((r) => {
    const o: { [k: string]: Json } = { message: r.message };
    if (r.rule !== undefined) o['rule'] = r.rule;
    return o;
  });
}

function requestJson(r: RequestContext): Json {
  return { tokenId: r.tokenId, role: r.role ?? null, userAgent: r.userAgent, agent: r.agent, ip: r.ip, requestId: r.requestId };
}

export class DecisionRecorder {
  readonly #store: QuarantineStore & DecisionLog;
  readonly #newId: () => string;
  readonly #seen: Lru<string, true>;

  constructor(store: QuarantineStore & DecisionLog, newId: () => string, size: number) {
    this.#store = store;
    this.#newId = newId;
    this.#seen = new Lru(size);
  }

  /** Opens (or finds the already open) quarantine record; audits a newly opened one. */
  async openQuarantine(c: VersionCandidate, facts: Facts, reasons: readonly Reason[], now: Date): Promise<QuarantineRecord> {
    const id = this.#newId();
    const { subject } = c;
    // Audited in the same transaction, and only when this call opened the record.
    return this.#store.openQuarantine(
      {
        id,
        repo: subject.repo,
        purl: subject.purl,
        ecosystem: subject.ecosystem,
        name: subject.name,
        version: subject.version,
        state: 'quarantined',
        reasons,
        facts,
        createdAt: now,
        updatedAt: now,
        decidedBy: null,
        decidedAt: null,
        decisionReason: null,
        expiresAt: null,
        contentDigest: c.content?.digest ?? null,
      },
      {
        at: now,
        actor: 'policy',
        action: 'quarantine.open',
        subject: id,
        details: { repo: subject.repo, purl: subject.purl, reasons: reasonsJson(reasons) },
      },
    );
  }

  async record(
    phase: DecisionPhase,
    c: VersionCandidate,
    decision: GateDecision,
    policyHash: string,
    facts: Facts,
    request: RequestContext,
    now: Date,
  ): Promise<void> {
    const { subject } = c;
    const v = decision.verdict;
    const reasons = v.kind === 'allow' ? [] : v.reasons;
    // Kept as a digest: the joined key is long (purl, two digests) and thousands are remembered.
    const key = digestText([
      policyHash,
      subject.repo,
      subject.purl,
      phase,
      v.kind,
      decision.source,
      decision.quarantineId ?? '',
      jsonDigest(reasonsJson(reasons)),
      jsonDigest(facts),
    ].join('\0'));
    if (this.#seen.get(key) !== undefined) return;
    const id = this.#newId();
    // The decision and its audit event are stored together or not at all.
    await this.#store.recordDecision(
      {
        id,
        repo: subject.repo,
        purl: subject.purl,
        phase,
        verdict: v.kind,
        reasons,
        warnings: v.warnings,
        policyHash,
        facts,
        request,
        createdAt: now,
      },
      {
        at: now,
        actor: 'policy',
        action: `decision.${v.kind}`,
        subject: subject.purl,
        details: {
          decision: id,
          repo: subject.repo,
          phase,
          source: decision.source,
          policyHash,
          quarantine: decision.quarantineId,
          reasons: reasonsJson(reasons),
          warnings: reasonsJson(v.warnings),
          request: requestJson(request),
        },
      },
    );
    this.#seen.set(key, true);
  }
}
