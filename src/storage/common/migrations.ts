import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AirlockError } from '../../core/index.ts';

/**
 * A versioned schema migration, read from `NNN-name.sql` in a driver's `migrations/` folder.
 * Applied migrations must never change: their checksum is recorded and compared.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** sha256 of the SQL (line endings normalised). */
  readonly checksum: string;
}

const FILE_RE = /^(\d{3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.sql$/;

export function makeMigration(version: number, name: string, sql: string): Migration {
  const normalised = sql.replace(/\r\n/g, '\n');
  return { version, name, sql: normalised, checksum: createHash('sha256').update(normalised).digest('hex') };
}

/** Read and validate the migration files: names match the pattern, versions run 1, 2, 3 … */
export function loadMigrationFiles(dir: string): Migration[] {
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

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
}

/**
 * Compare what the database says was applied with the code's migrations; returns the next one
 * to apply (or null). Refuses a database newer than the code and edited migrations.
 */
export function nextMigration(applied: readonly AppliedMigration[], migrations: readonly Migration[]): Migration | null {
  const known = migrations.length;
  const newest = applied.at(-1)?.version ?? 0;
  if (newest > known) {
    throw new AirlockError(
      'STORAGE_ERROR',
      `the metadata database is at schema version ${newest}, newer than this Airlock build supports (${known}); ` +
        'upgrade Airlock, or point it at another data directory',
      { details: { databaseVersion: newest, supportedVersion: known } },
    );
  }
  applied.forEach((row, i) => {
    const migration = migrations[i];
    if (row.version !== i + 1 || migration === undefined) {
      throw new AirlockError('STORAGE_ERROR', `schema_migrations is inconsistent at version ${row.version}`);
    }
    if (row.name !== migration.name || row.checksum !== migration.checksum) {
      throw new AirlockError(
        'STORAGE_ERROR',
        `migration ${row.version} (${migration.name}) differs from the one applied to this database; applied migrations must never be edited`,
      );
    }
  });
  return migrations[applied.length] ?? null;
}

export function migrationFailed(migration: Migration, err: unknown): AirlockError {
  const reason = err instanceof Error ? err.message : String(err);
  return new AirlockError('STORAGE_ERROR', `migration ${migration.version}-${migration.name} failed: ${reason}`, { cause: err });
}
