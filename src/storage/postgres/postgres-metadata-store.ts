import type { Migration, MigrationReport } from '../common/index.ts';
import type { MetadataStore, SignalStore } from '../ports/index.ts';
import { pgArtifactIndex } from './pg-artifacts.ts';
import { pgAuditLog } from './pg-audit.ts';
import { PgClient } from './pg-client.ts';
import type { PgClientOptions } from './pg-client.ts';
import { pgDecisionLog } from './pg-decisions.ts';
import { pgDocumentCache } from './pg-documents.ts';
import { pgExceptionStore } from './pg-exceptions.ts';
import { pgFactCache } from './pg-fact-cache.ts';
import { pgFeedStore } from './pg-feeds.ts';
import { pgFirstSeenStore } from './pg-first-seen.ts';
import { pgHostedPackageStore } from './pg-hosted.ts';
import { loadPgMigrations, migratePg } from './pg-migrate.ts';
import { pgMissingNameLedger } from './pg-missing-names.ts';
import { pgQuarantineStore } from './pg-quarantine.ts';
import { pgTokenStore } from './pg-tokens.ts';
import { pgUploadSessionStore } from './pg-upload-sessions.ts';
import { pgWebhookCursorStore } from './pg-webhook-cursors.ts';

export interface PostgresMetadataStoreOptions extends PgClientOptions {
  readonly migrations?: readonly Migration[];
}

export interface PostgresMetadataStore extends MetadataStore, SignalStore {
  migrateWithReport(): Promise<MigrationReport>;
}

/**
 * The shared metadata store for several stateless gateway nodes: PostgreSQL, one schema.
 * Read-then-write operations serialise on transaction-scoped advisory locks. Call `migrate()`
 * before use.
 */
export function openPostgresMetadataStore(options: PostgresMetadataStoreOptions): PostgresMetadataStore {
  const client = new PgClient(options);
  const migrations = options.migrations ?? loadPgMigrations();
  const migrateWithReport = (): Promise<MigrationReport> => migratePg(client, migrations);
  return {
    ...pgDocumentCache(client),
    ...pgArtifactIndex(client),
    ...pgHostedPackageStore(client),
    ...pgDecisionLog(client),
    ...pgQuarantineStore(client),
    ...pgExceptionStore(client),
    ...pgAuditLog(client),
    ...pgTokenStore(client),
    ...pgWebhookCursorStore(client),
    ...pgUploadSessionStore(client),
    ...pgMissingNameLedger(client),
    ...pgFirstSeenStore(client),
    ...pgFeedStore(client),
    ...pgFactCache(client),
    migrateWithReport,
    async migrate() {
      await migrateWithReport();
    },
    close: () => client.close(),
  };
}
