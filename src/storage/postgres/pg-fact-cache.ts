import { encodeJson, requireKey, requireText, validDate } from '../common/index.ts';
import type { CachedEntry, FactCache } from '../ports/index.ts';
import { pgStorageError } from './pg-client.ts';
import type { Queryable, Row } from './pg-client.ts';
import { date, json, text } from './pg-rows.ts';

/**
 * A key as stored: PostgreSQL's text cannot hold the NUL that parts the served ledger's keys
 * (22021: on PostgreSQL no served version was ever recorded), so a NUL is kept as `\0` and a
 * backslash as `\\`. No key with either was stored before: the ledger is the cache's one user.
 */
const storedKey = (key: string): string => key.replaceAll('\\', '\\\\').replaceAll('\u0000', '\\0');
const readKey = (key: string): string => key.replace(/\\([\\0])/g, (_, c: string) => (c === '0' ? '\u0000' : '\\'));

function toEntry(row: Row): CachedEntry {
  return {
    namespace: text(row, 'namespace'),
    key: readKey(text(row, 'key')),
    value: json(row, 'value'),
    computedAt: date(row, 'computed_at'),
    expiresAt: date(row, 'expires_at'),
  };
}

export function pgFactCache(q: Queryable): FactCache {
  return {
    async getCached(namespace, key, now) {
      try {
        const [row] = await q.query('SELECT * FROM fact_cache WHERE namespace = $1 AND key = $2 AND expires_at > $3', [namespace, storedKey(key), validDate(now, 'now')]);
        return row === undefined ? null : toEntry(row);
      } catch (err) {
        throw pgStorageError(err, 'getCached');
      }
    },

    async putCached(entry) {
      try {
        await q.query(
          `INSERT INTO fact_cache (namespace, key, value, computed_at, expires_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, computed_at = excluded.computed_at,
             expires_at = excluded.expires_at`,
          [
            requireText(entry.namespace, 'cache namespace', 128),
            storedKey(requireKey(entry.key, 'cache key')),
            encodeJson(entry.value, 'cached value'),
            validDate(entry.computedAt, 'computedAt'),
            validDate(entry.expiresAt, 'expiresAt'),
          ],
        );
      } catch (err) {
        throw pgStorageError(err, 'putCached');
      }
    },

    async clearCached(namespace) {
      try {
        const rows =
          namespace === undefined
            ? await q.query('DELETE FROM fact_cache RETURNING key')
            : await q.query('DELETE FROM fact_cache WHERE namespace = $1 RETURNING key', [namespace]);
        return rows.length;
      } catch (err) {
        throw pgStorageError(err, 'clearCached');
      }
    },

    async purgeExpired(now) {
      try {
        return (await q.query('DELETE FROM fact_cache WHERE expires_at <= $1 RETURNING key', [validDate(now, 'now')])).length;
      } catch (err) {
        throw pgStorageError(err, 'purgeExpired');
      }
    },
  };
}
