/**
 * The configured webhooks of one gateway: a dispatcher each, what the admin API shows of them,
 * and the administrator's moves (a test delivery, skipping the event a receiver keeps refusing,
 * replaying from an earlier event).
 */
import { randomUUID } from 'node:crypto';
import { AirlockError } from '../core/index.ts';
import { auditHead, type AuditEventInput, type AuditLog, type WebhookCursor, type WebhookCursorStore } from '../storage/ports/index.ts';
import type { Attempt, WebhookSender } from './delivery.ts';
import { DEFAULT_TIMING, WebhookDispatcher, type DispatcherDeps, type DispatcherTiming, type WebhookTarget } from './dispatcher.ts';
import { eventFilter } from './events.ts';
import { deliveryBody, testBody, type WebhookFormat } from './payload.ts';

export interface WebhookDefinition {
  readonly name: string;
  readonly url: URL;
  /** The URL as shown: only its origin when it was given by reference (it may hold a token). */
  readonly display: string;
  readonly events: readonly string[];
  /** The HMAC key, or null: unsigned. */
  readonly key: Buffer | null;
  readonly sender: WebhookSender;
  /** The body's form (default `standard`). */
  readonly format?: WebhookFormat;
  /** Where the review UI is (the server's public URL), for chat messages to link; null: unknown. */
  readonly reviewUrl?: string | null;
}

export interface WebhookStatus {
  readonly name: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly signed: boolean;
  /** The newest audit event. */
  readonly head: number;
  /** The last audit event done with (delivered or not taken); null before the first delivery poll found work. */
  readonly seq: number | null;
  /** Audit events after `seq` not looked at yet (some may not be taken). */
  readonly behind: number;
  /** Failed attempts at the event after `seq`. */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly failingSince: string | null;
  readonly deliveredAt: string | null;
  /** A gateway holds the delivery lease now. */
  readonly delivering: boolean;
}

export interface WebhooksDeps {
  readonly store: AuditLog & WebhookCursorStore;
  readonly clock: () => Date;
  readonly observe?: DispatcherDeps['observe'];
  readonly log?: DispatcherDeps['log'];
}

export class Webhooks {
  readonly #deps: WebhooksDeps;
  readonly #hooks = new Map<string, { readonly def: WebhookDefinition; readonly dispatcher: WebhookDispatcher }>();
  /** This process in the leases it takes. */
  readonly holder = `gw-${randomUUID()}`;

  constructor(deps: WebhooksDeps, defs: readonly WebhookDefinition[], timing: DispatcherTiming = DEFAULT_TIMING) {
    this.#deps = deps;
    for (const def of defs) {
      const format = def.format ?? 'standard';
      const reviewUrl = def.reviewUrl ?? null;
      const target: WebhookTarget = { name: def.name, url: def.url, key: def.key, accepts: eventFilter(def.events), body: (e) => deliveryBody(format, e, reviewUrl) };
      const dispatcher = new WebhookDispatcher({ ...deps, sender: def.sender, holder: this.holder }, target, timing);
      this.#hooks.set(def.name, { def, dispatcher });
    }
  }

  get size(): number {
    return this.#hooks.size;
  }

  /** Starts every dispatcher; a webhook never delivered before takes the events from now on. */
  async start(): Promise<void> {
    if (this.#hooks.size === 0) return;
    const head = await auditHead(this.#deps.store);
    for (const { dispatcher } of this.#hooks.values()) dispatcher.start(head);
  }

  /** One delivery poll of every webhook (what the timers run). */
  async poll(): Promise<void> {
    await Promise.all([...this.#hooks.values()].map(({ dispatcher }) => dispatcher.poll()));
  }

  async list(): Promise<readonly WebhookStatus[]> {
    const [head, stored] = await Promise.all([auditHead(this.#deps.store), this.#deps.store.listWebhookCursors()]);
    const cursors = new Map(stored.map((c) => [c.name, c]));
    const now = this.#deps.clock().getTime();
    return [...this.#hooks.values()].map(({ def }): WebhookStatus => {
      const c = cursors.get(def.name);
      return {
        name: def.name,
        url: def.display,
        events: def.events,
        signed: def.key !== null,
        head,
        seq: c?.seq ?? null,
        behind: c === undefined ? 0 : Math.max(0, head - c.seq),
        attempts: c?.attempts ?? 0,
        lastError: c?.lastError ?? null,
        failingSince: c?.failingSince?.toISOString() ?? null,
        deliveredAt: c?.deliveredAt?.toISOString() ?? null,
        delivering: c !== undefined && c.holder !== null && c.leaseUntil !== null && c.leaseUntil.getTime() > now,
      };
    });
  }

  /** Sends a `webhook.test` event (in no audit trail) now, and says how the receiver answered. */
  async test(name: string, actor: string): Promise<Attempt> {
    const { def } = this.#get(name);
    const at = this.#deps.clock();
    const id = `test_${randomUUID().replaceAll('-', '')}`;
    return def.sender.send({ url: def.url, key: def.key }, id, testBody(name, at, actor, def.format ?? 'standard'), at);
  }

  /**
   * Gives up on the event the webhook keeps failing to deliver: the cursor moves past it (only if
   * it still stands before it) and the next event goes out. Recorded as `webhook.skip`.
   */
  async skip(name: string, actor: string, reason: string): Promise<WebhookCursor> {
    const { dispatcher } = this.#get(name);
    const c = await this.#deps.store.getWebhookCursor(name);
    if (c === null || c.attempts === 0) throw new AirlockError('CONFLICT', `webhook ${name} is not failing to deliver an event: nothing to skip`);
    const skipped = c.seq + 1;
    const audit: AuditEventInput = { at: this.#deps.clock(), actor, action: 'webhook.skip', subject: name, details: { seq: skipped, attempts: c.attempts, lastError: c.lastError, reason } };
    const moved = await this.#deps.store.setWebhookCursor(name, skipped, this.#deps.clock(), { ifSeq: c.seq, audit });
    if (moved === null) throw new AirlockError('CONFLICT', `webhook ${name} moved on while skipping (the event was delivered or skipped already); look again`);
    dispatcher.wake();
    return moved;
  }

  /** Delivers again every event from `fromSeq` on (the receiver lost them). Recorded as `webhook.replay`. */
  async replay(name: string, fromSeq: number, actor: string, reason: string): Promise<WebhookCursor> {
    const { dispatcher } = this.#get(name);
    const head = await auditHead(this.#deps.store);
    if (!Number.isSafeInteger(fromSeq) || fromSeq < 1 || fromSeq > head + 1) {
      throw new AirlockError('BAD_REQUEST', `fromSeq must be an audit seq from 1 to ${head + 1} (the next event)`);
    }
    const at = this.#deps.clock();
    const audit: AuditEventInput = { at, actor, action: 'webhook.replay', subject: name, details: { fromSeq, reason } };
    const moved = await this.#deps.store.setWebhookCursor(name, fromSeq - 1, at, { audit });
    if (moved === null) throw new AirlockError('INTERNAL', `webhook ${name}: the cursor could not be set`);
    dispatcher.wake();
    return moved;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#hooks.values()].map(({ dispatcher }) => dispatcher.close()));
    for (const { def } of this.#hooks.values()) def.sender.close();
  }

  #get(name: string): { readonly def: WebhookDefinition; readonly dispatcher: WebhookDispatcher } {
    const hook = this.#hooks.get(name);
    if (hook === undefined) throw new AirlockError('NOT_FOUND', `no webhook named ${JSON.stringify(name.slice(0, 64))} is configured`);
    return hook;
  }
}
