import { AirlockError } from '../../core/index.ts';
import { auditEventOf, pageSize, prepareAuditEvent, type PreparedAuditEvent } from '../common/index.ts';
import { AUDIT_GENESIS_HASH, auditEventHash } from '../ports/index.ts';
import type { AuditEvent, AuditLog, AuditOf } from '../ports/index.ts';
import { storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { date, integer, json, text } from './rows.ts';
import type { Row } from './rows.ts';

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
 * Chains the event onto the head, inside the caller's write (the write lock is held: no other
 * process can move the head until the write's group commits).
 */
export function appendAuditIn(conn: SqliteConnection, prepared: PreparedAuditEvent): AuditEvent {
  const { event, detailsText } = prepared;
  const head = conn.statement('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get();
  const seq = head === undefined ? 1 : integer(head, 'seq') + 1;
  const prevHash = head === undefined ? AUDIT_GENESIS_HASH : text(head, 'hash');
  const hash = auditEventHash(seq, prevHash, event);
  conn
    .statement('INSERT INTO audit_events (seq, at, actor, action, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(seq, event.at.getTime(), event.actor, event.action, event.subject, detailsText, prevHash, hash);
  return { ...event, seq, prevHash, hash };
}

/**
 * Runs a change and appends its audit event in one write (when `applies` to what the change
 * returned); without an event, just the change.
 */
export function withAudit<T>(conn: SqliteConnection, audit: AuditOf<T> | undefined, change: () => T, applies: (result: T) => boolean = () => true): Promise<T> {
  return conn.write(() => {
    const result = change();
    if (audit !== undefined && applies(result)) appendAuditIn(conn, auditEventOf(audit, result));
    return result;
  });
}

export function sqliteAuditLog(conn: SqliteConnection): AuditLog {
  return {
    async appendAudit(input) {
      try {
        const prepared = prepareAuditEvent(input);
        // The write lock is taken before the head is read: appenders in other processes wait,
        // so seq and prevHash always extend the true head.
        return await conn.write(() => appendAuditIn(conn, prepared));
      } catch (err) {
        throw storageError(err, 'appendAudit');
      }
    },

    async listAudit(filter) {
      try {
        const after = filter.afterSeq ?? 0;
        if (!Number.isSafeInteger(after) || after < 0) throw new AirlockError('BAD_REQUEST', 'afterSeq must be a non-negative integer');
        return conn
          .statement('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?')
          .all(after, pageSize(filter.limit))
          .map(toEvent);
      } catch (err) {
        throw storageError(err, 'listAudit');
      }
    },

    async firstAuditSeqAtOrAfter(at) {
      try {
        const ms = at.getTime();
        if (!Number.isFinite(ms)) throw new AirlockError('BAD_REQUEST', 'the time must be a valid date');
        // Named, or the planner walks the table in seq order until a row matches: the whole
        // table for a recent time.
        const row = conn.statement('SELECT MIN(seq) AS seq FROM audit_events INDEXED BY audit_events_by_at WHERE at >= ?').get(ms);
        return row === undefined || row['seq'] === null ? null : integer(row, 'seq');
      } catch (err) {
        throw storageError(err, 'firstAuditSeqAtOrAfter');
      }
    },
  };
}
