/**
 * Delivers one webhook's events from the audit trail, which is its outbox: every change Airlock
 * records is an audit event written in the change's own transaction, so an event is never lost
 * between the change and its delivery, whatever crashes. The webhook's cursor in the store says
 * how far delivery got; the gateway delivering holds a lease on it, so gateways sharing a store
 * deliver each event once between them, and in order.
 *
 * Each event is delivered at least once, in audit order, one at a time: an event that fails is
 * retried (on a schedule, or when the receiver's `Retry-After` asks) and nothing after it is sent
 * until it is delivered or an administrator skips it. The retries never give up on their own: a
 * security team's receiver missing a quarantine is worse than a late one. Events the webhook does
 * not take move the cursor without a request.
 */
import { PeriodicTask } from '../core/index.ts';
import type { AuditEvent, AuditLog, WebhookCursor, WebhookCursorStore, WebhookProgress } from '../storage/ports/index.ts';
import type { Attempt, Receiver, WebhookSender } from './delivery.ts';
import type { EventFilter } from './events.ts';
import { deliveryId } from './payload.ts';

export interface WebhookTarget extends Receiver {
  readonly name: string;
  readonly accepts: EventFilter;
  /** The body of an event's delivery (its format). */
  readonly body: (e: AuditEvent) => Buffer;
}

export interface DispatcherDeps {
  readonly store: AuditLog & WebhookCursorStore;
  readonly sender: WebhookSender;
  readonly clock: () => Date;
  /** This process, as the lease names it. */
  readonly holder: string;
  readonly observe?: ((name: string, attempt: Attempt) => void) | undefined;
  readonly log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void } | undefined;
}

export interface DispatcherTiming {
  /** How often the audit trail is looked at for new events. */
  readonly pollMs: number;
  /** How long a lease holds without being renewed (renewed before every attempt). */
  readonly leaseMs: number;
  /** The wait after the 1st, 2nd … failed attempt at an event; the last one repeats. */
  readonly retryDelaysMs: readonly number[];
  /** The longest wait a receiver's `Retry-After` is followed for. */
  readonly maxRetryAfterMs: number;
}

/** 5 s, 30 s, 2 min, 10 min, 30 min, then hourly (the Standard Webhooks schedule, capped at an hour). */
export const DEFAULT_TIMING: DispatcherTiming = {
  pollMs: 1000,
  leaseMs: 60_000,
  retryDelaysMs: [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000],
  maxRetryAfterMs: 3_600_000,
};

/** Audit events read per page. */
const PAGE = 200;

export class WebhookDispatcher {
  readonly #deps: DispatcherDeps;
  readonly #target: WebhookTarget;
  readonly #timing: DispatcherTiming;
  readonly #task: PeriodicTask<void>;
  /** Where a webhook seen for the first time starts: the audit head when this process started. */
  #startSeq = 0;
  /** No attempt before this (epoch ms): a retry's wait, kept here too for a `Retry-After` longer than the schedule's. */
  #notBefore = 0;
  /** The failed attempts `#notBefore` waits after (a wait this process chose, maybe the receiver's). */
  #waited: number | null = null;

  constructor(deps: DispatcherDeps, target: WebhookTarget, timing: DispatcherTiming = DEFAULT_TIMING) {
    this.#deps = deps;
    this.#target = target;
    this.#timing = timing;
    this.#task = new PeriodicTask(() => this.#pollOnce(), timing.pollMs);
  }

  get name(): string {
    return this.#target.name;
  }

  get target(): WebhookTarget {
    return this.#target;
  }

  /** Starts polling; a webhook without a cursor yet takes the events after `headSeq`. */
  start(headSeq: number): void {
    this.#startSeq = headSeq;
    this.#task.start();
  }

  /** One poll (or the one under way): delivers what is due. */
  poll(): Promise<void> {
    return this.#task.run();
  }

  /** Forgets a wait, so the next poll attempts at once (after an administrator moved the cursor). */
  wake(): void {
    this.#notBefore = 0;
    this.#waited = null;
  }

  async close(): Promise<void> {
    await this.#task.stop();
    await this.#deps.store.releaseWebhook(this.#target.name, this.#deps.holder).catch(() => undefined);
  }

  async #pollOnce(): Promise<void> {
    try {
      await this.#deliverDue();
    } catch (err) {
      // The store failed: the cursor still says where delivery stands, and the next poll goes on from there.
      this.#deps.log?.error({ err, webhook: this.#target.name }, 'webhook delivery stopped by a storage error; retrying at the next poll');
    }
  }

  async #deliverDue(): Promise<void> {
    const { store, clock, holder } = this.#deps;
    const name = this.#target.name;
    if (clock().getTime() < this.#notBefore) return;
    // Read-only while there is nothing to do: an idle webhook writes nothing.
    const known = await store.getWebhookCursor(name);
    const after = known?.seq ?? this.#startSeq;
    if ((await store.listAudit({ afterSeq: after, limit: 1 })).length === 0) return;
    let cur = await this.#claim();
    if (cur === null) return;
    // A wait another gateway (or an earlier run of this one) started holds here too.
    if (cur.attempts > 0 && cur.attempts !== this.#waited) {
      const due = cur.updatedAt.getTime() + this.#delay(cur.attempts);
      if (clock().getTime() < due) {
        this.#notBefore = due;
        return;
      }
    }
    for (;;) {
      const events = await store.listAudit({ afterSeq: cur.seq, limit: PAGE });
      // The last seq of a run of events the webhook does not take.
      let passed = cur.seq;
      for (const e of events) {
        if (!this.#target.accepts(e.action)) {
          passed = e.seq;
          continue;
        }
        if (passed > cur.seq) {
          cur = await this.#advance(cur, { seq: passed, attempts: 0, lastError: null, failingSince: null, deliveredAt: null, at: clock() });
          if (cur === null) return;
        }
        // Renewed before each attempt; the cursor moved by someone else (a skip, a replay) ends this poll.
        const renewed = await this.#claim();
        if (renewed === null || renewed.seq !== cur.seq) return;
        cur = renewed;
        const attempt = await this.#deps.sender.send(this.#target, deliveryId(e), this.#target.body(e), clock());
        this.#deps.observe?.(name, attempt);
        const at = clock();
        if (attempt.ok) {
          cur = await this.#advance(cur, { seq: e.seq, attempts: 0, lastError: null, failingSince: null, deliveredAt: at, at });
          if (cur === null) return;
          passed = e.seq;
          continue;
        }
        const attempts = cur.attempts + 1;
        await this.#advance(cur, { seq: cur.seq, attempts, lastError: attempt.error, failingSince: cur.failingSince ?? at, deliveredAt: null, at });
        const wait = attempt.retryAfterMs === null ? this.#delay(attempts) : Math.min(Math.max(attempt.retryAfterMs, 1000), this.#timing.maxRetryAfterMs);
        this.#notBefore = at.getTime() + wait;
        this.#waited = attempts;
        this.#deps.log?.warn(
          { webhook: name, seq: e.seq, action: e.action, attempts, retryInMs: wait, error: attempt.error },
          `webhook ${name}: delivery of audit event ${e.seq} failed; nothing after it is sent until it is delivered or skipped`,
        );
        return;
      }
      if (passed > cur.seq) {
        cur = await this.#advance(cur, { seq: passed, attempts: 0, lastError: null, failingSince: null, deliveredAt: null, at: clock() });
        if (cur === null) return;
      }
      if (events.length < PAGE) return;
    }
  }

  #claim(): Promise<WebhookCursor | null> {
    const now = this.#deps.clock();
    return this.#deps.store.claimWebhook(this.#target.name, this.#deps.holder, now, new Date(now.getTime() + this.#timing.leaseMs), this.#startSeq);
  }

  /** The cursor after `progress`, or null when the lease was lost or the cursor moved (nothing written). */
  async #advance(cur: WebhookCursor, progress: WebhookProgress): Promise<WebhookCursor | null> {
    if (!(await this.#deps.store.advanceWebhook(cur.name, this.#deps.holder, cur.seq, progress))) return null;
    return { ...cur, ...progress, deliveredAt: progress.deliveredAt ?? cur.deliveredAt, updatedAt: progress.at };
  }

  /** The wait after `attempts` failed attempts, give or take a tenth (so retries from many gateways spread). */
  #delay(attempts: number): number {
    const delays = this.#timing.retryDelaysMs;
    const base = delays[Math.min(attempts, delays.length) - 1] ?? 0;
    return Math.round(base * (0.9 + 0.2 * jitter(this.#target.name, attempts)));
  }
}

/** A stable fraction in [0, 1) per webhook and attempt: the same wait whichever gateway computes it. */
function jitter(name: string, attempts: number): number {
  let h = 2166136261;
  for (const c of `${name}\0${attempts}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return (h >>> 0) / 2 ** 32;
}
