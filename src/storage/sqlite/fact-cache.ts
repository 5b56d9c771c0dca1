import { encodeJson, requireKey, requireText, toMillis } from '../common/index.ts';
import type { CachedEntry, FactCache } from '../ports/index.ts';
import { storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { date, json, text } from './rows.ts';
import type { Row } from './rows.ts';

function toEntry(row: Row): CachedEntry {
  return {
    namespace: text(row, 'namespace'),
    key: text(row, 'key'),
    value: json(row, 'value'),
    computedAt: date(row, 'computed_at'),
    expiresAt: date(row, 'expires_at'),
  };
}

export function sqliteFactCache(conn: SqliteConnection): FactCache {
  return {
    async getCached(namespace, key, now) {
      try {
        const row = conn
          .statement('SELECT * FROM fact_cache WHERE namespace = ? AND key = ? AND expires_at > ?')
          .get(namespace, key, toMillis(now, 'now'));
        return row === undefined ? null : toEntry(row);
      } catch (err) {
        throw storageError(err, 'getCached');
      }
    },

    async putCached(entry) {
      try {
        await conn.writeStatement(
          `INSERT INTO fact_cache (namespace, key, value, computed_at, expires_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, computed_at = excluded.computed_at,
             expires_at = excluded.expires_at`,
          [
            requireText(entry.namespace, 'cache namespace', 128),
            requireKey(entry.key, 'cache key'),
            encodeJson(entry.value, 'cached value'),
            toMillis(entry.computedAt, 'computedAt'),
            toMillis(entry.expiresAt, 'expiresAt'),
          ],
        );
      } catch (err) {
        throw storageError(err, 'putCached');
      }
    },

    async clearCached(namespace) {
      try {
        const result =
          namespace === undefined
            ? await conn.writeStatement('DELETE FROM fact_cache')
            : await conn.writeStatement('DELETE FROM fact_cache WHERE namespace = ?', [namespace]);
        return Number(result.changes);
      } catch (err) {
        throw storageError(err, 'clearCached');
      }
    },

    async purgeExpired(now) {
      try {
        return Number((await conn.writeStatement('DELETE FROM fact_cache WHERE expires_at <= ?', [toMillis(now, 'now')])).changes);
      } catch (err) {
        throw storageError(err, 'purgeExpired');
      }
    },
  };
}
