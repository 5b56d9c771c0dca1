/**
 * The storage sweep's pass over every hosted oci record (`airlock storage sweep`, and the
 * scheduled sweep): each image repository of each hosted oci repository in the metadata store is
 * collected whole (HostedImages.collectGarbage), so an image repository nobody pushes to any more
 * stops naming its stale uploads too. It runs before the blob sweep, which then removes the bytes
 * no record names. The repositories come from the store, not the configuration: a data directory
 * swept without one is collected as well.
 */
import type { BlobStore, HostedPackageStore } from '../../../storage/ports/index.ts';
import { HostedImages, type CollectReport } from './hosted-images.ts';

export interface HostedImagesCollected extends CollectReport {
  /** Image repositories looked at. */
  readonly images: number;
  /** Of those, the ones whose record dropped something (or, in a dry run, would). */
  readonly changed: number;
}

export async function collectHostedImages(
  deps: { readonly store: HostedPackageStore; readonly blobs: BlobStore; readonly clock: () => Date },
  options: { readonly graceMs: number; readonly dryRun: boolean },
): Promise<HostedImagesCollected> {
  let images = 0;
  let changed = 0;
  let blobs = 0;
  let bytes = 0;
  let manifests = 0;
  for (const repo of await deps.store.hostedRepositories('oci')) {
    // A collection only shrinks a record: the store's own bound on documents is the one that matters.
    const hosted = new HostedImages({ repo, store: deps.store, blobs: deps.blobs, clock: deps.clock }, { maxDocumentBytes: Number.MAX_SAFE_INTEGER, cacheBytes: 4 * 1024 * 1024, uploadGraceMs: options.graceMs });
    for (const name of await hosted.names()) {
      const r = await hosted.collectGarbage(name, { dryRun: options.dryRun });
      images++;
      if (r.blobs + r.manifests > 0) changed++;
      blobs += r.blobs;
      bytes += r.bytes;
      manifests += r.manifests;
    }
  }
  return { images, changed, blobs, bytes, manifests };
}
