import { parseSha256Digest } from '../../core/index.ts';
import { nonNegativeInteger, requireText, validDate, blobDigestPages } from '../common/index.ts';
import type { CachedDocument, DocumentCache } from '../ports/index.ts';
import { pgStorageError } from './pg-client.ts';
import type { Queryable, Row } from './pg-client.ts';
import { blobColumn, date, integer, text, textOrNull } from './pg-rows.ts';

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

export function pgDocumentCache(q: Queryable): DocumentCache {
  return {
    async getDocument(repo, key) {
      try {
        const [row] = await q.query('SELECT * FROM documents WHERE repo = $1 AND key = $2', [repo, key]);
        return row === undefined ? null : toDocument(row);
      } catch (err) {
        throw pgStorageError(err, 'getDocument');
      }
    },

    async putDocument(doc) {
      try {
        await q.query(
          `INSERT INTO documents (repo, key, blob, size, content_type, etag, last_modified, fetched_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (repo, key) DO UPDATE SET blob = excluded.blob, size = excluded.size,
             content_type = excluded.content_type, etag = excluded.etag,
             last_modified = excluded.last_modified, fetched_at = excluded.fetched_at`,
          [
            requireText(doc.repo, 'document repo'),
            requireText(doc.key, 'document key'),
            parseSha256Digest(doc.blob),
            nonNegativeInteger(doc.size, 'document size'),
            doc.contentType,
            doc.etag,
            doc.lastModified,
            validDate(doc.fetchedAt, 'fetchedAt'),
          ],
        );
      } catch (err) {
        throw pgStorageError(err, 'putDocument');
      }
    },

    async touchDocument(repo, key, fetchedAt) {
      try {
        await q.query('UPDATE documents SET fetched_at = $1 WHERE repo = $2 AND key = $3', [validDate(fetchedAt, 'fetchedAt'), repo, key]);
      } catch (err) {
        throw pgStorageError(err, 'touchDocument');
      }
    },

    async deleteDocument(repo, key) {
      try {
        await q.query('DELETE FROM documents WHERE repo = $1 AND key = $2', [repo, key]);
      } catch (err) {
        throw pgStorageError(err, 'deleteDocument');
      }
    },

    documentBlobs: () => blobDigestPages((after, limit) => blobColumn(q, 'SELECT DISTINCT blob FROM documents WHERE blob > $1 ORDER BY blob LIMIT $2', after, limit, 'documentBlobs')),
  };
}
