import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AirlockError } from '../../core/index.ts';
import type { SqliteConnection } from './connection.ts';
import { integer, text } from './rows.ts';

/**
 * Versioned schema migrations: `migrations/NNN-name.sql`, applied in order, each in its own
 * BEGIN IMMEDIATE transaction together with its row in `schema_migrations`. Taking the write
 * lock before reading the current version makes concurrent start-ups safe: the second process
 * waits, then finds the work done. Migration files must not contain BEGIN/COMMIT.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** sha256 of the SQL (line endings normalised): an applied migration must never change. */
  readonly checksum: string;
}

const FILE_RE = /^(\d{3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.sql$/;

export const SQLITE_MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

export function makeMigration(version: number, name: string, sql: string): Migration {
  const normalised = sql.replace(/\r\n/g, '\n');
  return { version, name, sql: normalised, checksum: createHash('sha256').update(normalised).digest('hex') };
}

/** Read and validate the migration files: names match the pattern, versions run 1, 2, 3 … */
export function loadMigrations(dir: string = SQLITE_MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const m = FILE_RE.exec(file);
    if (m === null) throw new AirlockError('INTERNAL', `migration file name must be NNN-name.sql: ${file}`);
    const version = Number(m[1]);
    if (version !== out.length + 1) {
      throw new AirlockError('INTERNAL', `migration ${file} breaks the sequence (expected version ${out.length + 1})`);
    }
    out.push(makeMigration(version, m[2] as string, readFileSync(join(dir, file), 'utf8')));
  }
  return out;
}

export interface MigrationReport {
  /** Versions applied by this call (empty when the schema was already current). */
  readonly applied: readonly number[];
  readonly version: number;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  checksum   TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT`;

/** Bring the database up to the last migration. Idempotent; refuses a database newer than the code. */
export function migrateDatabase(conn: SqliteConnection, migrations: readonly Migration[], now: () => number = Date.now): MigrationReport {
  const known = migrations.length;
  const applied: number[] = [];
  for (;;) {
    const next = conn.immediate((): Migration | null => {
      conn.exec(CREATE_TABLE);
      const rows = conn.statement('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all();
      const current = rows.length;
      const last = rows.at(-1);
      const newest = last === undefined ? 0 : integer(last, 'version');
      if (newest > known) {
        throw new AirlockError(
          'STORAGE_ERROR',
          `the metadata database is at schema version ${newest}, newer than this Airlock build supports (${known}); ` +
            'upgrade Airlock, or point it at another data directory',
          { details: { databaseVersion: newest, supportedVersion: known } },
        );
      }
      rows.forEach((row, i) => {
        const version = integer(row, 'version');
        const migration = migrations[i];
        if (version !== i + 1 || migration === undefined) {
          throw new AirlockError('STORAGE_ERROR', `schema_migrations is inconsistent at version ${version}`);
        }
        if (text(row, 'name') !== migration.name || text(row, 'checksum') !== migration.checksum) {
          throw new AirlockError(
            'STORAGE_ERROR',
            `migration ${version} (${migration.name}) differs from the one applied to this database; applied migrations must never be edited`,
          );
        }
      });
      const pending = migrations[current];
      if (pending === undefined) return null;
      try {
        conn.exec(pending.sql);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new AirlockError('STORAGE_ERROR', `migration ${pending.version}-${pending.name} failed: ${reason}`, { cause: err });
      }
      conn
        .statement('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)')
        .run(pending.version, pending.name, pending.checksum, now());
      return pending;
    });
    if (next === null) return { applied, version: known };
    applied.push(next.version);
  }
}
