/** What the pypi plugin is given by the composition root: ports, the upstream clients, settings. */
import type { Sha256Digest } from '../../core/index.ts';
import type { Gate } from '../../gate/index.ts';
import type { ArtifactIndex, BlobStore, DocumentCache } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import { publicGoodTrustedRoot, type TrustedRoot } from '../../verify/index.ts';
import type { RepositoryMetrics } from '../shared/metrics.ts';

export interface PypiPluginOptions {
  /** Repository name (also the URL prefix, `/<repo>/`). */
  readonly repo: string;
  /** The simple index (`…/simple/`): project pages are read below it. */
  readonly index: Upstream;
  /**
   * Where the index's pages link distribution files when that is another origin (PyPI's files
   * host); null: files are fetched from the index's origin only. No link to a third origin is followed.
   */
  readonly files: Upstream | null;
  readonly gate: Gate;
  readonly blobs: BlobStore;
  readonly store: DocumentCache & ArtifactIndex;
  readonly metrics?: RepositoryMetrics;
  /** The URL clients use to reach Airlock; null: derived from each request's Host. */
  readonly publicUrl?: string | null;
  readonly clock?: () => Date;
  /** A project page is served this long before it is revalidated upstream. */
  readonly metadataMaxAgeMs?: number;
  /** Past its max age, a page is still served this long while the upstream fails. */
  readonly staleIfErrorMs?: number;
  /** Blocked and quarantined versions: hidden from pages, or listed as yanked with Airlock's reason (and refused on download). */
  readonly blockedVersions?: 'hide' | 'show';
  readonly maxArtifactBytes?: number;
  readonly maxMetadataBytes?: number;
  /** Told of every file download (the blob served), for the artifact retention. */
  readonly artifactUse?: { note(blob: Sha256Digest): void };
  /**
   * The Sigstore trusted root PEP 740 attestations are checked against, or where to get the
   * current one; default: Sigstore's public-good root.
   */
  readonly sigstoreRoot?: TrustedRoot | (() => TrustedRoot);
}

export interface PypiSettings {
  readonly repo: string;
  readonly metadataMaxAgeMs: number;
  readonly staleIfErrorMs: number;
  readonly blockedVersions: 'hide' | 'show';
  readonly maxArtifactBytes: number;
  readonly maxMetadataBytes: number;
  /** Files at most this big are inspected from memory; bigger ones are read from the store by range. */
  readonly inMemoryInspectBytes: number;
  readonly sigstoreRoot: () => TrustedRoot;
}

export function resolvePypiSettings(o: PypiPluginOptions): PypiSettings {
  return {
    repo: o.repo,
    metadataMaxAgeMs: o.metadataMaxAgeMs ?? 5 * 60_000,
    staleIfErrorMs: o.staleIfErrorMs ?? 24 * 60 * 60_000,
    blockedVersions: o.blockedVersions ?? 'hide',
    maxArtifactBytes: o.maxArtifactBytes ?? 1024 ** 3,
    maxMetadataBytes: o.maxMetadataBytes ?? 128 * 1024 ** 2,
    inMemoryInspectBytes: 32 * 1024 ** 2,
    sigstoreRoot: typeof o.sigstoreRoot === 'function' ? o.sigstoreRoot : constant(o.sigstoreRoot ?? publicGoodTrustedRoot()),
  };
}

function constant<T>(value: T): () => T {
  return () => value;
}
