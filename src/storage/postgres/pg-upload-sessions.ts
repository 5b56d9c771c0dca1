import { AirlockError } from '../../core/index.ts';
import { blobDigestPages, requireText, uploadSessionId, uploadSessionOf, uploadSessionRow, validDate } from '../common/index.ts';
import type { UploadSessionRecord, UploadSessionStore } from '../ports/index.ts';
import { isUniqueViolation, pgStorageError } from './pg-client.ts';
import type { PgClient, Row } from './pg-client.ts';
import { blobColumn, date, integer, text } from './pg-rows.ts';

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

// Code-point order, as SQLite sorts, whatever the database's collation.
const PART_BLOBS = `SELECT DISTINCT p->>'blob' COLLATE "C" AS blob FROM upload_sessions s, jsonb_array_elements(s.parts::jsonb) p
  WHERE p->>'blob' COLLATE "C" > $1 ORDER BY blob LIMIT $2`;

export function pgUploadSessionStore(client: PgClient): UploadSessionStore {
  return {
    async createUploadSession(session) {
      const row = uploadSessionRow(session);
      try {
        if (row.rev !== 1) throw new AirlockError('BAD_REQUEST', 'a new upload session has rev 1');
        await client.query('INSERT INTO upload_sessions (id, repo, name, rev, parts, started_at, touched_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          row.id,
          row.repo,
          row.name,
          row.rev,
          row.parts,
          new Date(row.startedAt),
          new Date(row.touchedAt),
        ]);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', `an upload session with id ${row.id} already exists`, { cause: err });
        throw pgStorageError(err, 'createUploadSession');
      }
    },

    async getUploadSession(id) {
      try {
        const [row] = await client.query('SELECT * FROM upload_sessions WHERE id = $1', [uploadSessionId(id)]);
        return row === undefined ? null : toSession(row);
      } catch (err) {
        throw pgStorageError(err, 'getUploadSession');
      }
    },

    async updateUploadSession(session) {
      try {
        const row = uploadSessionRow(session);
        const written = await client.query('UPDATE upload_sessions SET rev = $2, parts = $3, touched_at = $4 WHERE id = $1 AND rev = $5 RETURNING id', [
          row.id,
          row.rev,
          row.parts,
          new Date(row.touchedAt),
          row.rev - 1,
        ]);
        return written.length > 0;
      } catch (err) {
        throw pgStorageError(err, 'updateUploadSession');
      }
    },

    async deleteUploadSession(id) {
      try {
        return (await client.query('DELETE FROM upload_sessions WHERE id = $1 RETURNING id', [uploadSessionId(id)])).length > 0;
      } catch (err) {
        throw pgStorageError(err, 'deleteUploadSession');
      }
    },

    async countUploadSessions(repo) {
      try {
        const [row] = await client.query('SELECT count(*)::int AS n FROM upload_sessions WHERE repo = $1', [requireText(repo, 'repository', 64)]);
        return integer(row ?? {}, 'n');
      } catch (err) {
        throw pgStorageError(err, 'countUploadSessions');
      }
    },

    async staleUploadSessions(repo, touchedBefore, startedBefore, limit) {
      try {
        if (!Number.isSafeInteger(limit) || limit < 1) throw new AirlockError('BAD_REQUEST', 'limit must be a positive integer');
        const rows = await client.query('SELECT * FROM upload_sessions WHERE repo = $4 AND (touched_at < $1 OR started_at < $2) ORDER BY touched_at, id COLLATE "C" LIMIT $3', [
          validDate(touchedBefore, 'touchedBefore'),
          validDate(startedBefore, 'startedBefore'),
          Math.min(limit, 1000),
          requireText(repo, 'repository', 64),
        ]);
        return rows.map(toSession);
      } catch (err) {
        throw pgStorageError(err, 'staleUploadSessions');
      }
    },

    uploadSessionBlobs: () => blobDigestPages((after, limit) => blobColumn(client, PART_BLOBS, after, limit, 'uploadSessionBlobs')),
  };
}
