/**
 * What ecosystem repositories can tell the gate about a package without serving it — the
 * pre-flight check (`airlock check`, `GET /-/api/check`) asks them. Each ecosystem plugin
 * registers one source per repository; the composition root owns the registry.
 */
import { AirlockError, type Ecosystem } from '../core/index.ts';
import type { RequestContext } from '../storage/ports/index.ts';
import type { Explainer } from './check-service.ts';
import type { Explained } from './judgement.ts';
import type { ArtifactFile, ArtifactReadBounds, VersionCandidate } from './types.ts';
import type { VersionFiles } from './version-changes.ts';

export interface PackageListing {
  /** Every usable listed version with its metadata-phase facts (the gate's candidates). */
  readonly candidates: readonly VersionCandidate[];
  /** Listed versions that can never be served, and why. */
  readonly unusable: ReadonlyMap<string, string>;
  /**
   * The version the upstream calls the latest (npm: its `latest` dist-tag; PyPI, which has no
   * tags: the newest final, not yanked version), or null.
   */
  readonly latest: string | null;
  /** The same through Airlock (withheld versions hidden), or null: every such version is withheld. */
  readonly servedLatest: string | null;
  /**
   * True when clients are shown withheld versions as ordinary ones (npm's `blockedVersions:
   * show`), so resolving a range may pick one and the install then fails on it. Absent or false:
   * withheld versions are hidden from resolvers (npm's default; PyPI lists them as yanked, which
   * pip leaves out of every range).
   */
  readonly listsWithheld?: boolean;
  /**
   * The listed version a requested one names, where the ecosystem's versions have several
   * spellings (PEP 440: `1.0` is `1.0.0`) or tags (npm: `next` is the version the dist-tag served
   * through Airlock names), or undefined. Absent: versions are compared as written.
   */
  readonly versionNamed?: (requested: string) => string | undefined;
  /**
   * The files the upstream lists for a version with their sha256 (what a client's hash pins are
   * compared with). Absent: the ecosystem's listing names none.
   */
  readonly distributions?: (version: string) => readonly ListedDistribution[];
}

export interface ListedDistribution {
  readonly filename: string;
  /** Hex. */
  readonly sha256: string;
}

/** A part of what a reference names, judged on its own (see `ReferenceCheck`). */
export interface ReferencePart {
  /** What it is (`linux/arm64`, a file's path). */
  readonly label: string;
  readonly explained: Explained;
  /** What of it was not judged (a file's bytes, scanned when it is downloaded), or null. */
  readonly notJudged?: string | null;
}

/**
 * What a source that resolves references (see `PackageSource.checkReference`) found: the
 * judgement of what the reference names, or which part of it does not exist.
 */
export type ReferenceCheck =
  | {
      readonly status: 'judged';
      /** The judgement of what the reference resolves to (its `candidate.subject.version` is the version judged). */
      readonly explained: Explained;
      /** The phase of that judgement (`artifact`: with the facts the artifact phase adds, such as signatures). */
      readonly phase: 'metadata' | 'artifact';
      /** What a client's request brings that is judged on its own and was not judged here (model layers …), or null. */
      readonly notJudged: string | null;
      /** What a request of it brings that is judged on its own too (a multi-platform index's platform images, a Hub commit's files). */
      readonly parts: readonly ReferencePart[];
      /**
       * Whether a quarantine of what the reference names holds a request back by itself. Default
       * true (an image's manifest is refused); false where only its parts are held (a Hub commit's
       * quarantine refuses nothing: each file is judged, and held, on its own). A block always does.
       */
      readonly ownQuarantineHolds?: boolean;
    }
  | { readonly status: 'package-not-found' | 'version-not-found'; readonly message: string };

export interface PackageSource {
  readonly repo: string;
  readonly ecosystem: Ecosystem;
  /** The canonical spelling of a package name (throws INVALID_NAME). */
  canonicalName(name: string): string;
  /**
   * The package as the metadata phase sees it, where the ecosystem lists its versions. Throws AirlockError `UPSTREAM_NOT_FOUND` when the
   * upstream has no such package (and records the request in the missing-name ledger, as a
   * client's request would).
   */
  listing?(name: string, request: RequestContext): Promise<PackageListing>;
  /**
   * Where versions are not listed but resolved (OCI: a tag or a digest names a manifest), the
   * check asks this instead of `listing`: what `reference` (null: the ecosystem's default, such
   * as `latest`) resolves to, judged the way a client's request for it would be — nothing
   * served, recorded, cached as a verdict or opened. A lookup failure throws.
   */
  checkReference?(name: string, reference: string | null, gate: Explainer, request: RequestContext): Promise<ReferenceCheck>;
  /**
   * The files of one version, read from its artifact (fetched and verified first if it is not
   * stored; not judged, not served): what a reviewer compares. Absent: not supported.
   */
  files?(name: string, version: string, request: RequestContext): Promise<VersionFiles>;
  /** Named files of one version's artifact (as `files` reads it), within the bounds. Absent: not supported. */
  readFiles?(name: string, version: string, paths: readonly string[], bounds: ArtifactReadBounds, request: RequestContext): Promise<ReadonlyMap<string, ArtifactFile>>;
}

export class PackageSources {
  readonly #byRepo = new Map<string, PackageSource>();

  register(source: PackageSource): void {
    if (this.#byRepo.has(source.repo)) throw new AirlockError('CONFLICT', `a package source for repository ${source.repo} is already registered`);
    this.#byRepo.set(source.repo, source);
  }

  /** The repository's source; or, without a repository, the first one of the ecosystem. */
  find(ecosystem: Ecosystem, repo: string | null): PackageSource {
    if (repo !== null) {
      const s = this.#byRepo.get(repo);
      if (s === undefined) throw new AirlockError('NOT_FOUND', `no repository named ${JSON.stringify(repo.slice(0, 64))}`);
      if (s.ecosystem !== ecosystem) throw new AirlockError('BAD_REQUEST', `repository ${repo} serves ${s.ecosystem}, not ${ecosystem}`);
      return s;
    }
    for (const s of this.#byRepo.values()) if (s.ecosystem === ecosystem) return s;
    throw new AirlockError('NOT_FOUND', `no ${ecosystem} repository is configured`);
  }

  get size(): number {
    return this.#byRepo.size;
  }
}
