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

export function prepareAuditEvent(input: AuditEventInput): PreparedAuditEvent {
  const event: AuditEventInput = {
    at: new Date(toMillis(input.at, 'audit event time')),
    actor: requireText(input.actor, 'audit actor', 256),
    action: requireText(input.action, 'audit action', 256),
    subject: requireText(input.subject, 'audit subject'),
    details: normaliseJson(input.details, 'audit details'),
  };
  return { event, detailsText: encodeJson(event.details, 'audit details') };
}

/** The event a state change is audited with, given what the change produced. */
export function auditEventOf<T>(audit: AuditOf<T>, result: T): PreparedAuditEvent {
  return prepareAuditEvent(typeof audit === 'function' ? audit(result) : audit);
}
