import { join } from 'node:path';
import { loadMigrationFiles, migrationFailed, nextMigration } from '../common/index.ts';
import type { Migration, MigrationReport } from '../common/index.ts';
import type { SqliteConnection } from './connection.ts';
import { integer, text } from './rows.ts';

export { makeMigration } from '../common/index.ts';
export type { Migration, MigrationReport } from '../common/index.ts';

/**
 * Versioned schema migrations: `migrations/NNN-name.sql`, applied in order, each in its own
 * BEGIN IMMEDIATE transaction together with its row in `schema_migrations`. Taking the write
 * lock before reading the current version makes concurrent start-ups safe: the second process
 * waits, then finds the work done. Migration files must not contain BEGIN/COMMIT.
 */
export const SQLITE_MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

export function loadMigrations(dir: string = SQLITE_MIGRATIONS_DIR): Migration[] {
  return loadMigrationFiles(dir);
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  checksum   TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT`;

/** Bring the database up to the last migration. Idempotent; refuses a database newer than the code. */
export function migrateDatabase(conn: SqliteConnection, migrations: readonly Migration[], now: () => number = Date.now): MigrationReport {
  const applied: number[] = [];
  for (;;) {
    const done = conn.immediate((): Migration | null => {
      conn.exec(CREATE_TABLE);
      const rows = conn.statement('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all();
      const pending = nextMigration(
        rows.map((r) => ({ version: integer(r, 'version'), name: text(r, 'name'), checksum: text(r, 'checksum') })),
        migrations,
      );
      if (pending === null) return null;
      try {
        conn.exec(pending.sql);
      } catch (err) {
        throw migrationFailed(pending, err);
      }
      conn
        .statement('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)')
        .run(pending.version, pending.name, pending.checksum, now());
      return pending;
    });
    if (done === null) return { applied, version: migrations.length };
    applied.push(done.version);
  }
}
