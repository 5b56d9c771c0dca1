/** What the composition root gives every proxy repository's plugin, whatever its format. */
import type { Sha256Digest } from '../../core/index.ts';
import type { Gate } from '../../gate/index.ts';
import type { ArtifactIndex, BlobStore, DocumentCache } from '../../storage/ports/index.ts';
import type { RepositoryMetrics } from './metrics.ts';

export interface RepositoryPluginOptions {
  /** Repository name (also the URL prefix, `/<repo>/`). */
  readonly repo: string;
  readonly gate: Gate;
  readonly blobs: BlobStore;
  readonly store: DocumentCache & ArtifactIndex;
  readonly metrics?: RepositoryMetrics;
  /** The URL clients use to reach Airlock; null: derived from each request's Host. */
  readonly publicUrl?: string | null;
  readonly clock?: () => Date;
  /** Upstream metadata is served this long before it is revalidated. */
  readonly metadataMaxAgeMs?: number;
  /** Past its max age, metadata is still served this long while the upstream fails. */
  readonly staleIfErrorMs?: number;
  readonly maxArtifactBytes?: number;
  readonly maxMetadataBytes?: number;
  /** Told of every file download (the blob served), for the artifact retention. */
  readonly artifactUse?: { note(blob: Sha256Digest): void };
  /** Memory for this repository's caches (estimated bytes), split by the plugin's shares. */
  readonly cacheBytes?: number;
}
