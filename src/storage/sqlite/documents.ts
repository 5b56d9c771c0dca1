import { parseSha256Digest } from '../../core/index.ts';
import { nonNegativeInteger, requireText, toMillis, blobDigestPages } from '../common/index.ts';
import type { CachedDocument, DocumentCache } from '../ports/index.ts';
import { storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { blobColumn, date, integer, text, textOrNull } from './rows.ts';
import type { Row } from './rows.ts';

function toDocument(row: Row): CachedDocument {
  return {
    repo: text(row, 'repo'),
    key: text(row, 'key'),
    blob: parseSha256Digest(text(row, 'blob')),
    size: integer(row, 'size'),
    contentType: text(row, 'content_type'),
    etag: textOrNull(row, 'etag'),
    lastModified: textOrNull(row, 'last_modified'),
    fetchedAt: date(row, 'fetched_at'),
  };
}

export function sqliteDocumentCache(conn: SqliteConnection): DocumentCache {
  return {
    async getDocument(repo, key) {
      try {
        const row = conn.statement('SELECT * FROM documents WHERE repo = ? AND key = ?').get(repo, key);
        return row === undefined ? null : toDocument(row);
      } catch (err) {
        throw storageError(err, 'getDocument');
      }
    },

    async putDocument(doc) {
      try {
        const params = {
          repo: requireText(doc.repo, 'document repo'),
          key: requireText(doc.key, 'document key'),
          blob: parseSha256Digest(doc.blob),
          size: nonNegativeInteger(doc.size, 'document size'),
          contentType: doc.contentType,
          etag: doc.etag,
          lastModified: doc.lastModified,
          fetchedAt: toMillis(doc.fetchedAt, 'fetchedAt'),
        };
        await conn.writeStatement(
          `INSERT INTO documents (repo, key, blob, size, content_type, etag, last_modified, fetched_at)
           VALUES (:repo, :key, :blob, :size, :contentType, :etag, :lastModified, :fetchedAt)
           ON CONFLICT (repo, key) DO UPDATE SET blob = excluded.blob, size = excluded.size,
             content_type = excluded.content_type, etag = excluded.etag,
             last_modified = excluded.last_modified, fetched_at = excluded.fetched_at`,
          params,
        );
      } catch (err) {
        throw storageError(err, 'putDocument');
      }
    },

    async touchDocument(repo, key, fetchedAt) {
      try {
        await conn.writeStatement('UPDATE documents SET fetched_at = ? WHERE repo = ? AND key = ?', [toMillis(fetchedAt, 'fetchedAt'), repo, key]);
      } catch (err) {
        throw storageError(err, 'touchDocument');
      }
    },

    async deleteDocument(repo, key) {
      try {
        await conn.writeStatement('DELETE FROM documents WHERE repo = ? AND key = ?', [repo, key]);
      } catch (err) {
        throw storageError(err, 'deleteDocument');
      }
    },

    documentBlobs: () => blobDigestPages((after, limit) => blobColumn(conn, 'SELECT DISTINCT blob FROM documents WHERE blob > ? ORDER BY blob LIMIT ?', after, limit, 'documentBlobs')),
  };
}
