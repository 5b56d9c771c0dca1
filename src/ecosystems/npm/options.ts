/** What the npm plugin is given by the composition root: ports, the upstream client, settings. */
import { AirlockError, type Admission, type Sha256Digest } from '../../core/index.ts';
import type { Gate, PackageSources, VulnerabilityAdvisories } from '../../gate/index.ts';
import type { ArtifactIndex, BlobStore, DocumentCache, HostedPackageStore } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import type { NpmMember } from './group.ts';
import type { UnpublishRule } from '../shared/hosted-write.ts';
import type { RepositoryMetrics } from '../shared/metrics.ts';
import { publicGoodTrustedRoot, type TrustedRoot, NO_REGISTRY_KEYS, type RegistryKeySet } from '../../verify/index.ts';

/** Counters the plugin reports (the app's metrics registry implements it). */
export type NpmMetrics = RepositoryMetrics;

export interface NpmPluginOptions {
  /** Repository name (also the URL prefix, `/<repo>/`). */
  readonly repo: string;
  /** Where packages come from: the upstream registry, or for a hosted repository its `HostedOrigin`. */
  readonly upstream: Upstream;
  /** Set for a hosted repository: where `npm publish` and `npm dist-tag` write (its origin reads the same store). */
  readonly hosted?: HostedPackageStore;
  /** A hosted repository's: who may `npm unpublish` (default admin). Every unpublish is audited, and an unpublished version number is never published again. */
  readonly unpublish?: UnpublishRule;
  /** Told of each package written to the hosted repository, once the write is done (its name may be new). */
  readonly published?: (name: string) => Promise<void>;
  readonly gate: Gate;
  readonly blobs: BlobStore;
  readonly store: DocumentCache & ArtifactIndex;
  readonly metrics?: NpmMetrics;
  /** Where the repository registers itself as a package source (for the pre-flight check). */
  readonly sources?: PackageSources;
  /** Imported vulnerability advisories, added to `npm audit`'s answer (and the answer when the upstream has none). */
  readonly advisories?: VulnerabilityAdvisories;
  /** Audits at work and waiting, shared by the gateway's npm repositories (default: this repository's own). */
  readonly audits?: Admission;
  /** The URL clients use to reach Airlock; null: derived from each request's Host. */
  readonly publicUrl?: string | null;
  readonly clock?: () => Date;
  /** Cached metadata is served this long before it is revalidated upstream. */
  readonly metadataMaxAgeMs?: number;
  /** Past its max age, metadata is still served this long while the upstream fails. */
  readonly staleIfErrorMs?: number;
  /** Blocked and quarantined versions: hidden from metadata, or listed and refused on download. */
  readonly blockedVersions?: 'hide' | 'show';
  readonly maxArtifactBytes?: number;
  readonly maxMetadataBytes?: number;
  /** `Cache-Control: max-age` for metadata sent to clients (0: revalidate every time). */
  readonly clientMaxAgeSeconds?: number;
  /**
   * Memory for this repository's caches (estimated bytes): package indexes with their filtered
   * views and rendered packuments, every version's facts for recently used packages, upstream
   * documents, and allowed tarballs kept ready to send. Split by `CACHE_SHARES`.
   */
  readonly cacheBytes?: number;
  /** Largest tarball kept in memory. */
  readonly hotArtifactMaxBytes?: number;
  /**
   * Keys trusted for the upstream's registry signatures (`dist.signatures`), or where to get the
   * current ones (keys kept up to date through TUF); none: no signature is trusted.
   */
  readonly registryKeys?: RegistryKeySet | (() => RegistryKeySet);
  /** Keys trusted for the registry's publish attestations (signed by key), or where to get them; none: such attestations are not trusted. */
  readonly attestationKeys?: RegistryKeySet | (() => RegistryKeySet);
  /**
   * The Sigstore trusted root for keyless attestations (provenance) and the transparency log, or
   * where to get the current one (a root kept up to date through TUF); default: Sigstore's
   * public-good root.
   */
  readonly sigstoreRoot?: TrustedRoot | (() => TrustedRoot);
  /** Told of every tarball download (the blob served), for the artifact retention. */
  readonly artifactUse?: { note(blob: Sha256Digest): void };
  /** Given the repository as a group member, once its routes are registered. */
  readonly expose?: (member: NpmMember) => void;
}

export interface NpmSettings {
  readonly repo: string;
  /** Packages are published here (`hosted`): a name nobody published is not a hallucination signal. */
  readonly hosted: boolean;
  /** A hosted repository's rule for `npm unpublish`. */
  readonly unpublish: UnpublishRule;
  readonly publicUrl: string | null;
  readonly metadataMaxAgeMs: number;
  readonly staleIfErrorMs: number;
  readonly blockedVersions: 'hide' | 'show';
  readonly maxArtifactBytes: number;
  readonly maxMetadataBytes: number;
  readonly clientMaxAgeSeconds: number;
  /** Package states: index, view, renderings. */
  readonly stateCacheBytes: number;
  /** Every version's metadata facts of recently used packages. */
  readonly candidateCacheBytes: number;
  /** Upstream documents' bytes. */
  readonly documentCacheBytes: number;
  /** Allowed tarballs (and refusals) kept ready to send; bytes only for files asked for again. */
  readonly hotArtifactCacheBytes: number;
  readonly hotArtifactMaxBytes: number;
  /** The keys to check registry signatures with now. */
  readonly registryKeys: () => RegistryKeySet;
  /** The keys to check the registry's publish attestations with now. */
  readonly attestationKeys: () => RegistryKeySet;
  /** The trusted root to check attestations against now. */
  readonly sigstoreRoot: () => TrustedRoot;
}

const MiB = 1024 * 1024;

export const NPM_DEFAULTS = Object.freeze({
  metadataMaxAgeMs: 5 * 60_000,
  staleIfErrorMs: 24 * 60 * 60_000,
  blockedVersions: 'hide' as const,
  maxArtifactBytes: 1024 * MiB,
  maxMetadataBytes: 128 * MiB,
  clientMaxAgeSeconds: 0,
  cacheBytes: 48 * MiB,
  hotArtifactMaxBytes: 2 * MiB,
});

/**
 * How a repository's cache memory is split, by what a miss costs. States matter most (a hot
 * packument is a lookup in them, and a package whose state is gone is read, indexed, judged and
 * rendered again); hot tarballs next (a miss is one file read). With 45 % for states, a second
 * install of the benchmark workload (674 packages, 54,000 versions) re-indexed packages in the
 * order the first install had evicted them; at 55 % it re-indexed none (seen by hand in a CPU
 * profile of the warm install, which no benchmark counts).
 */
export const CACHE_SHARES = Object.freeze({ states: 0.55, candidates: 0.12, documents: 0.1, hotArtifacts: 0.23 });

function nonNegative(field: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new AirlockError('CONFIG_INVALID', `npm repository: ${field} must be a non-negative number`);
  return v;
}

export function resolveNpmSettings(o: NpmPluginOptions): NpmSettings {
  const d = NPM_DEFAULTS;
  let publicUrl = o.publicUrl ?? null;
  if (publicUrl !== null) {
    try {
      const u = new URL(publicUrl);
      publicUrl = `${u.origin}${u.pathname.replace(/\/+$/, '')}/`;
    } catch (cause) {
      throw new AirlockError('CONFIG_INVALID', `npm repository ${o.repo}: publicUrl is not a URL`, { cause });
    }
  }
  const cacheBytes = nonNegative('cacheBytes', o.cacheBytes ?? d.cacheBytes);
  return Object.freeze({
    repo: o.repo,
    hosted: o.hosted !== undefined,
    unpublish: o.unpublish ?? 'admin',
    publicUrl,
    metadataMaxAgeMs: nonNegative('metadataMaxAgeMs', o.metadataMaxAgeMs ?? d.metadataMaxAgeMs),
    staleIfErrorMs: nonNegative('staleIfErrorMs', o.staleIfErrorMs ?? d.staleIfErrorMs),
    blockedVersions: o.blockedVersions ?? d.blockedVersions,
    maxArtifactBytes: nonNegative('maxArtifactBytes', o.maxArtifactBytes ?? d.maxArtifactBytes),
    maxMetadataBytes: nonNegative('maxMetadataBytes', o.maxMetadataBytes ?? d.maxMetadataBytes),
    clientMaxAgeSeconds: nonNegative('clientMaxAgeSeconds', o.clientMaxAgeSeconds ?? d.clientMaxAgeSeconds),
    stateCacheBytes: Math.floor(cacheBytes * CACHE_SHARES.states),
    candidateCacheBytes: Math.floor(cacheBytes * CACHE_SHARES.candidates),
    documentCacheBytes: Math.floor(cacheBytes * CACHE_SHARES.documents),
    hotArtifactCacheBytes: Math.floor(cacheBytes * CACHE_SHARES.hotArtifacts),
    hotArtifactMaxBytes: nonNegative('hotArtifactMaxBytes', o.hotArtifactMaxBytes ?? d.hotArtifactMaxBytes),
    registryKeys: current(o.registryKeys ?? NO_REGISTRY_KEYS),
    attestationKeys: current(o.attestationKeys ?? NO_REGISTRY_KEYS),
    sigstoreRoot: current(o.sigstoreRoot ?? publicGoodTrustedRoot()),
  });
}

/** A value kept current elsewhere (a getter), or a fixed one. */
function current<T extends object>(given: T | (() => T)): () => T {
  return typeof given === 'function' ? (given as () => T) : () => given;
}
