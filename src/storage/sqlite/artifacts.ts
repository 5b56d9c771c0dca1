import { AirlockError, isEcosystem, parsePurl, parseSha256Digest } from '../../core/index.ts';
import type { Purl } from '../../core/index.ts';
import { listingBounds, nonNegativeInteger, requireText, toMillis } from '../common/index.ts';
import type { ArtifactBlob, ArtifactIndex, ArtifactRecord } from '../ports/index.ts';
import { storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { date, dateOrNull, integer, text, textOrNull } from './rows.ts';
import type { Row } from './rows.ts';

const BLOB_PAGE = 500;

function toArtifact(row: Row): ArtifactRecord {
  const ecosystem = text(row, 'ecosystem');
  if (!isEcosystem(ecosystem)) throw new AirlockError('STORAGE_ERROR', `metadata store: unknown ecosystem ${ecosystem}`);
  return {
    repo: text(row, 'repo'),
    purl: text(row, 'purl') as Purl,
    ecosystem,
    name: text(row, 'name'),
    version: text(row, 'version'),
    filename: text(row, 'filename'),
    blob: parseSha256Digest(text(row, 'blob')),
    size: integer(row, 'size'),
    sha512: textOrNull(row, 'sha512'),
    sha1: textOrNull(row, 'sha1'),
    storedAt: date(row, 'stored_at'),
    // Null when the first put had none: later puts never fill it in.
    firstSha512: textOrNull(row, 'first_sha512'),
    // A row put by a gateway from before migration 005 (a rolling upgrade) has none: its store time.
    usedAt: dateOrNull(row, 'used_at') ?? date(row, 'stored_at'),
  };
}

export function sqliteArtifactIndex(conn: SqliteConnection): ArtifactIndex {
  return {
    async putArtifact(rec) {
      try {
        parsePurl(rec.purl);
        if (!isEcosystem(rec.ecosystem)) throw new AirlockError('BAD_REQUEST', `unknown ecosystem ${String(rec.ecosystem)}`);
        const params = {
          repo: requireText(rec.repo, 'artifact repo'),
          purl: rec.purl,
          filename: requireText(rec.filename, 'artifact filename'),
          ecosystem: rec.ecosystem,
          name: requireText(rec.name, 'artifact name'),
          version: requireText(rec.version, 'artifact version'),
          blob: parseSha256Digest(rec.blob),
          size: nonNegativeInteger(rec.size, 'artifact size'),
          sha512: rec.sha512,
          sha1: rec.sha1,
          storedAt: toMillis(rec.storedAt, 'storedAt'),
        };
        const row = await conn.write(() => conn.statement(
          `INSERT INTO artifacts (repo, purl, filename, ecosystem, name, version, blob, size, sha512, sha1, stored_at, first_sha512, used_at)
           VALUES (:repo, :purl, :filename, :ecosystem, :name, :version, :blob, :size, :sha512, :sha1, :storedAt, :sha512, :storedAt)
           ON CONFLICT (repo, purl, filename) DO UPDATE SET ecosystem = excluded.ecosystem, name = excluded.name,
             version = excluded.version, blob = excluded.blob, size = excluded.size, sha512 = excluded.sha512,
             sha1 = excluded.sha1, stored_at = excluded.stored_at, used_at = MAX(COALESCE(used_at, 0), excluded.used_at)
           RETURNING *`,
        ).get(params));
        if (row === undefined) throw new AirlockError('STORAGE_ERROR', 'metadata store: insert returned no row');
        return toArtifact(row);
      } catch (err) {
        throw storageError(err, 'putArtifact');
      }
    },

    async getArtifact(repo, purl, filename) {
      try {
        const row = conn.statement('SELECT * FROM artifacts WHERE repo = ? AND purl = ? AND filename = ?').get(repo, purl, filename);
        return row === undefined ? null : toArtifact(row);
      } catch (err) {
        throw storageError(err, 'getArtifact');
      }
    },

    async artifactsOf(ecosystem, name) {
      try {
        return conn
          .statement('SELECT * FROM artifacts WHERE ecosystem = ? AND name = ? ORDER BY version, repo, filename')
          .all(ecosystem, name)
          .map(toArtifact);
      } catch (err) {
        throw storageError(err, 'artifactsOf');
      }
    },

    async markBlobsUsed(blobs, at) {
      try {
        const when = toMillis(at, 'use time');
        const digests = [...new Set(blobs.map((b) => parseSha256Digest(b)))];
        if (digests.length === 0) return;
        await conn.write(() => {
          const mark = conn.statement('UPDATE artifacts SET used_at = ? WHERE blob = ? AND COALESCE(used_at, 0) < ?');
          for (const blob of digests) mark.run(when, blob, when);
        });
      } catch (err) {
        throw storageError(err, 'markBlobsUsed');
      }
    },

    async *artifactBlobs(options = {}): AsyncGenerator<ArtifactBlob> {
      const since = options.usedSince === undefined ? null : toMillis(options.usedSince, 'usedSince');
      // Keyset pages over the primary key, so no statement stays open while the consumer awaits.
      let after: readonly [string, string, string] = ['', '', ''];
      for (;;) {
        let rows: Row[];
        try {
          rows = conn
            .statement(
              `SELECT a.repo, a.purl, a.filename, a.blob,
                 (:since IS NULL OR COALESCE(a.used_at, a.stored_at) >= :since
                  OR EXISTS (SELECT 1 FROM quarantine q WHERE q.repo = a.repo AND q.purl = a.purl AND q.state = 'quarantined')) AS retained
               FROM artifacts a WHERE (a.repo, a.purl, a.filename) > (:repo, :purl, :filename)
               ORDER BY a.repo, a.purl, a.filename LIMIT :limit`,
            )
            .all({ since, repo: after[0], purl: after[1], filename: after[2], limit: BLOB_PAGE });
        } catch (err) {
          throw storageError(err, 'artifactBlobs');
        }
        for (const row of rows) {
          after = [text(row, 'repo'), text(row, 'purl'), text(row, 'filename')];
          yield { blob: parseSha256Digest(text(row, 'blob')), retained: integer(row, 'retained') === 1 };
        }
        if (rows.length < BLOB_PAGE) return;
      }
    },

    async listArtifacts(filter) {
      try {
        const params = {
          ...listingBounds(filter),
          since: filter.usedSince === undefined ? null : toMillis(filter.usedSince, 'usedSince'),
          only: filter.repo === undefined ? null : requireText(filter.repo, 'repository', 64),
        };
        return conn
          .statement(
            `SELECT * FROM artifacts
             WHERE (ecosystem, name, version, filename, repo) > (:ecosystem, :name, :version, :filename, :repo)
               AND (:since IS NULL OR COALESCE(used_at, stored_at) >= :since) AND (:only IS NULL OR repo = :only)
             ORDER BY ecosystem, name, version, filename, repo LIMIT :limit`,
          )
          .all(params)
          .map(toArtifact);
      } catch (err) {
        throw storageError(err, 'listArtifacts');
      }
    },
  };
}
