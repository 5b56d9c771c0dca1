/**
 * What a webhook receives for an audit event: the Standard Webhooks envelope (`type`,
 * `timestamp`, `data`) around the event exactly as the audit trail holds it, chain links
 * included, so a receiver can check an event against `airlock audit verify`'s chain or the
 * audit API. Its `webhook-id` is stable for the event, whatever the attempt: the receiver's
 * idempotency key.
 */
import type { AuditEvent, Json } from '../storage/ports/index.ts';
import { chatText } from './chat.ts';

/**
 * What a delivery's body is: the Standard Webhooks envelope around the audit event (`standard`),
 * or a line for people in a chat channel, `{"text": …}` (`slack`: Slack's incoming webhooks, and
 * Mattermost's, Rocket.Chat's, Google Chat's).
 */
export type WebhookFormat = 'standard' | 'slack';

/** The body of an event's delivery in `format`; `reviewUrl`: where the review UI is, when known (chat messages link it). */
export function deliveryBody(format: WebhookFormat, e: AuditEvent, reviewUrl: string | null): Buffer {
  return format === 'slack' ? Buffer.from(JSON.stringify({ text: chatText(e, reviewUrl) })) : eventBody(e);
}

/** Details larger than this are left out of the delivery (the audit API has them). */
export const MAX_DETAILS_BYTES = 64 * 1024;

/** The `webhook-id` of an event: its seq and the start of its hash (unique even across stores). */
export function deliveryId(e: Pick<AuditEvent, 'seq' | 'hash'>): string {
  return `aud_${e.seq}_${e.hash.slice(0, 16)}`;
}

export function eventBody(e: AuditEvent): Buffer {
  let details: Json = e.details;
  const size = Buffer.byteLength(JSON.stringify(details));
  const omitted = size > MAX_DETAILS_BYTES;
  if (omitted) details = null;
  const data: { [k: string]: Json } = {
    seq: e.seq,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    details,
    prevHash: e.prevHash,
    hash: e.hash,
  };
  if (omitted) data['detailsOmitted'] = `the details are ${size} bytes, more than a delivery carries; read them with GET /-/api/audit?after=${e.seq - 1}&limit=1`;
  return Buffer.from(JSON.stringify({ type: e.action, timestamp: data['at'], data }));
}

/** The body of `airlock webhooks test`: an event of type `webhook.test` that is in no audit trail. */
export function testBody(name: string, at: Date, actor: string, format: WebhookFormat = 'standard'): Buffer {
  if (format === 'slack') return Buffer.from(JSON.stringify({ text: `Airlock: a test delivery to the webhook ${name}, sent by ${actor}; it is not in the audit trail` }));
  return Buffer.from(JSON.stringify({ type: 'webhook.test', timestamp: at.toISOString(), data: { webhook: name, actor, message: 'a test delivery from Airlock; it is not in the audit trail' } }));
}
