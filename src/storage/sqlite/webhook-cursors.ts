import { AirlockError } from '../../core/index.ts';
import { toMillis, webhookHolder, webhookName, webhookProgressRow, webhookSeq } from '../common/index.ts';
import type { WebhookCursor, WebhookCursorStore } from '../ports/index.ts';
import { storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { withAudit } from './audit.ts';
import { date, dateOrNull, integer, text, textOrNull } from './rows.ts';
import type { Row } from './rows.ts';

function toCursor(row: Row): WebhookCursor {
  return {
    name: text(row, 'name'),
    seq: integer(row, 'seq'),
    attempts: integer(row, 'attempts'),
    lastError: textOrNull(row, 'last_error'),
    failingSince: dateOrNull(row, 'failing_since'),
    deliveredAt: dateOrNull(row, 'delivered_at'),
    holder: textOrNull(row, 'holder'),
    leaseUntil: dateOrNull(row, 'lease_until'),
    updatedAt: date(row, 'updated_at'),
  };
}

// One conditional statement: creates the cursor, or takes the lease when it was let go, has run
// out or is the claimant's own; otherwise updates nothing and returns no row. Taking and renewing
// the lease leaves `updated_at` alone: it tells when the cursor itself last changed.
const CLAIM = `INSERT INTO webhook_cursors (name, seq, attempts, last_error, failing_since, delivered_at, holder, lease_until, updated_at)
  VALUES (:name, :startSeq, 0, NULL, NULL, NULL, :holder, :until, :now)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
    WHERE webhook_cursors.holder IS NULL OR webhook_cursors.lease_until <= :now OR webhook_cursors.holder = excluded.holder
  RETURNING *`;

const ADVANCE = `UPDATE webhook_cursors SET seq = :seq, attempts = :attempts, last_error = :lastError,
    failing_since = :failingSince, delivered_at = COALESCE(:deliveredAt, delivered_at), updated_at = :at
  WHERE name = :name AND holder = :holder AND seq = :fromSeq`;

const SET = `INSERT INTO webhook_cursors (name, seq, attempts, last_error, failing_since, delivered_at, holder, lease_until, updated_at)
  VALUES (:name, :seq, 0, NULL, NULL, NULL, NULL, NULL, :now)
  ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, attempts = 0, last_error = NULL, failing_since = NULL,
    updated_at = excluded.updated_at
  RETURNING *`;

const SET_IF = `UPDATE webhook_cursors SET seq = :seq, attempts = 0, last_error = NULL, failing_since = NULL, updated_at = :now
  WHERE name = :name AND seq = :ifSeq
  RETURNING *`;

export function sqliteWebhookCursorStore(conn: SqliteConnection): WebhookCursorStore {
  return {
    async claimWebhook(name, holder, now, until, startSeq) {
      try {
        const params = {
          name: webhookName(name),
          holder: webhookHolder(holder),
          now: toMillis(now, 'claim time'),
          until: toMillis(until, 'lease end'),
          startSeq: webhookSeq(startSeq, 'webhook startSeq'),
        };
        return await conn.write(() => {
          const row = conn.statement(CLAIM).get(params);
          return row === undefined ? null : toCursor(row);
        });
      } catch (err) {
        throw storageError(err, 'claimWebhook');
      }
    },

    async advanceWebhook(name, holder, fromSeq, progress) {
      try {
        const row = webhookProgressRow(fromSeq, progress);
        const params = { ...row, name: webhookName(name), holder: webhookHolder(holder), fromSeq };
        return await conn.write(() => conn.statement(ADVANCE).run(params).changes > 0);
      } catch (err) {
        throw storageError(err, 'advanceWebhook');
      }
    },

    async releaseWebhook(name, holder) {
      try {
        await conn.writeStatement('UPDATE webhook_cursors SET holder = NULL, lease_until = NULL WHERE name = ? AND holder = ?', [
          webhookName(name),
          webhookHolder(holder),
        ]);
      } catch (err) {
        throw storageError(err, 'releaseWebhook');
      }
    },

    async setWebhookCursor(name, seq, now, options = {}) {
      try {
        const params = { name: webhookName(name), seq: webhookSeq(seq, 'webhook seq'), now: toMillis(now, 'webhook cursor time') };
        const { ifSeq, audit } = options;
        const sql = ifSeq === undefined ? SET : SET_IF;
        const bound = ifSeq === undefined ? params : { ...params, ifSeq: webhookSeq(ifSeq, 'webhook ifSeq') };
        return await withAudit(
          conn,
          audit,
          () => {
            const row = conn.statement(sql).get(bound);
            if (row === undefined && ifSeq === undefined) throw new AirlockError('STORAGE_ERROR', 'metadata store: upsert returned no row');
            return row === undefined ? null : toCursor(row);
          },
          (cursor) => cursor !== null,
        );
      } catch (err) {
        throw storageError(err, 'setWebhookCursor');
      }
    },

    async getWebhookCursor(name) {
      try {
        const row = conn.statement('SELECT * FROM webhook_cursors WHERE name = ?').get(webhookName(name));
        return row === undefined ? null : toCursor(row);
      } catch (err) {
        throw storageError(err, 'getWebhookCursor');
      }
    },

    async listWebhookCursors() {
      try {
        return conn.statement('SELECT * FROM webhook_cursors ORDER BY name').all().map(toCursor);
      } catch (err) {
        throw storageError(err, 'listWebhookCursors');
      }
    },
  };
}
