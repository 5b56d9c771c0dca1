import { requireText, requireVersions, toMillis } from '../common/index.ts';
import type { FirstSeenStore } from '../ports/index.ts';
import { storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { checkEcosystem } from './missing-names.ts';
import { integer, text } from './rows.ts';

/** Up to this many versions are looked up one by one; more, and the package's rows are read and filtered. */
const POINT_LOOKUPS = 32;

export function sqliteFirstSeenStore(conn: SqliteConnection): FirstSeenStore {
  function versionDates(ecosystem: string, name: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const row of conn.statement('SELECT version, first_seen_at FROM first_seen_versions WHERE ecosystem = ? AND name = ?').all(ecosystem, name)) {
      out.set(text(row, 'version'), integer(row, 'first_seen_at'));
    }
    return out;
  }

  /** Just these versions' dates: primary-key lookups for a few, else the package's rows filtered. */
  function someVersionDates(ecosystem: string, name: string, versions: readonly string[]): Map<string, number> {
    const wanted = new Set(versions);
    const out = new Map<string, number>();
    if (wanted.size > POINT_LOOKUPS) {
      for (const [v, ms] of versionDates(ecosystem, name)) if (wanted.has(v)) out.set(v, ms);
      return out;
    }
    const get = conn.statement('SELECT first_seen_at FROM first_seen_versions WHERE ecosystem = ? AND name = ? AND version = ?');
    for (const v of wanted) {
      const row = get.get(ecosystem, name, v);
      if (row !== undefined) out.set(v, integer(row, 'first_seen_at'));
    }
    return out;
  }

  return {
    async markSeen(ecosystem, name, versions, at) {
      try {
        checkEcosystem(ecosystem);
        requireText(name, 'package name', 512);
        requireVersions(versions);
        const when = toMillis(at, 'first-seen time');
        const earlier = (known: Map<string, number>): string[] => versions.filter((v) => (known.get(v) ?? Number.POSITIVE_INFINITY) > when);
        const packageNeeds = (): boolean => {
          const pkg = conn.statement('SELECT first_seen_at FROM first_seen_packages WHERE ecosystem = ? AND name = ?').get(ecosystem, name);
          return pkg === undefined || integer(pkg, 'first_seen_at') > when;
        };
        // Cheap path, outside a transaction: nothing new and nothing to move earlier.
        let known = versionDates(ecosystem, name);
        if (packageNeeds() || earlier(known).length > 0) {
          // Read again under the write lock: another process may have written in between.
          await conn.write(() => {
            known = versionDates(ecosystem, name);
            conn
              .statement(
                `INSERT INTO first_seen_packages (ecosystem, name, first_seen_at) VALUES (?, ?, ?)
                 ON CONFLICT (ecosystem, name) DO UPDATE SET first_seen_at = MIN(first_seen_at, excluded.first_seen_at)`,
              )
              .run(ecosystem, name, when);
            // One statement for every version (a big package lists thousands): SQLite walks
            // the JSON array itself instead of one call per row.
            const fresh = earlier(known);
            conn
              .statement(
                `INSERT INTO first_seen_versions (ecosystem, name, version, first_seen_at)
                 SELECT ?, ?, value, ? FROM json_each(?) WHERE true
                 ON CONFLICT (ecosystem, name, version) DO UPDATE SET first_seen_at = MIN(first_seen_at, excluded.first_seen_at)`,
              )
              .run(ecosystem, name, when, JSON.stringify(fresh));
            for (const v of fresh) known.set(v, when);
          });
        }
        const out = new Map<string, Date>();
        for (const v of versions) {
          const ms = known.get(v);
          if (ms !== undefined) out.set(v, new Date(ms));
        }
        return out;
      } catch (err) {
        throw storageError(err, 'markSeen');
      }
    },

    async firstSeen(ecosystem, name, only) {
      try {
        if (only !== undefined) requireVersions(only);
        const pkg = conn.statement('SELECT first_seen_at FROM first_seen_packages WHERE ecosystem = ? AND name = ?').get(ecosystem, name);
        const versions = new Map<string, Date>();
        for (const [v, ms] of only === undefined ? versionDates(ecosystem, name) : someVersionDates(ecosystem, name, only)) versions.set(v, new Date(ms));
        return { package: pkg === undefined ? null : new Date(integer(pkg, 'first_seen_at')), versions };
      } catch (err) {
        throw storageError(err, 'firstSeen');
      }
    },
  };
}
