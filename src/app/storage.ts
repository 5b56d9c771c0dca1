/** The storage drivers, opened as the configuration names them (the gateway and the CLI's local commands). */
import { openStorage, type Storage, type StorageOptions } from '../storage/index.ts';
import type { StorageConfig } from './config/types.ts';

export { openStorage, type Storage, type StorageOptions };

/** The drivers' options for `openStorage`, secrets revealed (they go to the drivers, never to a log). */
export function storageOptions(config: StorageConfig): StorageOptions {
  const { metadata, blobs } = config;
  return {
    dataDir: config.dataDir,
    metadata:
      metadata.driver === 'sqlite'
        ? { driver: 'sqlite' }
        : { driver: 'postgres', url: metadata.url.reveal(), schema: metadata.schema, maxConnections: metadata.maxConnections },
    blobs:
      blobs.driver === 'fs'
        ? { driver: 'fs' }
        : {
            driver: 's3',
            endpoint: blobs.endpoint,
            bucket: blobs.bucket,
            region: blobs.region,
            prefix: blobs.prefix,
            addressing: blobs.addressing,
            credentials: {
              accessKeyId: blobs.accessKeyId.reveal(),
              secretAccessKey: blobs.secretAccessKey.reveal(),
              ...(blobs.sessionToken === null ? {} : { sessionToken: blobs.sessionToken.reveal() }),
            },
            partSize: blobs.partSizeBytes,
            ...(blobs.ca === null ? {} : { ca: blobs.ca.pems.join('\n') }),
          },
  };
}

/** Open the configured drivers. */
export function openConfiguredStorage(config: StorageConfig): Promise<Storage> {
  return openStorage(storageOptions(config));
}

/** Where the records and the bytes are, for the start-up line (never a password). */
export function describeStorage(config: StorageConfig): string {
  const { metadata, blobs } = config;
  let records = `SQLite in ${config.dataDir}`;
  if (metadata.driver === 'postgres') {
    const url = new URL(metadata.url.reveal());
    records = `PostgreSQL ${url.host}${url.pathname} (schema ${metadata.schema})`;
  }
  const bytes =
    blobs.driver === 'fs'
      ? `files in ${config.dataDir}`
      : `S3 bucket ${blobs.bucket} at ${blobs.endpoint}${blobs.prefix === '' ? '' : ` under ${blobs.prefix}`}`;
  return `records: ${records}; blobs: ${bytes}`;
}
