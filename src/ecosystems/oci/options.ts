/** What the oci plugin is given by the composition root: ports, the upstream registry or the hosted store, settings. */
import type { PackageSources } from '../../gate/index.ts';
import type { TrustedRoot } from '../../verify/index.ts';
import type { HostedPackageStore, UploadSessionStore } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import type { ModelScanPool } from '../shared/model-files.ts';
import type { RepositoryPluginOptions } from '../shared/plugin-options.ts';
import type { UnpublishRule } from '../shared/hosted-write.ts';
import type { OciMember } from './member.ts';

interface OciCommonOptions extends RepositoryPluginOptions {
  /** The Sigstore trusted root keyless cosign signatures are checked against, or where to get the current one. */
  readonly sigstoreRoot?: TrustedRoot | (() => TrustedRoot);
  /** Public keys (SPKI PEM) key-based cosign signatures are checked against. */
  readonly cosignKeys?: readonly string[];
  /** Given the repository as a group (or the registry's `_catalog`) sees it. */
  readonly expose?: (member: OciMember) => void;
  /** Where the repository registers itself as a package source (the pre-flight check, by reference). */
  readonly sources?: PackageSources;
  /** The worker threads model layers read into memory are scanned in (shared by the app's repositories). */
  readonly scanPool: ModelScanPool;
}

/** A pull-through proxy of a registry. */
export interface OciProxyOptions extends OciCommonOptions {
  /** The registry proxied (its `/v2/` API), with its token protocol handled. */
  readonly upstream: Upstream;
  /** The upstream namespace a one-component image name is in (`library`: Docker Hub's official images); null: none. */
  readonly defaultNamespace?: string | null;
  readonly hosted?: undefined;
}

/** A hosted repository: images pushed to Airlock, kept in its stores. */
export interface OciHostedOptions extends OciCommonOptions {
  readonly hosted: {
    readonly store: HostedPackageStore & UploadSessionStore;
    /** Who may delete manifests and tags: nobody, admins, or publishers too. */
    readonly deletes: UnpublishRule;
    /** A blob uploaded and named by no manifest is dropped from its image repository this long after its upload (`storage.sweepGrace`). */
    readonly uploadGraceMs: number;
  };
  readonly upstream?: undefined;
  readonly defaultNamespace?: undefined;
}

export type OciPluginOptions = OciProxyOptions | OciHostedOptions;

export interface OciSettings {
  readonly repo: string;
  readonly metadataMaxAgeMs: number;
  readonly staleIfErrorMs: number;
  readonly maxArtifactBytes: number;
  readonly maxMetadataBytes: number;
  readonly cacheBytes: number;
}

export function resolveOciSettings(o: OciPluginOptions): OciSettings {
  return {
    repo: o.repo,
    metadataMaxAgeMs: o.metadataMaxAgeMs ?? 5 * 60_000,
    staleIfErrorMs: o.staleIfErrorMs ?? 24 * 60 * 60_000,
    maxArtifactBytes: o.maxArtifactBytes ?? 16 * 1024 ** 3,
    maxMetadataBytes: o.maxMetadataBytes ?? 4 * 1024 ** 2,
    cacheBytes: o.cacheBytes ?? 16 * 1024 ** 2,
  };
}
