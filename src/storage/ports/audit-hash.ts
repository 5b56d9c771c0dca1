import { createHash } from 'node:crypto';
import type { AuditEventInput, Json } from './records.ts';

export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted, so the encoding of a value is unique. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as readonly Json[]).map(canonicalJson).join(',')}]`;
  const obj = value as { readonly [k: string]: Json };
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k] as Json)}`).join(',')}}`;
}

/** The chain link: sha256 over the previous hash and this event's canonical encoding. */
export function auditEventHash(seq: number, prevHash: string, event: AuditEventInput): string {
  const body = canonicalJson({
    seq,
    at: event.at.toISOString(),
    actor: event.actor,
    action: event.action,
    subject: event.subject,
    details: event.details,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
