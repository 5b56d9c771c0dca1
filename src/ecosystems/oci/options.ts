/** What the oci plugin is given by the composition root: ports, the upstream registry, settings. */
import type { TrustedRoot } from '../../verify/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import type { RepositoryPluginOptions } from '../shared/plugin-options.ts';

export interface OciPluginOptions extends RepositoryPluginOptions {
  /** The registry proxied (its `/v2/` API), with its token protocol handled. */
  readonly upstream: Upstream;
  /** The Sigstore trusted root keyless cosign signatures are checked against, or where to get the current one. */
  readonly sigstoreRoot: TrustedRoot | (() => TrustedRoot);
  /** Public keys (SPKI PEM) key-based cosign signatures are checked against. */
  readonly cosignKeys?: readonly string[];
  /** The upstream namespace a one-component image name is in (`library`: Docker Hub's official images); null: none. */
  readonly defaultNamespace?: string | null;
}

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
