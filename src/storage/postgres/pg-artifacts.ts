import { AirlockError, isEcosystem, parsePurl, parseSha256Digest } from '../../core/index.ts';
import type { Purl, Sha256Digest } from '../../core/index.ts';
import { nonNegativeInteger, requireText, validDate } from '../common/index.ts';
import type { ArtifactIndex, ArtifactRecord } from '../ports/index.ts';
import { pgStorageError } from './pg-client.ts';
import type { Queryable, Row } from './pg-client.ts';
import { date, integer, text } from './pg-rows.ts';

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
    sha512: text(row, 'sha512'),
    sha1: text(row, 'sha1'),
    storedAt: date(row, 'stored_at'),
    firstSha512: text(row, 'first_sha512'),
  };
}

export function pgArtifactIndex(q: Queryable): ArtifactIndex {
  return {
    async putArtifact(rec) {
      try {
        parsePurl(rec.purl);
        if (!isEcosystem(rec.ecosystem)) throw new AirlockError('BAD_REQUEST', `unknown ecosystem ${String(rec.ecosystem)}`);
        const [row] = await q.query(
          `INSERT INTO artifacts (repo, purl, filename, ecosystem, name, version, blob, size, sha512, sha1, stored_at, first_sha512)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9)
           ON CONFLICT (repo, purl, filename) DO UPDATE SET ecosystem = excluded.ecosystem, name = excluded.name,
             version = excluded.version, blob = excluded.blob, size = excluded.size, sha512 = excluded.sha512,
             sha1 = excluded.sha1, stored_at = excluded.stored_at
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

    async *artifactBlobs(): AsyncGenerator<Sha256Digest> {
      let after: readonly [string, string, string] = ['', '', ''];
      for (;;) {
        let rows: Row[];
        try {
          rows = await q.query(
            'SELECT repo, purl, filename, blob FROM artifacts WHERE (repo, purl, filename) > ($1, $2, $3) ORDER BY repo, purl, filename LIMIT $4',
            [...after, BLOB_PAGE],
          );
        } catch (err) {
          throw pgStorageError(err, 'artifactBlobs');
        }
        for (const row of rows) {
          after = [text(row, 'repo'), text(row, 'purl'), text(row, 'filename')];
          yield parseSha256Digest(text(row, 'blob'));
        }
        if (rows.length < BLOB_PAGE) return;
      }
    },
  };
}
