import type { MetadataStore, SignalStore } from '../ports/index.ts';
import { sqliteArtifactIndex } from './artifacts.ts';
import { sqliteAuditLog } from './audit.ts';
import { SqliteConnection } from './connection.ts';
import type { SqliteConnectionOptions } from './connection.ts';
import { sqliteDecisionLog } from './decisions.ts';
import { sqliteDocumentCache } from './documents.ts';
import { sqliteExceptionStore } from './exceptions.ts';
import { sqliteFactCache } from './fact-cache.ts';
import { sqliteFeedStore } from './feeds.ts';
import { sqliteFirstSeenStore } from './first-seen.ts';
import { sqliteHostedPackageStore } from './hosted.ts';
import { loadMigrations, migrateDatabase } from './migrate.ts';
import type { Migration, MigrationReport } from './migrate.ts';
import { sqliteMissingNameLedger } from './missing-names.ts';
import { sqliteQuarantineStore } from './quarantine.ts';
import { sqliteTokenStore } from './tokens.ts';
import { sqliteUploadSessionStore } from './upload-sessions.ts';
import { sqliteWebhookCursorStore } from './webhook-cursors.ts';

export interface SqliteMetadataStoreOptions extends SqliteConnectionOptions {
  /** Migrations to apply; the bundled ones by default (tests substitute their own). */
  readonly migrations?: readonly Migration[];
}

/** Both the MetadataStore and the SignalStore roles, on one connection. */
export interface SqliteMetadataStore extends MetadataStore, SignalStore {
  /** Like `migrate()`, reporting what was applied. */
  migrateWithReport(): Promise<MigrationReport>;
}

/**
 * The embedded metadata store: one SQLite file (WAL) in the data directory. Several processes
 * may open the same file; writes that read before they write take the lock first. Call
 * `migrate()` before use.
 */
export function openSqliteMetadataStore(options: SqliteMetadataStoreOptions): SqliteMetadataStore {
  const conn = new SqliteConnection(options);
  const migrations = options.migrations ?? loadMigrations();
  const migrateWithReport = async (): Promise<MigrationReport> => migrateDatabase(conn, migrations);
  return {
    ...sqliteDocumentCache(conn),
    ...sqliteArtifactIndex(conn),
    ...sqliteHostedPackageStore(conn),
    ...sqliteDecisionLog(conn),
    ...sqliteQuarantineStore(conn),
    ...sqliteExceptionStore(conn),
    ...sqliteAuditLog(conn),
    ...sqliteTokenStore(conn),
    ...sqliteWebhookCursorStore(conn),
    ...sqliteUploadSessionStore(conn),
    ...sqliteMissingNameLedger(conn),
    ...sqliteFirstSeenStore(conn),
    ...sqliteFeedStore(conn),
    ...sqliteFactCache(conn),
    migrateWithReport,
    async migrate() {
      await migrateWithReport();
    },
    async close() {
      conn.close();
    },
  };
}
