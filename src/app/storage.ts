/** The storage drivers, opened as the configuration names them (the gateway and the CLI's local commands). */
import { openStorage, type Storage, type StorageOptions } from '../storage/index.ts';
import type { S3Credentials, S3CredentialSource } from '../storage/s3-blob/index.ts';
import type { S3CredentialConfig, StorageConfig } from './config/types.ts';

const CREDENTIAL_NAMES = { 'web-identity': 'credentials from a web identity', container: 'container credentials', instance: 'instance profile credentials' } as const;

export { openStorage, type Storage, type StorageOptions };

/** The drivers' options for `openStorage`, secrets revealed (they go to the drivers, never to a log). */
export function storageOptions(config: StorageConfig, log?: StorageLog): StorageOptions {
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
            credentials: s3Credentials(blobs.credentials, log),
            partSize: blobs.partSizeBytes,
            ...(blobs.ca === null ? {} : { ca: blobs.ca.pems.join('\n') }),
          },
  };
}

/** Where storage reports what goes wrong in the background (a credential renewal). */
export interface StorageLog {
  warn(details: object, message: string): void;
}

/** The S3 store's keys, or the platform source that hands them out (renewed as they run out). */
function s3Credentials(c: S3CredentialConfig, log: StorageLog | undefined): S3Credentials | S3CredentialSource {
  if (c.kind === 'keys') {
    return { accessKeyId: c.accessKeyId.reveal(), secretAccessKey: c.secretAccessKey.reveal(), ...(c.sessionToken === null ? {} : { sessionToken: c.sessionToken.reveal() }) };
  }
  if (log !== undefined) c.source.reportRenewalFailuresTo((err) => log.warn({ err, source: c.kind }, 'could not renew the S3 credentials ahead of their expiry; still using the current ones'));
  return c.source;
}

/** Open the configured drivers. */
export function openConfiguredStorage(config: StorageConfig, log?: StorageLog): Promise<Storage> {
  return openStorage(storageOptions(config, log));
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
      : `S3 bucket ${blobs.bucket} at ${blobs.endpoint}${blobs.prefix === '' ? '' : ` under ${blobs.prefix}`}${blobs.credentials.kind === 'keys' ? '' : ` (${CREDENTIAL_NAMES[blobs.credentials.kind]})`}`;
  return `records: ${records}; blobs: ${bytes}`;
}
