/**
 * What both drivers do to an audit event before they chain it: validate, keep the time to the
 * millisecond and normalise the details, so that what is hashed is exactly what reads back.
 */
import type { AuditEventInput, AuditOf } from '../ports/index.ts';
import { encodeJson, normaliseJson } from './json.ts';
import { requireText, toMillis } from './validate.ts';

export interface PreparedAuditEvent {
  readonly event: AuditEventInput;
  /** `event.details` as stored. */
  readonly detailsText: string;
}

/**
 * A text field of an event as every store keeps it. A lone surrogate (half of a pair a slice cut,
 * or an escape in some JSON) has no UTF-8, so the stores write U+FFFD in its place: the event is
 * hashed with U+FFFD too, or its chain would not verify once read back (it did not: an actor
 * ending in half an emoji broke `airlock audit verify` for good).
 */
function auditText(value: string, what: string, maxLength?: number): string {
  return requireText(value, what, maxLength).toWellFormed();
}

export function prepareAuditEvent(input: AuditEventInput): PreparedAuditEvent {
  const event: AuditEventInput = {
    at: new Date(toMillis(input.at, 'audit event time')),
    actor: auditText(input.actor, 'audit actor', 256),
    action: auditText(input.action, 'audit action', 256),
    subject: auditText(input.subject, 'audit subject'),
    details: normaliseJson(input.details, 'audit details'),
  };
  return { event, detailsText: encodeJson(event.details, 'audit details') };
}

/** The event a state change is audited with, given what the change produced. */
export function auditEventOf<T>(audit: AuditOf<T>, result: T): PreparedAuditEvent {
  return prepareAuditEvent(typeof audit === 'function' ? audit(result) : audit);
}
