/** What the pypi plugin is given by the composition root: ports, the upstream clients, settings. */
import type { PackageSources } from '../../gate/index.ts';
import type { HostedPackageStore } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import { publicGoodTrustedRoot, type TrustedRoot } from '../../verify/index.ts';
import type { UnpublishRule } from '../shared/hosted-write.ts';
import type { RepositoryPluginOptions } from '../shared/plugin-options.ts';
import type { PypiMember } from './member.ts';

export interface PypiPluginOptions extends RepositoryPluginOptions {
  /** The simple index (`…/simple/`): project pages are read below it. */
  readonly index: Upstream;
  /**
   * Where the index's pages link distribution files when that is another origin (PyPI's files
   * host); null: files are fetched from the index's origin only. No link to a third origin is followed.
   */
  readonly files: Upstream | null;
  /** Blocked and quarantined versions: hidden from pages, or listed as yanked with Airlock's reason (and refused on download). */
  readonly blockedVersions?: 'hide' | 'show';
  /**
   * The Sigstore trusted root PEP 740 attestations are checked against, or where to get the
   * current one; default: Sigstore's public-good root.
   */
  readonly sigstoreRoot?: TrustedRoot | (() => TrustedRoot);
  /** Set for a hosted repository: where uploads are written (its `index` is a `PypiHostedOrigin` reading the same store). */
  readonly hosted?: HostedPackageStore;
  /** A hosted repository's: who may remove a release (default admin). */
  readonly unpublish?: UnpublishRule;
  /** Told of each project uploaded to the hosted repository, once the write is done (its name may be new). */
  readonly published?: (name: string) => Promise<void>;
  /** Gives the repository to the groups it is a member of. */
  readonly expose?: (member: PypiMember) => void;
  /** Where the repository registers itself as a package source (the pre-flight check). */
  readonly sources?: PackageSources;
}

/** How a pypi repository's cache memory (`cacheBytes`) is split: pages with their judged views and renderings, files kept ready to send, inspections and decided outcomes. */
export const PYPI_CACHE_SHARES = Object.freeze({ pages: 0.5, hotFiles: 0.35, inspections: 0.1, outcomes: 0.05 });

/** The largest file kept in memory once hot. */
const HOT_FILE_MAX_BYTES = 8 * 1024 * 1024;

export interface PypiSettings {
  readonly repo: string;
  /** Projects are uploaded here: a name nobody uploaded is not a hallucination signal. */
  readonly hosted: boolean;
  readonly metadataMaxAgeMs: number;
  readonly staleIfErrorMs: number;
  readonly blockedVersions: 'hide' | 'show';
  readonly maxArtifactBytes: number;
  readonly maxMetadataBytes: number;
  /** Who may remove a hosted repository's releases. */
  readonly unpublish: UnpublishRule;
  /** Files at most this big are inspected from memory; bigger ones are read from the store by range. */
  readonly inMemoryInspectBytes: number;
  readonly sigstoreRoot: () => TrustedRoot;
  /** Bytes for each cache (`PYPI_CACHE_SHARES` of `cacheBytes`), and the largest file kept in memory. */
  readonly cache: { readonly pages: number; readonly hotFiles: number; readonly inspections: number; readonly outcomes: number; readonly hotFileMaxBytes: number };
}

export function resolvePypiSettings(o: PypiPluginOptions): PypiSettings {
  return {
    repo: o.repo,
    hosted: o.hosted !== undefined,
    metadataMaxAgeMs: o.metadataMaxAgeMs ?? 5 * 60_000,
    staleIfErrorMs: o.staleIfErrorMs ?? 24 * 60 * 60_000,
    blockedVersions: o.blockedVersions ?? 'hide',
    maxArtifactBytes: o.maxArtifactBytes ?? 1024 ** 3,
    maxMetadataBytes: o.maxMetadataBytes ?? 128 * 1024 ** 2,
    unpublish: o.unpublish ?? 'admin',
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
