/**
 * The review workflow: list and show quarantine records, release (optionally until an expiry)
 * and reject. Every transition is audited and invalidates the gate at once, so the very next
 * metadata request and download see it.
 */
import { AirlockError, writtenText } from '../core/index.ts';
import type { Page, QuarantineFilter, QuarantineRecord, QuarantineStore } from '../storage/ports/index.ts';
import type { ReviewIndex } from './review-index.ts';

export interface GateControl {
  invalidate(): void;
}

export interface QuarantineServiceDeps {
  readonly store: QuarantineStore;
  readonly reviews: ReviewIndex;
  readonly gate: GateControl;
  readonly clock?: () => Date;
}

export interface ReviewRequest {
  /** `token:<id>` of the reviewer. */
  readonly actor: string;
  readonly reason: string;
}

const MAX_REASON_CHARS = 2000;

const checkReason = (reason: string): string => writtenText(reason, 'the reason', MAX_REASON_CHARS);

export class QuarantineService {
  readonly #store: QuarantineStore;
  readonly #reviews: ReviewIndex;
  readonly #gate: GateControl;
  readonly #clock: () => Date;

  constructor(deps: QuarantineServiceDeps) {
    this.#store = deps.store;
    this.#reviews = deps.reviews;
    this.#gate = deps.gate;
    this.#clock = deps.clock ?? (() => new Date());
  }

  list(filter: QuarantineFilter): Promise<Page<QuarantineRecord>> {
    return this.#store.listQuarantine(filter);
  }

  async get(id: string): Promise<QuarantineRecord> {
    const rec = await this.#store.getQuarantine(id);
    if (rec === null) throw new AirlockError('NOT_FOUND', `no quarantine record ${JSON.stringify(id.slice(0, 64))}`);
    return rec;
  }

  async release(id: string, req: ReviewRequest & { readonly expiresAt: Date | null }): Promise<QuarantineRecord> {
    const reason = checkReason(req.reason);
    const at = this.#clock();
    if (req.expiresAt !== null && req.expiresAt.getTime() <= at.getTime()) {
      throw new AirlockError('BAD_REQUEST', 'expiry must be in the future');
    }
    const rec = await this.#store.transitionQuarantine(id, { to: 'released', actor: req.actor, reason, at, expiresAt: req.expiresAt }, (r) => ({
      at,
      actor: req.actor,
      action: 'quarantine.release',
      subject: r.id,
      details: { repo: r.repo, purl: r.purl, reason, expiresAt: req.expiresAt?.toISOString() ?? null },
    }));
    this.#reviews.put(rec);
    this.#gate.invalidate();
    return rec;
  }

  async reject(id: string, req: ReviewRequest): Promise<QuarantineRecord> {
    const reason = checkReason(req.reason);
    const at = this.#clock();
    const rec = await this.#store.transitionQuarantine(id, { to: 'rejected', actor: req.actor, reason, at, expiresAt: null }, (r) => ({
      at,
      actor: req.actor,
      action: 'quarantine.reject',
      subject: r.id,
      details: { repo: r.repo, purl: r.purl, reason },
    }));
    this.#reviews.put(rec);
    this.#gate.invalidate();
    return rec;
  }
}
