import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AirlockError, assertNever } from '../core/index.ts';
import { fsBlobLayout, openFsBlobStore } from './fs-blob/index.ts';
import type { StagingCleanupReport } from './fs-blob/index.ts';
import type { BlobStore, MetadataStore, SignalStore } from './ports/index.ts';
import { storageCondition, type MigrationReport } from './common/index.ts';
import type { PostgresMetadataStore } from './postgres/index.ts';
import type { S3BlobStoreOptions } from './s3-blob/index.ts';
import { openSqliteMetadataStore } from './sqlite/index.ts';
import type { SqliteMetadataStore, SqliteSynchronous } from './sqlite/index.ts';

/** Which metadata driver, and its settings. */
export type MetadataDriverOptions =
  | {
      /** Embedded, one file in the data directory (the default). */
      readonly driver: 'sqlite';
      /** Database file; default `<dataDir>/airlock.db`. */
      readonly path?: string;
      readonly busyTimeoutMs?: number;
      readonly synchronous?: SqliteSynchronous;
    }
  | {
      /** Shared by several gateway nodes. */
      readonly driver: 'postgres';
      /** `postgres://user:password@host:port/database` (resolve secrets before passing it). */
      readonly url: string;
      /** Default `airlock`. */
      readonly schema?: string;
      readonly maxConnections?: number;
    };

/** Which blob driver, and its settings. */
export type BlobDriverOptions =
  | {
      /** Files under `<dataDir>/blobs/` (the default). */
      readonly driver: 'fs';
      /** fsync on commit (default true). */
      readonly fsync?: boolean;
    }
  | ({
      /** An S3-compatible object store, shared by several gateway nodes; uploads stage under `<dataDir>/blobs/staging/`. */
      readonly driver: 's3';
    } & Omit<S3BlobStoreOptions, 'stagingDir'>);

export interface StorageOptions {
  /** Where embedded storage lives (created if missing). */
  readonly dataDir: string;
  readonly metadata?: MetadataDriverOptions;
  readonly blobs?: BlobDriverOptions;
}

/** What opening did, for the start-up log. */
export interface StorageStartupReport {
  readonly migrations: MigrationReport;
  readonly staging: StagingCleanupReport;
}

export interface Storage {
  readonly metadata: MetadataStore;
  /** Risk-signal storage (missing names, first-seen dates, feeds, fact cache); same database. */
  readonly signals: SignalStore;
  readonly blobs: BlobStore;
  readonly startup: StorageStartupReport;
  close(): Promise<void>;
}

/**
 * Open the configured drivers, migrate the metadata schema, clean blob staging left by crashed
 * processes. Called by the composition root only; everything else receives the ports.
 */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  await makeDataDir(options.dataDir);
  const metadata = await openMetadata(options.dataDir, options.metadata ?? { driver: 'sqlite' });
  let migrations: MigrationReport;
  try {
    migrations = await metadata.migrateWithReport();
  } catch (err) {
    await metadata.close();
    throw err;
  }
  let blobs: OpenedBlobStore;
  try {
    blobs = await openBlobs(options.dataDir, options.blobs ?? { driver: 'fs' });
  } catch (err) {
    await metadata.close();
    throw err;
  }
  let closed = false;
  return {
    metadata,
    signals: metadata,
    blobs,
    startup: { migrations, staging: blobs.startupCleanup },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await blobs.close();
      } finally {
        await metadata.close();
      }
    },
  };
}

/** What every blob driver gives `openStorage` beyond the port. */
type OpenedBlobStore = BlobStore & {
  readonly startupCleanup: StagingCleanupReport;
  close(): Promise<void>;
};

async function openBlobs(dataDir: string, options: BlobDriverOptions): Promise<OpenedBlobStore> {
  switch (options.driver) {
    case 'fs':
      return openFsBlobStore({ dataDir, ...(options.fsync === undefined ? {} : { fsync: options.fsync }) });
    case 's3': {
      // Loaded only when configured, like the PostgreSQL driver.
      const { openS3BlobStore } = await import('./s3-blob/index.ts');
      const { driver: _driver, ...s3 } = options;
      return openS3BlobStore({ ...s3, stagingDir: fsBlobLayout(dataDir).stagingDir });
    }
    default:
      return assertNever(options, 'blob driver');
  }
}

async function openMetadata(dataDir: string, options: MetadataDriverOptions): Promise<SqliteMetadataStore | PostgresMetadataStore> {
  switch (options.driver) {
    case 'sqlite':
      return openSqliteMetadataStore({
        path: options.path ?? join(dataDir, 'airlock.db'),
        ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
        ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }),
      });
    case 'postgres': {
      // Loaded only when configured: a gateway on SQLite does not load the driver and its
      // client library at all.
      const { openPostgresMetadataStore } = await import('./postgres/index.ts');
      return openPostgresMetadataStore({
        url: options.url,
        ...(options.schema === undefined ? {} : { schema: options.schema }),
        ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
      });
    }
    default:
      return assertNever(options, 'metadata driver');
  }
}

/** The data directory, made when it is missing; a failure names the directory and its cause. */
async function makeDataDir(dir: string): Promise<void> {
  let cause: unknown;
  try {
    await mkdir(dir, { recursive: true, mode: 0o750 });
    return;
  } catch (err) {
    cause = err;
  }
  // Node's recursive mkdir says ENOENT whenever the last folder cannot be made (a read-only file
  // system, no permission): made alone, it gives the real reason.
  if ((cause as { code?: unknown }).code === 'ENOENT') {
    try {
      await mkdir(dir, { mode: 0o750 });
      return;
    } catch (err) {
      cause = err;
    }
  }
  const named = storageCondition(cause);
  throw new AirlockError('STORAGE_ERROR', `cannot create the data directory ${dir}: ${named ?? (cause instanceof Error ? cause.message : String(cause))}`, { cause });
}
