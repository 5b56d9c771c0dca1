import { auditEventOf, hostedPackageOf, hostedRow, blobDigestPages, requireText } from '../common/index.ts';
import type { HostedPackage, HostedPackageStore } from '../ports/index.ts';
import { storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { appendAuditIn } from './audit.ts';
import { checkEcosystem } from './missing-names.ts';
import { blobColumn, date, integer, text } from './rows.ts';
import type { Row } from './rows.ts';

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

const INSERT_FIRST = `INSERT INTO hosted_packages (repo, ecosystem, name, rev, document, files, updated_at)
  VALUES (:repo, :ecosystem, :name, :rev, :document, :files, :updatedAt)
  ON CONFLICT (repo, name) DO NOTHING`;

const UPDATE_NEXT = `UPDATE hosted_packages SET ecosystem = :ecosystem, rev = :rev, document = :document, files = :files,
    updated_at = :updatedAt
  WHERE repo = :repo AND name = :name AND rev = :rev - 1`;

export function sqliteHostedPackageStore(conn: SqliteConnection): HostedPackageStore {
  return {
    async getHostedPackage(repo, name) {
      try {
        const row = conn.statement('SELECT * FROM hosted_packages WHERE repo = ? AND name = ?').get(repo, name);
        return row === undefined ? null : toPackage(row);
      } catch (err) {
        throw storageError(err, 'getHostedPackage');
      }
    },

    async putHostedPackage(pkg, audit) {
      try {
        const row = hostedRow(pkg);
        const params = {
          repo: row.repo,
          ecosystem: row.ecosystem,
          name: row.name,
          rev: row.rev,
          document: row.document,
          files: row.files,
          updatedAt: row.updatedAt,
        };
        const blobs = JSON.stringify(row.blobs);
        // Compare-and-swap under the write lock: the first write inserts, each later one must follow
        // the revision stored (a write from another process waits for the lock, then sees ours).
        return await conn.write(() => {
          const written = conn.statement(row.rev === 1 ? INSERT_FIRST : UPDATE_NEXT).run(params).changes > 0;
          if (!written) return false;
          conn
            .statement('DELETE FROM hosted_blobs WHERE repo = ? AND name = ? AND blob NOT IN (SELECT value FROM json_each(?))')
            .run(row.repo, row.name, blobs);
          conn
            .statement('INSERT INTO hosted_blobs (repo, name, blob) SELECT ?, ?, value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING')
            .run(row.repo, row.name, blobs);
          if (audit !== undefined) appendAuditIn(conn, auditEventOf(audit, row.stored));
          return true;
        });
      } catch (err) {
        throw storageError(err, 'putHostedPackage');
      }
    },

    async hostedRevisions(repo) {
      try {
        requireText(repo, 'repository', 64);
        // A package with files has a blob row (every file names one): read by key, not by parsing the files.
        return conn
          .statement(
            'SELECT name, rev, NOT EXISTS (SELECT 1 FROM hosted_blobs b WHERE b.repo = p.repo AND b.name = p.name) AS empty FROM hosted_packages p WHERE repo = ? ORDER BY name',
          )
          .all(repo)
          .map((row) => ({ name: text(row, 'name'), rev: integer(row, 'rev'), empty: integer(row, 'empty') === 1 }));
      } catch (err) {
        throw storageError(err, 'hostedRevisions');
      }
    },

    async hostedNames(ecosystem) {
      try {
        checkEcosystem(ecosystem);
        return conn
          .statement('SELECT DISTINCT name FROM hosted_packages WHERE ecosystem = ? ORDER BY name')
          .all(ecosystem)
          .map((row) => text(row, 'name'));
      } catch (err) {
        throw storageError(err, 'hostedNames');
      }
    },

    async hostedRepositories(ecosystem) {
      try {
        checkEcosystem(ecosystem);
        return conn
          .statement('SELECT DISTINCT repo FROM hosted_packages WHERE ecosystem = ? ORDER BY repo')
          .all(ecosystem)
          .map((row) => text(row, 'repo'));
      } catch (err) {
        throw storageError(err, 'hostedRepositories');
      }
    },

    hostedBlobs: () => blobDigestPages((after, limit) => blobColumn(conn, 'SELECT DISTINCT blob FROM hosted_blobs WHERE blob > ? ORDER BY blob LIMIT ?', after, limit, 'hostedBlobs')),
  };
}
