/** What the huggingface plugin is given by the composition root: ports, the upstream client, settings. */
import type { PackageSources } from '../../gate/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import { publicGoodTrustedRoot, type ModelSigningTrust, type TrustedRoot } from '../../verify/index.ts';
import { DEFAULT_MODEL_SCAN, type ModelScanPool } from '../shared/model-files.ts';
import type { RepositoryPluginOptions } from '../shared/plugin-options.ts';

export interface HuggingfacePluginOptions extends RepositoryPluginOptions {
  /** The Hub (`https://huggingface.co/`): its API and its files' `/resolve/` URLs are read below it. Clients set `HF_ENDPOINT` to `/<repo>`. */
  readonly upstream: Upstream;
  /** The Sigstore trusted root keyless model signatures are checked against, or where to get the current one; default: Sigstore's public-good root. */
  readonly sigstoreRoot?: TrustedRoot | (() => TrustedRoot);
  /** Public keys (SPKI PEM) and certificate authorities (PEM) model signatures made without Sigstore are checked against. */
  readonly modelSigning?: { readonly keys: readonly string[]; readonly certificateAuthorities: readonly string[] };
  /** Where the repository registers itself for the pre-flight check (`airlock check huggingface`). */
  readonly sources?: PackageSources;
  /** The worker threads files read into memory are scanned in (shared by the app's repositories). */
  readonly scanPool: ModelScanPool;
}

/** How a huggingface repository's cache memory is split. */
export const HUGGINGFACE_CACHE_SHARES = Object.freeze({ trees: 0.6, scans: 0.2, outcomes: 0.2 });

export interface HuggingfaceSettings {
  readonly repo: string;
  readonly metadataMaxAgeMs: number;
  readonly staleIfErrorMs: number;
  readonly maxArtifactBytes: number;
  readonly maxMetadataBytes: number;
  /** Files and folders of one commit, at most. */
  readonly maxTreeEntries: number;
  readonly inMemoryScanBytes: number;
  readonly scanTimeoutMs: number;
  readonly cache: { readonly trees: number; readonly scans: number; readonly outcomes: number };
  /** What model signatures are checked against, as it is now. */
  readonly modelSigning: () => ModelSigningTrust;
}

export function resolveHuggingfaceSettings(o: HuggingfacePluginOptions): HuggingfaceSettings {
  const total = o.cacheBytes ?? 16 * 1024 ** 2;
  const share = (f: number): number => Math.floor(total * f);
  return {
    repo: o.repo,
    metadataMaxAgeMs: o.metadataMaxAgeMs ?? 5 * 60_000,
    staleIfErrorMs: o.staleIfErrorMs ?? 24 * 60 * 60_000,
    maxArtifactBytes: o.maxArtifactBytes ?? 64 * 1024 ** 3,
    maxMetadataBytes: o.maxMetadataBytes ?? 64 * 1024 ** 2,
    maxTreeEntries: 200_000,
    inMemoryScanBytes: DEFAULT_MODEL_SCAN.inMemoryScanBytes,
    scanTimeoutMs: DEFAULT_MODEL_SCAN.scanTimeoutMs,
    cache: { trees: share(HUGGINGFACE_CACHE_SHARES.trees), scans: share(HUGGINGFACE_CACHE_SHARES.scans), outcomes: share(HUGGINGFACE_CACHE_SHARES.outcomes) },
    modelSigning: modelSigningTrust(o),
  };
}

function modelSigningTrust(o: HuggingfacePluginOptions): () => ModelSigningTrust {
  const root = o.sigstoreRoot ?? publicGoodTrustedRoot();
  const keys = o.modelSigning?.keys ?? [];
  const certificateAuthorities = o.modelSigning?.certificateAuthorities ?? [];
  return () => ({ sigstoreRoot: typeof root === 'function' ? root() : root, keys, certificateAuthorities });
}
