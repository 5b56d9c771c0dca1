import { AirlockError, isEcosystem } from '../../core/index.ts';
import { advisoryKind, encodeJson, FEED_ADVISORY_KINDS, nonNegativeInteger, requireText, storableText, toMillis, toMillisOrNull } from '../common/index.ts';
import type { FeedAdvisory, FeedImport, FeedStore } from '../ports/index.ts';
import { isUniqueViolation, storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { checkEcosystem } from './missing-names.ts';
import { pageNewestFirst } from './page.ts';
import { date, dateOrNull, integer, json, jsonOrNull, oneOf, text, textOrNull } from './rows.ts';
import type { Row } from './rows.ts';

function stringArray(row: Row, column: string): readonly string[] {
  const value = json(row, column);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new AirlockError('STORAGE_ERROR', `metadata store: unexpected value in column ${column}`);
  }
  return value as readonly string[];
}

function toAdvisory(row: Row): FeedAdvisory {
  const ecosystem = text(row, 'ecosystem');
  if (!isEcosystem(ecosystem)) throw new AirlockError('STORAGE_ERROR', `metadata store: unknown ecosystem ${ecosystem}`);
  return {
    source: text(row, 'source'),
    id: text(row, 'id'),
    kind: oneOf(row, 'kind', FEED_ADVISORY_KINDS),
    severity: jsonOrNull(row, 'severity'),
    ecosystem,
    name: text(row, 'name'),
    versions: stringArray(row, 'versions'),
    ranges: json(row, 'ranges'),
    summary: textOrNull(row, 'summary'),
    aliases: stringArray(row, 'aliases'),
    published: dateOrNull(row, 'published'),
    modified: dateOrNull(row, 'modified'),
    withdrawn: dateOrNull(row, 'withdrawn'),
    provenance: { origin: text(row, 'origin'), sha256: text(row, 'sha256'), importId: text(row, 'import_id') },
  };
}

function toImport(row: Row): FeedImport {
  return {
    id: text(row, 'id'),
    source: text(row, 'source'),
    origin: text(row, 'origin'),
    importedAt: date(row, 'imported_at'),
    importedBy: text(row, 'imported_by'),
    added: integer(row, 'added'),
    updated: integer(row, 'updated'),
    unchanged: integer(row, 'unchanged'),
    rejected: integer(row, 'rejected'),
  };
}

/** Validated column values of one advisory, ready to bind. */
function bindAdvisory(a: FeedAdvisory) {
  checkEcosystem(a.ecosystem);
  if (!Array.isArray(a.versions) || !a.versions.every((v) => typeof v === 'string' && v !== '')) {
    throw new AirlockError('BAD_REQUEST', `advisory ${a.id}: versions must be non-empty strings`);
  }
  if (!/^[0-9a-f]{64}$/.test(a.provenance.sha256)) throw new AirlockError('BAD_REQUEST', `advisory ${a.id}: provenance sha256 must be hex`);
  return {
    source: requireText(a.source, 'advisory source', 128),
    id: requireText(a.id, 'advisory id', 256),
    kind: advisoryKind(a),
    severity: a.severity === null ? null : encodeJson(a.severity, 'advisory severity'),
    ecosystem: a.ecosystem,
    name: requireText(a.name, 'advisory package name', 512),
    versions: encodeJson([...new Set(a.versions)], 'advisory versions'),
    ranges: encodeJson(a.ranges, 'advisory ranges'),
    summary: a.summary === null ? null : storableText(a.summary, 4096),
    aliases: encodeJson(a.aliases, 'advisory aliases'),
    published: toMillisOrNull(a.published, 'advisory published'),
    modified: toMillisOrNull(a.modified, 'advisory modified'),
    withdrawn: toMillisOrNull(a.withdrawn, 'advisory withdrawn'),
    origin: requireText(a.provenance.origin, 'advisory origin'),
    sha256: a.provenance.sha256,
    importId: requireText(a.provenance.importId, 'advisory import id', 128),
  };
}

export function sqliteFeedStore(conn: SqliteConnection): FeedStore {
  return {
    async putAdvisories(advisories) {
      try {
        const rows = advisories.map(bindAdvisory);
        return await conn.write(() => {
          let added = 0;
          let updated = 0;
          let unchanged = 0;
          const find = conn.statement('SELECT modified, sha256 FROM feed_advisories WHERE source = ? AND id = ? AND ecosystem = ? AND name = ?');
          const upsert = conn.statement(
            `INSERT INTO feed_advisories (source, id, kind, severity, ecosystem, name, versions, ranges, summary, aliases, published, modified,
               withdrawn, origin, sha256, import_id)
             VALUES (:source, :id, :kind, :severity, :ecosystem, :name, :versions, :ranges, :summary, :aliases, :published, :modified,
               :withdrawn, :origin, :sha256, :importId)
             ON CONFLICT (source, id, ecosystem, name) DO UPDATE SET kind = excluded.kind, severity = excluded.severity,
               versions = excluded.versions, ranges = excluded.ranges,
               summary = excluded.summary, aliases = excluded.aliases, published = excluded.published,
               modified = excluded.modified, withdrawn = excluded.withdrawn, origin = excluded.origin,
               sha256 = excluded.sha256, import_id = excluded.import_id`,
          );
          const clearVersions = conn.statement('DELETE FROM feed_advisory_versions WHERE source = ? AND id = ? AND ecosystem = ? AND name = ?');
          const addVersion = conn.statement('INSERT INTO feed_advisory_versions (ecosystem, name, version, source, id) VALUES (?, ?, ?, ?, ?)');
          for (const r of rows) {
            const existing = find.get(r.source, r.id, r.ecosystem, r.name);
            if (existing !== undefined) {
              const storedModified = existing['modified'];
              const older = typeof storedModified === 'number' && r.modified !== null && r.modified < storedModified;
              if (older || text(existing, 'sha256') === r.sha256) {
                unchanged++;
                continue;
              }
              updated++;
            } else {
              added++;
            }
            upsert.run(r);
            clearVersions.run(r.source, r.id, r.ecosystem, r.name);
            for (const v of JSON.parse(r.versions) as string[]) addVersion.run(r.ecosystem, r.name, v, r.source, r.id);
          }
          if (added + updated > 0) conn.statement("UPDATE counters SET value = value + 1 WHERE name = 'feed_revision'").run();
          return { added, updated, unchanged };
        });
      } catch (err) {
        throw storageError(err, 'putAdvisories');
      }
    },

    async advisoriesFor(ecosystem, name) {
      try {
        return conn
          .statement('SELECT * FROM feed_advisories WHERE ecosystem = ? AND name = ? AND withdrawn IS NULL ORDER BY source, id')
          .all(ecosystem, name)
          .map(toAdvisory);
      } catch (err) {
        throw storageError(err, 'advisoriesFor');
      }
    },

    async advisoryPackages(kind) {
      try {
        return conn
          .statement('SELECT DISTINCT ecosystem, name FROM feed_advisories WHERE kind = ? AND withdrawn IS NULL ORDER BY ecosystem, name')
          .all(kind)
          .map((row) => {
            const ecosystem = text(row, 'ecosystem');
            if (!isEcosystem(ecosystem)) throw new AirlockError('STORAGE_ERROR', `metadata store: unknown ecosystem ${ecosystem}`);
            return { ecosystem, name: text(row, 'name') };
          });
      } catch (err) {
        throw storageError(err, 'advisoryPackages');
      }
    },

    async advisoriesForVersion(ecosystem, name, version) {
      try {
        return conn
          .statement(
            `SELECT a.* FROM feed_advisory_versions v
               JOIN feed_advisories a ON a.source = v.source AND a.id = v.id AND a.ecosystem = v.ecosystem AND a.name = v.name
             WHERE v.ecosystem = ? AND v.name = ? AND v.version = ? AND a.withdrawn IS NULL
             ORDER BY a.source, a.id`,
          )
          .all(ecosystem, name, version)
          .map(toAdvisory);
      } catch (err) {
        throw storageError(err, 'advisoriesForVersion');
      }
    },

    async recordFeedImport(rec) {
      try {
        await conn.writeStatement(
          `INSERT INTO feed_imports (id, source, origin, imported_at, imported_by, added, updated, unchanged, rejected)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            requireText(rec.id, 'import id', 128),
            requireText(rec.source, 'import source', 128),
            requireText(rec.origin, 'import origin'),
            toMillis(rec.importedAt, 'importedAt'),
            requireText(rec.importedBy, 'importedBy'),
            nonNegativeInteger(rec.added, 'added'),
            nonNegativeInteger(rec.updated, 'updated'),
            nonNegativeInteger(rec.unchanged, 'unchanged'),
            nonNegativeInteger(rec.rejected, 'rejected'),
          ],
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', `feed import ${rec.id} already recorded`, { cause: err });
        throw storageError(err, 'recordFeedImport');
      }
    },

    async listFeedImports(filter) {
      try {
        return pageNewestFirst(conn, {
          table: 'feed_imports',
          timeColumn: 'imported_at',
          conditions: [],
          params: [],
          limit: filter.limit,
          cursor: filter.cursor,
          map: toImport,
        });
      } catch (err) {
        throw storageError(err, 'listFeedImports');
      }
    },

    async feedRevision() {
      try {
        const row = conn.statement("SELECT value FROM counters WHERE name = 'feed_revision'").get();
        return row === undefined ? 0 : integer(row, 'value');
      } catch (err) {
        throw storageError(err, 'feedRevision');
      }
    },
  };
}
