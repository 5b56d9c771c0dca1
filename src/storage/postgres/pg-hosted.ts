import { auditEventOf, hostedPackageOf, hostedRow, blobDigestPages, requireText } from '../common/index.ts';
import type { HostedPackage, HostedPackageStore } from '../ports/index.ts';
import { pgStorageError } from './pg-client.ts';
import type { PgClient, Row } from './pg-client.ts';
import { appendAuditIn } from './pg-audit.ts';
import { checkEcosystem } from './pg-missing-names.ts';
import { blobColumn, date, integer, text } from './pg-rows.ts';

function toPackage(row: Row): HostedPackage {
  return hostedPackageOf({
    repo: text(row, 'repo'),
    ecosystem: text(row, 'ecosystem'),
    name: text(row, 'name'),
    rev: integer(row, 'rev'),
    document: text(row, 'document'),
    files: text(row, 'files'),
    updatedAt: date(row, 'updated_at'),
  });
}

export function pgHostedPackageStore(client: PgClient): HostedPackageStore {
  return {
    async getHostedPackage(repo, name) {
      try {
        const [row] = await client.query('SELECT * FROM hosted_packages WHERE repo = $1 AND name = $2', [repo, name]);
        return row === undefined ? null : toPackage(row);
      } catch (err) {
        throw pgStorageError(err, 'getHostedPackage');
      }
    },

    async putHostedPackage(pkg, audit) {
      try {
        const row = hostedRow(pkg);
        const updatedAt = new Date(row.updatedAt);
        return await client.tx(async (q) => {
          // Compare-and-swap in one statement: a concurrent first insert waits on the key, a
          // concurrent update on the row, and then finds the revision moved on.
          const written =
            row.rev === 1
              ? await q.query(
                  `INSERT INTO hosted_packages (repo, name, ecosystem, rev, document, files, updated_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)
                   ON CONFLICT (repo, name) DO NOTHING RETURNING rev`,
                  [row.repo, row.name, row.ecosystem, row.rev, row.document, row.files, updatedAt],
                )
              : await q.query(
                  `UPDATE hosted_packages SET ecosystem = $3, rev = $4, document = $5, files = $6, updated_at = $7
                   WHERE repo = $1 AND name = $2 AND rev = $8 RETURNING rev`,
                  [row.repo, row.name, row.ecosystem, row.rev, row.document, row.files, updatedAt, row.rev - 1],
                );
          if (written.length === 0) return false;
          await q.query('DELETE FROM hosted_blobs WHERE repo = $1 AND name = $2 AND NOT (blob = ANY($3::text[]))', [row.repo, row.name, row.blobs]);
          await q.query(
            'INSERT INTO hosted_blobs (repo, name, blob) SELECT $1, $2, b FROM unnest($3::text[]) AS b ON CONFLICT DO NOTHING',
            [row.repo, row.name, row.blobs],
          );
          if (audit !== undefined) await appendAuditIn(q, client.schema, auditEventOf(audit, row.stored));
          return true;
        });
      } catch (err) {
        throw pgStorageError(err, 'putHostedPackage');
      }
    },

    async hostedRevisions(repo) {
      try {
        requireText(repo, 'repository', 64);
        // Code-point order, as SQLite sorts, whatever the database's collation.
        // A package with files has a blob row (every file names one): read by key, not by parsing the files.
        const rows = await client.query(
          'SELECT p.name COLLATE "C" AS name, p.rev, NOT EXISTS (SELECT 1 FROM hosted_blobs b WHERE b.repo = p.repo AND b.name = p.name) AS empty FROM hosted_packages p WHERE p.repo = $1 ORDER BY name',
          [repo],
        );
        return rows.map((row) => ({ name: text(row, 'name'), rev: integer(row, 'rev'), empty: row['empty'] === true }));
      } catch (err) {
        throw pgStorageError(err, 'hostedRevisions');
      }
    },

    async hostedNames(ecosystem) {
      try {
        checkEcosystem(ecosystem);
        // Code-point order, as SQLite sorts, whatever the database's collation.
        const rows = await client.query('SELECT DISTINCT name COLLATE "C" AS name FROM hosted_packages WHERE ecosystem = $1 ORDER BY name', [ecosystem]);
        return rows.map((row) => text(row, 'name'));
      } catch (err) {
        throw pgStorageError(err, 'hostedNames');
      }
    },

    async hostedRepositories(ecosystem) {
      try {
        checkEcosystem(ecosystem);
        // Code-point order, as SQLite sorts, whatever the database's collation.
        const rows = await client.query('SELECT DISTINCT repo COLLATE "C" AS repo FROM hosted_packages WHERE ecosystem = $1 ORDER BY repo', [ecosystem]);
        return rows.map((row) => text(row, 'repo'));
      } catch (err) {
        throw pgStorageError(err, 'hostedRepositories');
      }
    },

    hostedBlobs: () => blobDigestPages((after, limit) => blobColumn(client, 'SELECT DISTINCT blob FROM hosted_blobs WHERE blob > $1 ORDER BY blob LIMIT $2', after, limit, 'hostedBlobs')),
  };
}
