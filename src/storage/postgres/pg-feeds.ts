import { AirlockError, isEcosystem } from '../../core/index.ts';
import { advisoryKind, encodeJson, FEED_ADVISORY_KINDS, nonNegativeInteger, requireText, storableText, validDate, validDateOrNull } from '../common/index.ts';
import type { FeedAdvisory, FeedImport, FeedStore } from '../ports/index.ts';
import { isUniqueViolation, lockFor, pgStorageError } from './pg-client.ts';
import type { Param, PgClient, Row } from './pg-client.ts';
import { checkEcosystem } from './pg-missing-names.ts';
import { pageNewestFirst } from './pg-page.ts';
import { date, dateOrNull, integer, json, jsonOrNull, oneOf, stringArray, text, textOrNull } from './pg-rows.ts';

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

interface BoundAdvisory {
  readonly key: readonly [string, string, string, string];
  readonly versions: readonly string[];
  readonly modified: Date | null;
  readonly sha256: string;
  readonly params: Param[];
}

function bindAdvisory(a: FeedAdvisory): BoundAdvisory {
  checkEcosystem(a.ecosystem);
  if (!Array.isArray(a.versions) || !a.versions.every((v) => typeof v === 'string' && v !== '')) {
    throw new AirlockError('BAD_REQUEST', `advisory ${a.id}: versions must be non-empty strings`);
  }
  if (!/^[0-9a-f]{64}$/.test(a.provenance.sha256)) throw new AirlockError('BAD_REQUEST', `advisory ${a.id}: provenance sha256 must be hex`);
  const key = [
    requireText(a.source, 'advisory source', 128),
    requireText(a.id, 'advisory id', 256),
    a.ecosystem,
    requireText(a.name, 'advisory package name', 512),
  ] as const;
  const versions = [...new Set(a.versions)];
  const modified = validDateOrNull(a.modified, 'advisory modified');
  return {
    key,
    versions,
    modified,
    sha256: a.provenance.sha256,
    params: [
      ...key,
      advisoryKind(a),
      a.severity === null ? null : encodeJson(a.severity, 'advisory severity'),
      encodeJson(versions, 'advisory versions'),
      encodeJson(a.ranges, 'advisory ranges'),
      a.summary === null ? null : storableText(a.summary, 4096),
      encodeJson(a.aliases, 'advisory aliases'),
      validDateOrNull(a.published, 'advisory published'),
      modified,
      validDateOrNull(a.withdrawn, 'advisory withdrawn'),
      requireText(a.provenance.origin, 'advisory origin'),
      a.provenance.sha256,
      requireText(a.provenance.importId, 'advisory import id', 128),
    ],
  };
}

export function pgFeedStore(client: PgClient): FeedStore {
  return {
    async putAdvisories(advisories) {
      try {
        const bound = advisories.map(bindAdvisory);
        return await client.tx(async (q) => {
          await lockFor(q, client.schema, 'feeds');
          let added = 0;
          let updated = 0;
          let unchanged = 0;
          for (const a of bound) {
            const [existing] = await q.query('SELECT modified, sha256 FROM feed_advisories WHERE source = $1 AND id = $2 AND ecosystem = $3 AND name = $4', [...a.key]);
            if (existing !== undefined) {
              const stored = dateOrNull(existing, 'modified');
              const older = stored !== null && a.modified !== null && a.modified.getTime() < stored.getTime();
              if (older || text(existing, 'sha256') === a.sha256) {
                unchanged++;
                continue;
              }
              updated++;
            } else {
              added++;
            }
            await q.query(
              `INSERT INTO feed_advisories (source, id, ecosystem, name, kind, severity, versions, ranges, summary, aliases, published,
                 modified, withdrawn, origin, sha256, import_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
               ON CONFLICT (source, id, ecosystem, name) DO UPDATE SET kind = excluded.kind, severity = excluded.severity,
                 versions = excluded.versions, ranges = excluded.ranges,
                 summary = excluded.summary, aliases = excluded.aliases, published = excluded.published,
                 modified = excluded.modified, withdrawn = excluded.withdrawn, origin = excluded.origin,
                 sha256 = excluded.sha256, import_id = excluded.import_id`,
              a.params,
            );
            await q.query('DELETE FROM feed_advisory_versions WHERE source = $1 AND id = $2 AND ecosystem = $3 AND name = $4', [...a.key]);
            if (a.versions.length > 0) {
              await q.query(
                `INSERT INTO feed_advisory_versions (ecosystem, name, version, source, id)
                 SELECT $1, $2, v, $3, $4 FROM unnest($5::text[]) AS v`,
                [a.key[2], a.key[3], a.key[0], a.key[1], a.versions],
              );
            }
          }
          if (added + updated > 0) await q.query("UPDATE counters SET value = value + 1 WHERE name = 'feed_revision'");
          return { added, updated, unchanged };
        });
      } catch (err) {
        throw pgStorageError(err, 'putAdvisories');
      }
    },

    async advisoriesFor(ecosystem, name) {
      try {
        const rows = await client.query(
          'SELECT * FROM feed_advisories WHERE ecosystem = $1 AND name = $2 AND withdrawn IS NULL ORDER BY source, id',
          [ecosystem, name],
        );
        return rows.map(toAdvisory);
      } catch (err) {
        throw pgStorageError(err, 'advisoriesFor');
      }
    },

    async advisoryPackages(kind) {
      try {
        const rows = await client.query('SELECT DISTINCT ecosystem, name FROM feed_advisories WHERE kind = $1 AND withdrawn IS NULL ORDER BY ecosystem, name', [kind]);
        return rows.map((row) => {
          const ecosystem = text(row, 'ecosystem');
          if (!isEcosystem(ecosystem)) throw new AirlockError('STORAGE_ERROR', `metadata store: unknown ecosystem ${ecosystem}`);
          return { ecosystem, name: text(row, 'name') };
        });
      } catch (err) {
        throw pgStorageError(err, 'advisoryPackages');
      }
    },

    async advisoriesForVersion(ecosystem, name, version) {
      try {
        const rows = await client.query(
          `SELECT a.* FROM feed_advisory_versions v
             JOIN feed_advisories a ON a.source = v.source AND a.id = v.id AND a.ecosystem = v.ecosystem AND a.name = v.name
           WHERE v.ecosystem = $1 AND v.name = $2 AND v.version = $3 AND a.withdrawn IS NULL
           ORDER BY a.source, a.id`,
          [ecosystem, name, version],
        );
        return rows.map(toAdvisory);
      } catch (err) {
        throw pgStorageError(err, 'advisoriesForVersion');
      }
    },

    async recordFeedImport(rec) {
      try {
        await client.query(
          `INSERT INTO feed_imports (id, source, origin, imported_at, imported_by, added, updated, unchanged, rejected)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            requireText(rec.id, 'import id', 128),
            requireText(rec.source, 'import source', 128),
            requireText(rec.origin, 'import origin'),
            validDate(rec.importedAt, 'importedAt'),
            requireText(rec.importedBy, 'importedBy'),
            nonNegativeInteger(rec.added, 'added'),
            nonNegativeInteger(rec.updated, 'updated'),
            nonNegativeInteger(rec.unchanged, 'unchanged'),
            nonNegativeInteger(rec.rejected, 'rejected'),
          ],
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', `feed import ${rec.id} already recorded`, { cause: err });
        throw pgStorageError(err, 'recordFeedImport');
      }
    },

    async listFeedImports(filter) {
      try {
        return await pageNewestFirst(client, {
          table: 'feed_imports',
          timeColumn: 'imported_at',
          conditions: [],
          params: [],
          limit: filter.limit,
          cursor: filter.cursor,
          map: toImport,
        });
      } catch (err) {
        throw pgStorageError(err, 'listFeedImports');
      }
    },

    async feedRevision() {
      try {
        const [row] = await client.query("SELECT value FROM counters WHERE name = 'feed_revision'");
        return row === undefined ? 0 : integer(row, 'value');
      } catch (err) {
        throw pgStorageError(err, 'feedRevision');
      }
    },
  };
}
