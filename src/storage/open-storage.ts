import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openFsBlobStore } from './fs-blob/index.ts';
import type { StagingCleanupReport } from './fs-blob/index.ts';
import type { BlobStore, MetadataStore, SignalStore } from './ports/index.ts';
import { openSqliteMetadataStore } from './sqlite/index.ts';
import type { MigrationReport, SqliteSynchronous } from './sqlite/index.ts';

/** Which metadata driver, and its settings. Only SQLite so far; PostgreSQL will join this union. */
export type MetadataDriverOptions = {
  readonly driver: 'sqlite';
  /** Database file; default `<dataDir>/airlock.db`. */
  readonly path?: string;
  readonly busyTimeoutMs?: number;
  readonly synchronous?: SqliteSynchronous;
};

/** Which blob driver, and its settings. Only the local filesystem so far; S3 will join this union. */
export type BlobDriverOptions = {
  readonly driver: 'fs';
  /** fsync on commit (default true). */
  readonly fsync?: boolean;
};

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
  await mkdir(options.dataDir, { recursive: true, mode: 0o750 });
  const metaOptions = options.metadata ?? { driver: 'sqlite' };
  const metadata = openSqliteMetadataStore({
    path: metaOptions.path ?? join(options.dataDir, 'airlock.db'),
    ...(metaOptions.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: metaOptions.busyTimeoutMs }),
    ...(metaOptions.synchronous === undefined ? {} : { synchronous: metaOptions.synchronous }),
  });
  let migrations: MigrationReport;
  try {
    migrations = await metadata.migrateWithReport();
  } catch (err) {
    await metadata.close();
    throw err;
  }
  const blobOptions = options.blobs ?? { driver: 'fs' };
  let blobs;
  try {
    blobs = await openFsBlobStore({
      dataDir: options.dataDir,
      ...(blobOptions.fsync === undefined ? {} : { fsync: blobOptions.fsync }),
    });
  } catch (err) {
    await metadata.close();
    throw err;
  }
  const fsBlobs = blobs;
  let closed = false;
  return {
    metadata,
    signals: metadata,
    blobs: fsBlobs,
    startup: { migrations, staging: fsBlobs.startupCleanup },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await fsBlobs.close();
      } finally {
        await metadata.close();
      }
    },
  };
}
