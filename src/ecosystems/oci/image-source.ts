/**
 * Where the images a repository serves come from, as the gate's admission and the signature
 * look-up read them: an upstream registry (a proxy: `ImageCatalog`, `BlobService`) or Airlock's
 * own stores (a hosted repository: `HostedImages`). Small role interfaces, one per question.
 */
import type { Readable } from 'node:stream';
import type { BlobOwner } from './blob-service.ts';
import type { ResolvedManifest } from './catalog.ts';
import type { Descriptor } from './manifest.ts';
import type { Reference } from './references.ts';

export interface ManifestSource {
  /** The manifest a tag or digest names in the image repository `name` (NOT_FOUND-like errors when there is none). */
  manifest(name: string, ref: Reference): Promise<ResolvedManifest>;
  /** The manifest, or null when there is none (a signature's, which may not exist). */
  optional(name: string, ref: Reference): Promise<ResolvedManifest | null>;
}

export interface BlobSource {
  /** The blob is in the blob store (fetched and verified first, for a proxy), recorded under `owner`. */
  ingest(name: string, digest: string, size: number, owner: BlobOwner): Promise<void>;
  /** A small blob's bytes (a config, a signature's payload). */
  read(name: string, digest: string, size: number, owner: BlobOwner): Promise<Buffer>;
  open(digest: string, range: { readonly start: number; readonly end: number } | null): Promise<Readable>;
}

export interface ReferrerSource {
  /** The descriptors of the manifests whose `subject` is `digest` (an empty list when there are none). */
  referrers(name: string, digest: string): Promise<Descriptor[]>;
}
