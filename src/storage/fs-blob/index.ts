export { FsBlobStore, openFsBlobStore } from './fs-blob-store.ts';
export type { FsBlobStoreOptions } from './fs-blob-store.ts';
export type { StagingCleanupReport } from './staging.ts';
export { fsBlobLayout } from './layout.ts';
