export { runBlobStoreConformance } from './blob-store-conformance.ts';
export type { BlobStoreFixture } from './blob-store-conformance.ts';
