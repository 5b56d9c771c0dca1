import { AirlockError, isEcosystem } from '../../core/index.ts';
import { encodeJson, requireText, toMillis, toMillisOrNull } from '../common/index.ts';
import type { ExceptionStore, PolicyException } from '../ports/index.ts';
import { storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { withAudit } from './audit.ts';
import { pageNewestFirst } from './page.ts';
import { date, dateOrNull, json, text, textOrNull } from './rows.ts';
import type { Row } from './rows.ts';

function toException(row: Row): PolicyException {
  const ecosystem = text(row, 'ecosystem');
  if (!isEcosystem(ecosystem)) throw new AirlockError('STORAGE_ERROR', `metadata store: unknown ecosystem ${ecosystem}`);
  const rules = json(row, 'rules');
  if (!Array.isArray(rules) || !rules.every((r) => typeof r === 'string')) {
    throw new AirlockError('STORAGE_ERROR', 'metadata store: unexpected value in column rules');
  }
  return {
    id: text(row, 'id'),
    ecosystem,
    name: text(row, 'name'),
    version: textOrNull(row, 'version'),
    rules: rules as readonly string[],
    reason: text(row, 'reason'),
    createdBy: text(row, 'created_by'),
    createdAt: date(row, 'created_at'),
    expiresAt: dateOrNull(row, 'expires_at'),
  };
}

export function sqliteExceptionStore(conn: SqliteConnection): ExceptionStore {
  return {
    async putException(rec, audit) {
      try {
        if (!isEcosystem(rec.ecosystem)) throw new AirlockError('BAD_REQUEST', `unknown ecosystem ${String(rec.ecosystem)}`);
        if (!Array.isArray(rec.rules) || !rec.rules.every((r) => typeof r === 'string' && r !== '')) {
          throw new AirlockError('BAD_REQUEST', 'exception rules must be non-empty strings');
        }
        const params = {
          id: requireText(rec.id, 'exception id', 128),
          ecosystem: rec.ecosystem,
          name: requireText(rec.name, 'exception name'),
          version: rec.version === null ? null : requireText(rec.version, 'exception version'),
          rules: encodeJson(rec.rules, 'exception rules'),
          reason: requireText(rec.reason, 'exception reason'),
          createdBy: requireText(rec.createdBy, 'exception createdBy'),
          createdAt: toMillis(rec.createdAt, 'exception createdAt'),
          expiresAt: toMillisOrNull(rec.expiresAt, 'exception expiresAt'),
        };
        await withAudit(conn, audit, () => {
          conn
            .statement(
              `INSERT INTO exceptions (id, ecosystem, name, version, rules, reason, created_by, created_at, expires_at)
               VALUES (:id, :ecosystem, :name, :version, :rules, :reason, :createdBy, :createdAt, :expiresAt)
               ON CONFLICT (id) DO UPDATE SET ecosystem = excluded.ecosystem, name = excluded.name,
                 version = excluded.version, rules = excluded.rules, reason = excluded.reason,
                 created_by = excluded.created_by, created_at = excluded.created_at, expires_at = excluded.expires_at`,
            )
            .run(params);
        });
      } catch (err) {
        throw storageError(err, 'putException');
      }
    },

    async deleteException(id, audit) {
      try {
        return await withAudit(conn, audit, () => conn.statement('DELETE FROM exceptions WHERE id = ?').run(id).changes > 0, (removed) => removed);
      } catch (err) {
        throw storageError(err, 'deleteException');
      }
    },

    async activeExceptions(ecosystem, name, now) {
      try {
        const rows = conn
          .statement(
            `SELECT * FROM exceptions WHERE ecosystem = ? AND name = ? AND (expires_at IS NULL OR expires_at > ?)
             ORDER BY created_at, id`,
          )
          .all(ecosystem, name, toMillis(now, 'now'));
        return rows.map(toException);
      } catch (err) {
        throw storageError(err, 'activeExceptions');
      }
    },

    async listExceptions(filter) {
      try {
        return pageNewestFirst(conn, { table: 'exceptions', conditions: [], params: [], limit: filter.limit, cursor: filter.cursor, map: toException });
      } catch (err) {
        throw storageError(err, 'listExceptions');
      }
    },
  };
}
