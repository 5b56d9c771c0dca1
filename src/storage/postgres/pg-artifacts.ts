import { AirlockError, isEcosystem, parsePurl, parseSha256Digest } from '../../core/index.ts';
import type { Purl } from '../../core/index.ts';
import { listingBounds, nonNegativeInteger, requireText, validDate } from '../common/index.ts';
import type { ArtifactBlob, ArtifactIndex, ArtifactRecord } from '../ports/index.ts';
import { pgStorageError } from './pg-client.ts';
import type { Queryable, Row } from './pg-client.ts';
import { date, dateOrNull, integer, text, textOrNull } from './pg-rows.ts';

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

export function pgArtifactIndex(q: Queryable): ArtifactIndex {
  return {
    async putArtifact(rec) {
      try {
        parsePurl(rec.purl);
        if (!isEcosystem(rec.ecosystem)) throw new AirlockError('BAD_REQUEST', `unknown ecosystem ${String(rec.ecosystem)}`);
        const [row] = await q.query(
          `INSERT INTO artifacts (repo, purl, filename, ecosystem, name, version, blob, size, sha512, sha1, stored_at, first_sha512, used_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9, $11)
           ON CONFLICT (repo, purl, filename) DO UPDATE SET ecosystem = excluded.ecosystem, name = excluded.name,
             version = excluded.version, blob = excluded.blob, size = excluded.size, sha512 = excluded.sha512,
             sha1 = excluded.sha1, stored_at = excluded.stored_at, used_at = GREATEST(artifacts.used_at, excluded.used_at)
           RETURNING *`,
          [
            requireText(rec.repo, 'artifact repo'),
            rec.purl,
            requireText(rec.filename, 'artifact filename'),
            rec.ecosystem,
            requireText(rec.name, 'artifact name'),
            requireText(rec.version, 'artifact version'),
            parseSha256Digest(rec.blob),
            nonNegativeInteger(rec.size, 'artifact size'),
            rec.sha512,
            rec.sha1,
            validDate(rec.storedAt, 'storedAt'),
          ],
        );
        if (row === undefined) throw new AirlockError('STORAGE_ERROR', 'metadata store: insert returned no row');
        return toArtifact(row);
      } catch (err) {
        throw pgStorageError(err, 'putArtifact');
      }
    },

    async getArtifact(repo, purl, filename) {
      try {
        const [row] = await q.query('SELECT * FROM artifacts WHERE repo = $1 AND purl = $2 AND filename = $3', [repo, purl, filename]);
        return row === undefined ? null : toArtifact(row);
      } catch (err) {
        throw pgStorageError(err, 'getArtifact');
      }
    },

    async artifactsOf(ecosystem, name) {
      try {
        const rows = await q.query('SELECT * FROM artifacts WHERE ecosystem = $1 AND name = $2 ORDER BY version, repo, filename', [ecosystem, name]);
        return rows.map(toArtifact);
      } catch (err) {
        throw pgStorageError(err, 'artifactsOf');
      }
    },

    async markBlobsUsed(blobs, at) {
      try {
        const when = validDate(at, 'use time');
        const digests = [...new Set(blobs.map((b) => parseSha256Digest(b)))];
        if (digests.length === 0) return;
        await q.query('UPDATE artifacts SET used_at = $1 WHERE blob = ANY($2::text[]) AND (used_at IS NULL OR used_at < $1)', [when, digests]);
      } catch (err) {
        throw pgStorageError(err, 'markBlobsUsed');
      }
    },

    async *artifactBlobs(options = {}): AsyncGenerator<ArtifactBlob> {
      const since = options.usedSince === undefined ? null : validDate(options.usedSince, 'usedSince');
      let after: readonly [string, string, string] = ['', '', ''];
      for (;;) {
        let rows: Row[];
        try {
          rows = await q.query(
            `SELECT a.repo, a.purl, a.filename, a.blob,
               ($5::timestamptz IS NULL OR COALESCE(a.used_at, a.stored_at) >= $5
                OR EXISTS (SELECT 1 FROM quarantine q WHERE q.repo = a.repo AND q.purl = a.purl AND q.state = 'quarantined')) AS retained
             FROM artifacts a WHERE (a.repo, a.purl, a.filename) > ($1, $2, $3)
             ORDER BY a.repo, a.purl, a.filename LIMIT $4`,
            [...after, BLOB_PAGE, since],
          );
        } catch (err) {
          throw pgStorageError(err, 'artifactBlobs');
        }
        for (const row of rows) {
          after = [text(row, 'repo'), text(row, 'purl'), text(row, 'filename')];
          yield { blob: parseSha256Digest(text(row, 'blob')), retained: row['retained'] === true };
        }
        if (rows.length < BLOB_PAGE) return;
      }
    },

    async listArtifacts(filter) {
      try {
        const b = listingBounds(filter);
        const since = filter.usedSince === undefined ? null : validDate(filter.usedSince, 'usedSince');
        const only = filter.repo === undefined ? null : requireText(filter.repo, 'repository', 64);
        // Code-point order, as SQLite sorts, whatever the database's collation.
        const rows = await q.query(
          `SELECT * FROM artifacts
           WHERE (ecosystem COLLATE "C", name COLLATE "C", version COLLATE "C", filename COLLATE "C", repo COLLATE "C") > ($1, $2, $3, $4, $5)
             AND ($6::timestamptz IS NULL OR COALESCE(used_at, stored_at) >= $6) AND ($7::text IS NULL OR repo = $7)
           ORDER BY ecosystem COLLATE "C", name COLLATE "C", version COLLATE "C", filename COLLATE "C", repo COLLATE "C" LIMIT $8`,
          [b.ecosystem, b.name, b.version, b.filename, b.repo, since, only, b.limit],
        );
        return rows.map(toArtifact);
      } catch (err) {
        throw pgStorageError(err, 'listArtifacts');
      }
    },
  };
}
