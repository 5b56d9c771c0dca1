/**
 * Keeps one gateway's view of review state in step with the others sharing its store. Every
 * state change is appended to the audit trail, so the trail doubles as a change feed: the sync
 * polls for events after the last one it saw and, when a quarantine record changed or an
 * exception was created or deleted (by any process), refreshes the review index and invalidates
 * the gate — so releases made through another node reach this node's metadata views within one
 * poll interval. A token revoked through another node stops working here in the same time.
 */
import { PeriodicTask } from '../core/index.ts';
import { auditHead, type AuditLog, type QuarantineStore } from '../storage/ports/index.ts';
import type { GateControl } from './quarantine-service.ts';
import type { ReviewIndex } from './review-index.ts';

export interface ReviewSyncDeps {
  readonly store: AuditLog & QuarantineStore;
  readonly reviews: ReviewIndex;
  readonly gate: GateControl;
  /** The API's verified-token cache, forgotten when a token was revoked. */
  readonly tokens?: { forgetVerified(): void };
  readonly log?: { error(obj: object, msg: string): void };
}

const PAGE = 500;

export class ReviewSync {
  readonly #deps: ReviewSyncDeps;
  readonly #task: PeriodicTask<boolean>;
  #last = 0;

  constructor(deps: ReviewSyncDeps, options: { readonly intervalMs: number }) {
    this.#deps = deps;
    this.#task = new PeriodicTask(() => this.#pollOnce(), options.intervalMs);
  }

  async start(): Promise<void> {
    this.#last = await auditHead(this.#deps.store);
    this.#task.start();
  }

  /** Reads new audit events; returns true when review state changed (and the gate was invalidated). */
  poll(): Promise<boolean> {
    return this.#task.run();
  }

  async #pollOnce(): Promise<boolean> {
    let changed = false;
    let revoked = false;
    try {
      const records = new Set<string>();
      let last = this.#last;
      for (;;) {
        const events = await this.#deps.store.listAudit({ afterSeq: last, limit: PAGE });
        for (const e of events) {
          last = e.seq;
          if (e.action.startsWith('quarantine.')) records.add(e.subject);
          else if (e.action.startsWith('exception.')) changed = true;
          else if (e.action === 'token.revoke') revoked = true;
        }
        if (events.length < PAGE) break;
      }
      for (const id of records) {
        const rec = await this.#deps.store.getQuarantine(id);
        if (rec === null) continue;
        const known = this.#deps.reviews.get(rec.repo, rec.purl);
        this.#deps.reviews.put(rec);
        // Changes this process made itself are already in the index (and already invalidated);
        // a newly opened record does not change any verdict.
        const same =
          known !== null && known.id === rec.id && known.state === rec.state && known.expiresAt?.getTime() === rec.expiresAt?.getTime();
        const onlyOpened = rec.state === 'quarantined' && (known === null || known.state === 'quarantined');
        if (!same && !onlyOpened) changed = true;
      }
      this.#last = last;
    } catch (err) {
      // Events after the last fully processed one are read again at the next poll.
      this.#deps.log?.error({ err }, 'review sync failed; retrying at the next interval');
    }
    if (revoked) this.#deps.tokens?.forgetVerified();
    if (changed) this.#deps.gate.invalidate();
    return changed;
  }

  close(): Promise<void> {
    return this.#task.stop();
  }
}
