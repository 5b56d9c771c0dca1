import { AirlockError } from '../../core/index.ts';
import { encodeJson, normaliseJson, pageSize, requireText, toMillis } from '../common/index.ts';
import { AUDIT_GENESIS_HASH, auditEventHash } from '../ports/index.ts';
import type { AuditEvent, AuditEventInput, AuditLog } from '../ports/index.ts';
import { lockFor, pgStorageError } from './pg-client.ts';
import type { PgClient, Row } from './pg-client.ts';
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

export function pgAuditLog(client: PgClient): AuditLog {
  return {
    async appendAudit(input) {
      try {
        const event: AuditEventInput = {
          at: new Date(toMillis(input.at, 'audit event time')),
          actor: requireText(input.actor, 'audit actor', 256),
          action: requireText(input.action, 'audit action', 256),
          subject: requireText(input.subject, 'audit subject'),
          details: normaliseJson(input.details, 'audit details'),
        };
        const detailsText = encodeJson(event.details, 'audit details');
        // Appenders on every node queue on one advisory lock, then extend the true head.
        return await client.tx(async (q): Promise<AuditEvent> => {
          await lockFor(q, client.schema, 'audit');
          const [head] = await q.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
          const seq = head === undefined ? 1 : integer(head, 'seq') + 1;
          const prevHash = head === undefined ? AUDIT_GENESIS_HASH : text(head, 'hash');
          const hash = auditEventHash(seq, prevHash, event);
          await q.query(
            'INSERT INTO audit_events (seq, at, actor, action, subject, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
            [seq, event.at, event.actor, event.action, event.subject, detailsText, prevHash, hash],
          );
          return { ...event, seq, prevHash, hash };
        });
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
  };
}
