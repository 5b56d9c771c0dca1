export { openSqliteMetadataStore } from './sqlite-metadata-store.ts';
export type { SqliteMetadataStore, SqliteMetadataStoreOptions } from './sqlite-metadata-store.ts';
export { loadMigrations, makeMigration, migrateDatabase, SQLITE_MIGRATIONS_DIR } from './migrate.ts';
export type { Migration, MigrationReport } from './migrate.ts';
export type { SqliteSynchronous } from './connection.ts';
