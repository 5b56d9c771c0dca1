import { join } from 'node:path';
import { loadMigrationFiles, migrationFailed, nextMigration } from '../common/index.ts';
import type { Migration, MigrationReport } from '../common/index.ts';
import { lockFor } from './pg-client.ts';
import type { PgClient } from './pg-client.ts';
import { integer, text } from './pg-rows.ts';

export const PG_MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

export function loadPgMigrations(dir: string = PG_MIGRATIONS_DIR): Migration[] {
  return loadMigrationFiles(dir);
}

/**
 * Apply pending migrations, each in its own transaction with its `schema_migrations` row.
 * A transaction-scoped advisory lock per schema serialises concurrent start-ups (several
 * gateway nodes): the later ones wait, then find the work done.
 */
export async function migratePg(client: PgClient, migrations: readonly Migration[]): Promise<MigrationReport> {
  const applied: number[] = [];
  for (;;) {
    const done = await client.tx(async (q): Promise<Migration | null> => {
      await lockFor(q, client.schema, 'migrate');
      await q.exec(`CREATE SCHEMA IF NOT EXISTS ${client.schema}`);
      await q.exec(`CREATE TABLE IF NOT EXISTS ${client.schema}.schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const rows = await q.query('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
      const pending = nextMigration(
        rows.map((r) => ({ version: integer(r, 'version'), name: text(r, 'name'), checksum: text(r, 'checksum') })),
        migrations,
      );
      if (pending === null) return null;
      try {
        await q.exec(pending.sql);
      } catch (err) {
        throw migrationFailed(pending, err);
      }
      await q.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [pending.version, pending.name, pending.checksum]);
      return pending;
    });
    if (done === null) return { applied, version: migrations.length };
    applied.push(done.version);
  }
}
