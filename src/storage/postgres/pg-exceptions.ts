import { AirlockError, isEcosystem } from '../../core/index.ts';
import { encodeJson, requireText, validDate, validDateOrNull } from '../common/index.ts';
import type { ExceptionStore, PolicyException } from '../ports/index.ts';
import { pgStorageError } from './pg-client.ts';
import type { PgClient, Row } from './pg-client.ts';
import { withAudit } from './pg-audit.ts';
import { pageNewestFirst } from './pg-page.ts';
import { date, dateOrNull, stringArray, text, textOrNull } from './pg-rows.ts';

function toException(row: Row): PolicyException {
  const ecosystem = text(row, 'ecosystem');
  if (!isEcosystem(ecosystem)) throw new AirlockError('STORAGE_ERROR', `metadata store: unknown ecosystem ${ecosystem}`);
  return {
    id: text(row, 'id'),
    ecosystem,
    name: text(row, 'name'),
    version: textOrNull(row, 'version'),
    rules: stringArray(row, 'rules'),
    reason: text(row, 'reason'),
    createdBy: text(row, 'created_by'),
    createdAt: date(row, 'created_at'),
    expiresAt: dateOrNull(row, 'expires_at'),
  };
}

export function pgExceptionStore(client: PgClient): ExceptionStore {
  return {
    async putException(rec, audit) {
      try {
        if (!isEcosystem(rec.ecosystem)) throw new AirlockError('BAD_REQUEST', `unknown ecosystem ${String(rec.ecosystem)}`);
        if (!Array.isArray(rec.rules) || !rec.rules.every((r) => typeof r === 'string' && r !== '')) {
          throw new AirlockError('BAD_REQUEST', 'exception rules must be non-empty strings');
        }
        const params = [
          requireText(rec.id, 'exception id', 128),
          rec.ecosystem,
          requireText(rec.name, 'exception name'),
          rec.version === null ? null : requireText(rec.version, 'exception version'),
          encodeJson(rec.rules, 'exception rules'),
          requireText(rec.reason, 'exception reason'),
          requireText(rec.createdBy, 'exception createdBy'),
          validDate(rec.createdAt, 'exception createdAt'),
          validDateOrNull(rec.expiresAt, 'exception expiresAt'),
        ];
        await withAudit(client, audit, async (tx) => {
          await tx.query(
            `INSERT INTO exceptions (id, ecosystem, name, version, rules, reason, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET ecosystem = excluded.ecosystem, name = excluded.name,
               version = excluded.version, rules = excluded.rules, reason = excluded.reason,
               created_by = excluded.created_by, created_at = excluded.created_at, expires_at = excluded.expires_at`,
            params,
          );
        });
      } catch (err) {
        throw pgStorageError(err, 'putException');
      }
    },

    async deleteException(id, audit) {
      try {
        return await withAudit(client, audit, async (tx) => (await tx.query('DELETE FROM exceptions WHERE id = $1 RETURNING id', [id])).length > 0, (removed) => removed);
      } catch (err) {
        throw pgStorageError(err, 'deleteException');
      }
    },

    async activeExceptions(ecosystem, name, now) {
      try {
        const rows = await client.query(
          `SELECT * FROM exceptions WHERE ecosystem = $1 AND name = $2 AND (expires_at IS NULL OR expires_at > $3)
           ORDER BY created_at, id`,
          [ecosystem, name, validDate(now, 'now')],
        );
        return rows.map(toException);
      } catch (err) {
        throw pgStorageError(err, 'activeExceptions');
      }
    },

    async listExceptions(filter) {
      try {
        return await pageNewestFirst(client, { table: 'exceptions', conditions: [], params: [], limit: filter.limit, cursor: filter.cursor, map: toException });
      } catch (err) {
        throw pgStorageError(err, 'listExceptions');
      }
    },
  };
}
