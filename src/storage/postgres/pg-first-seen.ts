import { requireText, requireVersions, validDate } from '../common/index.ts';
import type { FirstSeenStore } from '../ports/index.ts';
import { pgStorageError } from './pg-client.ts';
import type { PgClient, Queryable } from './pg-client.ts';
import { checkEcosystem } from './pg-missing-names.ts';
import { date, text } from './pg-rows.ts';

async function versionDates(q: Queryable, ecosystem: string, name: string, only?: readonly string[]): Promise<Map<string, Date>> {
  const out = new Map<string, Date>();
  const rows =
    only === undefined
      ? await q.query('SELECT version, first_seen_at FROM first_seen_versions WHERE ecosystem = $1 AND name = $2', [ecosystem, name])
      : await q.query('SELECT version, first_seen_at FROM first_seen_versions WHERE ecosystem = $1 AND name = $2 AND version = ANY($3::text[])', [ecosystem, name, [...new Set(only)]]);
  for (const row of rows) out.set(text(row, 'version'), date(row, 'first_seen_at'));
  return out;
}

export function pgFirstSeenStore(client: PgClient): FirstSeenStore {
  return {
    async markSeen(ecosystem, name, versions, at) {
      try {
        checkEcosystem(ecosystem);
        requireText(name, 'package name', 512);
        requireVersions(versions);
        const when = validDate(at, 'first-seen time');
        const [pkg] = await client.query('SELECT first_seen_at FROM first_seen_packages WHERE ecosystem = $1 AND name = $2', [ecosystem, name]);
        let known = await versionDates(client, ecosystem, name);
        const stale = [...new Set(versions.filter((v) => (known.get(v)?.getTime() ?? Number.POSITIVE_INFINITY) > when.getTime()))];
        if (pkg === undefined || date(pkg, 'first_seen_at').getTime() > when.getTime() || stale.length > 0) {
          await client.tx(async (q) => {
            await q.query(
              `INSERT INTO first_seen_packages (ecosystem, name, first_seen_at) VALUES ($1, $2, $3)
               ON CONFLICT (ecosystem, name) DO UPDATE SET first_seen_at = LEAST(first_seen_packages.first_seen_at, excluded.first_seen_at)`,
              [ecosystem, name, when],
            );
            if (stale.length > 0) {
              await q.query(
                `INSERT INTO first_seen_versions (ecosystem, name, version, first_seen_at)
                 SELECT $1, $2, v, $3 FROM unnest($4::text[]) AS v
                 ON CONFLICT (ecosystem, name, version) DO UPDATE SET first_seen_at = LEAST(first_seen_versions.first_seen_at, excluded.first_seen_at)`,
                [ecosystem, name, when, stale],
              );
            }
          });
          known = await versionDates(client, ecosystem, name);
        }
        const out = new Map<string, Date>();
        for (const v of versions) {
          const d = known.get(v);
          if (d !== undefined) out.set(v, d);
        }
        return out;
      } catch (err) {
        throw pgStorageError(err, 'markSeen');
      }
    },

    async firstSeen(ecosystem, name, only) {
      try {
        if (only !== undefined) requireVersions(only);
        const [pkg] = await client.query('SELECT first_seen_at FROM first_seen_packages WHERE ecosystem = $1 AND name = $2', [ecosystem, name]);
        return { package: pkg === undefined ? null : date(pkg, 'first_seen_at'), versions: await versionDates(client, ecosystem, name, only) };
      } catch (err) {
        throw pgStorageError(err, 'firstSeen');
      }
    },
  };
}
