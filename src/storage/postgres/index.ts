export { openPostgresMetadataStore } from './postgres-metadata-store.ts';
export type { PostgresMetadataStore, PostgresMetadataStoreOptions } from './postgres-metadata-store.ts';
export { loadPgMigrations, migratePg, PG_MIGRATIONS_DIR } from './pg-migrate.ts';
