export { S3BlobStore, openS3BlobStore } from './s3-blob-store.ts';
export { resolveS3Settings } from './options.ts';
export type { S3BlobStoreOptions, S3Settings } from './options.ts';
export type { SigV4Credentials as S3Credentials } from './sigv4.ts';
export type { StagingCleanupReport } from '../fs-blob/staging.ts';
export { credentialSource, detectedSource, type CredentialSourceKind } from './credential-sources.ts';
export type { RenewingCredentials, S3CredentialSource } from './credentials.ts';
