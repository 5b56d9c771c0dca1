export { openStorage } from './open-storage.ts';
export type {
  BlobDriverOptions,
  MetadataDriverOptions,
  Storage,
  StorageOptions,
  StorageStartupReport,
} from './open-storage.ts';
export * from './ports/index.ts';
export { sweepBlobs, type SweepOptions, type SweepReport } from './sweep.ts';
export { ArtifactUse, type ArtifactUseOptions } from './artifact-use.ts';
