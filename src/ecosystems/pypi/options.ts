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
  /**
   * Memory for this repository's caches (estimated bytes): project pages with their judged views
   * and renderings, files kept ready to send, inspections and decided outcomes. Split by
   * `PYPI_CACHE_SHARES`.
   */
  readonly cacheBytes?: number;
}

/** How a pypi repository's cache memory is split. */
export const PYPI_CACHE_SHARES = Object.freeze({ pages: 0.5, hotFiles: 0.35, inspections: 0.1, outcomes: 0.05 });

/** The largest file kept in memory once hot. */
const HOT_FILE_MAX_BYTES = 8 * 1024 * 1024;

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
  /** Bytes for each cache (`PYPI_CACHE_SHARES` of `cacheBytes`), and the largest file kept in memory. */
  readonly cache: { readonly pages: number; readonly hotFiles: number; readonly inspections: number; readonly outcomes: number; readonly hotFileMaxBytes: number };
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
    cache: cacheSplit(o.cacheBytes ?? 32 * 1024 ** 2),
  };
}

function constant<T>(value: T): () => T {
  return () => value;
}

function cacheSplit(total: number): PypiSettings['cache'] {
  const share = (f: number): number => Math.floor(total * f);
  const hotFiles = share(PYPI_CACHE_SHARES.hotFiles);
  return {
    pages: share(PYPI_CACHE_SHARES.pages),
    hotFiles,
    inspections: share(PYPI_CACHE_SHARES.inspections),
    outcomes: share(PYPI_CACHE_SHARES.outcomes),
    // A few hot files at least: one file must not fill the whole share.
    hotFileMaxBytes: Math.min(HOT_FILE_MAX_BYTES, Math.floor(hotFiles / 4)),
  };
}
