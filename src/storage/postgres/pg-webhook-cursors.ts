import { AirlockError } from '../../core/index.ts';
import { validDate, webhookHolder, webhookName, webhookProgressRow, webhookSeq } from '../common/index.ts';
import type { WebhookCursor, WebhookCursorStore } from '../ports/index.ts';
import { pgStorageError } from './pg-client.ts';
import type { PgClient, Row } from './pg-client.ts';
import { withAudit } from './pg-audit.ts';
import { date, dateOrNull, integer, text, textOrNull } from './pg-rows.ts';

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

const dateOf = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

// One conditional statement: a concurrent first claim waits on the key, a later one on the row,
// and then sees the lease as the winner left it (ON CONFLICT re-checks the WHERE on the newest
// row version); no row comes back when the lease is another holder's and live. Taking and
// renewing the lease leaves `updated_at` alone: it tells when the cursor itself last changed.
const CLAIM = `INSERT INTO webhook_cursors (name, seq, attempts, last_error, failing_since, delivered_at, holder, lease_until, updated_at)
  VALUES ($1, $2, 0, NULL, NULL, NULL, $3, $4, $5)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
    WHERE webhook_cursors.holder IS NULL OR webhook_cursors.lease_until <= $5 OR webhook_cursors.holder = excluded.holder
  RETURNING *`;

const ADVANCE = `UPDATE webhook_cursors SET seq = $4, attempts = $5, last_error = $6, failing_since = $7,
    delivered_at = COALESCE($8::timestamptz, delivered_at), updated_at = $9
  WHERE name = $1 AND holder = $2 AND seq = $3
  RETURNING name`;

const SET = `INSERT INTO webhook_cursors (name, seq, attempts, last_error, failing_since, delivered_at, holder, lease_until, updated_at)
  VALUES ($1, $2, 0, NULL, NULL, NULL, NULL, NULL, $3)
  ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, attempts = 0, last_error = NULL, failing_since = NULL,
    updated_at = excluded.updated_at
  RETURNING *`;

const SET_IF = `UPDATE webhook_cursors SET seq = $2, attempts = 0, last_error = NULL, failing_since = NULL, updated_at = $3
  WHERE name = $1 AND seq = $4
  RETURNING *`;

export function pgWebhookCursorStore(client: PgClient): WebhookCursorStore {
  return {
    async claimWebhook(name, holder, now, until, startSeq) {
      try {
        const [row] = await client.query(CLAIM, [
          webhookName(name),
          webhookSeq(startSeq, 'webhook startSeq'),
          webhookHolder(holder),
          validDate(until, 'lease end'),
          validDate(now, 'claim time'),
        ]);
        return row === undefined ? null : toCursor(row);
      } catch (err) {
        throw pgStorageError(err, 'claimWebhook');
      }
    },

    async advanceWebhook(name, holder, fromSeq, progress) {
      try {
        const row = webhookProgressRow(fromSeq, progress);
        const updated = await client.query(ADVANCE, [
          webhookName(name),
          webhookHolder(holder),
          fromSeq,
          row.seq,
          row.attempts,
          row.lastError,
          dateOf(row.failingSince),
          dateOf(row.deliveredAt),
          new Date(row.at),
        ]);
        return updated.length > 0;
      } catch (err) {
        throw pgStorageError(err, 'advanceWebhook');
      }
    },

    async releaseWebhook(name, holder) {
      try {
        await client.query('UPDATE webhook_cursors SET holder = NULL, lease_until = NULL WHERE name = $1 AND holder = $2', [
          webhookName(name),
          webhookHolder(holder),
        ]);
      } catch (err) {
        throw pgStorageError(err, 'releaseWebhook');
      }
    },

    async setWebhookCursor(name, seq, now, options = {}) {
      try {
        const params = [webhookName(name), webhookSeq(seq, 'webhook seq'), validDate(now, 'webhook cursor time')];
        const { ifSeq, audit } = options;
        const [sql, bound] = ifSeq === undefined ? [SET, params] : [SET_IF, [...params, webhookSeq(ifSeq, 'webhook ifSeq')]];
        return await withAudit(
          client,
          audit,
          async (q) => {
            const [row] = await q.query(sql, bound);
            if (row === undefined && ifSeq === undefined) throw new AirlockError('STORAGE_ERROR', 'metadata store: upsert returned no row');
            return row === undefined ? null : toCursor(row);
          },
          (cursor) => cursor !== null,
        );
      } catch (err) {
        throw pgStorageError(err, 'setWebhookCursor');
      }
    },

    async getWebhookCursor(name) {
      try {
        const [row] = await client.query('SELECT * FROM webhook_cursors WHERE name = $1', [webhookName(name)]);
        return row === undefined ? null : toCursor(row);
      } catch (err) {
        throw pgStorageError(err, 'getWebhookCursor');
      }
    },

    async listWebhookCursors() {
      try {
        // The column sorts in code-point order (COLLATE "C"), as SQLite sorts.
        return (await client.query('SELECT * FROM webhook_cursors ORDER BY name')).map(toCursor);
      } catch (err) {
        throw pgStorageError(err, 'listWebhookCursors');
      }
    },
  };
}
