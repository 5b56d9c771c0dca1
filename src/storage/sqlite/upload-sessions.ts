import { AirlockError } from '../../core/index.ts';
import { blobDigestPages, requireText, toMillis, uploadSessionId, uploadSessionOf, uploadSessionRow } from '../common/index.ts';
import type { UploadSessionRecord, UploadSessionStore } from '../ports/index.ts';
import { isUniqueViolation, storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { blobColumn, date, integer, text } from './rows.ts';
import type { Row } from './rows.ts';

function toSession(row: Row): UploadSessionRecord {
  return uploadSessionOf({
    id: text(row, 'id'),
    repo: text(row, 'repo'),
    name: text(row, 'name'),
    rev: integer(row, 'rev'),
    parts: text(row, 'parts'),
    startedAt: date(row, 'started_at'),
    touchedAt: date(row, 'touched_at'),
  });
}

const PART_BLOBS = `SELECT DISTINCT json_extract(p.value, '$.blob') AS blob FROM upload_sessions s, json_each(s.parts) p
  WHERE json_extract(p.value, '$.blob') > ? ORDER BY blob LIMIT ?`;

export function sqliteUploadSessionStore(conn: SqliteConnection): UploadSessionStore {
  return {
    async createUploadSession(session) {
      const row = uploadSessionRow(session);
      try {
        if (row.rev !== 1) throw new AirlockError('BAD_REQUEST', 'a new upload session has rev 1');
        await conn.writeStatement(
          'INSERT INTO upload_sessions (id, repo, name, rev, parts, started_at, touched_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [row.id, row.repo, row.name, row.rev, row.parts, row.startedAt, row.touchedAt],
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', `an upload session with id ${row.id} already exists`, { cause: err });
        throw storageError(err, 'createUploadSession');
      }
    },

    async getUploadSession(id) {
      try {
        const row = conn.statement('SELECT * FROM upload_sessions WHERE id = ?').get(uploadSessionId(id));
        return row === undefined ? null : toSession(row);
      } catch (err) {
        throw storageError(err, 'getUploadSession');
      }
    },

    async updateUploadSession(session) {
      try {
        const row = uploadSessionRow(session);
        const written = await conn.writeStatement('UPDATE upload_sessions SET rev = ?, parts = ?, touched_at = ? WHERE id = ? AND rev = ?', [
          row.rev,
          row.parts,
          row.touchedAt,
          row.id,
          row.rev - 1,
        ]);
        return written.changes > 0;
      } catch (err) {
        throw storageError(err, 'updateUploadSession');
      }
    },

    async deleteUploadSession(id) {
      try {
        return (await conn.writeStatement('DELETE FROM upload_sessions WHERE id = ?', [uploadSessionId(id)])).changes > 0;
      } catch (err) {
        throw storageError(err, 'deleteUploadSession');
      }
    },

    async countUploadSessions(repo) {
      try {
        return integer(conn.statement('SELECT count(*) AS n FROM upload_sessions WHERE repo = ?').get(requireText(repo, 'repository', 64)) ?? {}, 'n');
      } catch (err) {
        throw storageError(err, 'countUploadSessions');
      }
    },

    async staleUploadSessions(repo, touchedBefore, startedBefore, limit) {
      try {
        if (!Number.isSafeInteger(limit) || limit < 1) throw new AirlockError('BAD_REQUEST', 'limit must be a positive integer');
        return conn
          .statement('SELECT * FROM upload_sessions WHERE repo = ? AND (touched_at < ? OR started_at < ?) ORDER BY touched_at, id LIMIT ?')
          .all(requireText(repo, 'repository', 64), toMillis(touchedBefore, 'touchedBefore'), toMillis(startedBefore, 'startedBefore'), Math.min(limit, 1000))
          .map(toSession);
      } catch (err) {
        throw storageError(err, 'staleUploadSessions');
      }
    },

    uploadSessionBlobs: () => blobDigestPages((after, limit) => blobColumn(conn, PART_BLOBS, after, limit, 'uploadSessionBlobs')),
  };
}
