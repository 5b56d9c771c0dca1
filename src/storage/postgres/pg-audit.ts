import { AirlockError } from '../../core/index.ts';
import { auditEventOf, pageSize, prepareAuditEvent, type PreparedAuditEvent } from '../common/index.ts';
import { AUDIT_GENESIS_HASH, auditEventHash } from '../ports/index.ts';
import type { AuditEvent, AuditLog, AuditOf } from '../ports/index.ts';
import { lockFor, pgStorageError } from './pg-client.ts';
import type { PgClient, Queryable, Row } from './pg-client.ts';
import { date, integer, json, text } from './pg-rows.ts';

function toEvent(row: Row): AuditEvent {
  return {
    seq: integer(row, 'seq'),
    at: date(row, 'at'),
    actor: text(row, 'actor'),
    action: text(row, 'action'),
    subject: text(row, 'subject'),
    details: json(row, 'details'),
    prevHash: text(row, 'prev_hash'),
    hash: text(row, 'hash'),
  };
}

/**
 * Chains the event onto the head inside the caller's transaction. Appenders on every node queue
 * on one advisory lock (held to commit), then extend the true head. Taken last in every
 * transaction that takes it, so it closes no lock cycle.
 */
export async function appendAuditIn(q: Queryable, schema: string, prepared: PreparedAuditEvent): Promise<AuditEvent> {
  const { event, detailsText } = prepared;
  await lockFor(q, schema, 'audit');
  const [head] = await q.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
  const seq = head === undefined ? 1 : integer(head, 'seq') + 1;
  const prevHash = head === undefined ? AUDIT_GENESIS_HASH : text(head, 'hash');
  const hash = auditEventHash(seq, prevHash, event);
  await q.query('INSERT INTO audit_events (seq, at, actor, action, subject, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
    seq,
    event.at,
    event.actor,
    event.action,
    event.subject,
    detailsText,
    prevHash,
    hash,
  ]);
  return { ...event, seq, prevHash, hash };
}

/**
 * Runs a change and appends its audit event in one transaction (when `applies` to what the
 * change returned); without an event, just the change.
 */
export async function withAudit<T>(
  client: PgClient,
  audit: AuditOf<T> | undefined,
  change: (q: Queryable) => Promise<T>,
  applies: (result: T) => boolean = () => true,
): Promise<T> {
  if (audit === undefined) return change(client);
  return client.tx(async (q) => {
    const result = await change(q);
    if (applies(result)) await appendAuditIn(q, client.schema, auditEventOf(audit, result));
    return result;
  });
}

export function pgAuditLog(client: PgClient): AuditLog {
  return {
    async appendAudit(input) {
      try {
        const prepared = prepareAuditEvent(input);
        return await client.tx((q) => appendAuditIn(q, client.schema, prepared));
      } catch (err) {
        throw pgStorageError(err, 'appendAudit');
      }
    },

    async listAudit(filter) {
      try {
        const after = filter.afterSeq ?? 0;
        if (!Number.isSafeInteger(after) || after < 0) throw new AirlockError('BAD_REQUEST', 'afterSeq must be a non-negative integer');
        const rows = await client.query('SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2', [after, pageSize(filter.limit)]);
        return rows.map(toEvent);
      } catch (err) {
        throw pgStorageError(err, 'listAudit');
      }
    },

    async firstAuditSeqAtOrAfter(at) {
      try {
        if (!Number.isFinite(at.getTime())) throw new AirlockError('BAD_REQUEST', 'the time must be a valid date');
        // OFFSET 0 keeps the planner from turning MIN into a walk of the primary key in seq
        // order that stops at the first row on or after the time (the whole table for a recent
        // time): the rows come from the time index, and only those from `at` on.
        const [row] = await client.query('SELECT MIN(seq) AS seq FROM (SELECT seq FROM audit_events WHERE at >= $1 OFFSET 0) AS later', [at]);
        return row === undefined || row['seq'] === null ? null : integer(row, 'seq');
      } catch (err) {
        throw pgStorageError(err, 'firstAuditSeqAtOrAfter');
      }
    },
  };
}
