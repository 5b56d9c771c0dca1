export { runBlobStoreConformance } from './blob-store-conformance.ts';
export type { BlobStoreFixture } from './blob-store-conformance.ts';
export { runMetadataStoreConformance } from './metadata-store-conformance.ts';
export type { MakeMetadataFixture, MetadataStoreFixture } from './metadata/fixture.ts';
export { runSignalStoreConformance } from './signal-store-conformance.ts';
export type { MakeSignalFixture, SignalStoreFixture } from './signals/fixture.ts';
