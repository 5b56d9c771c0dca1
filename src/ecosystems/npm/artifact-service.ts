/**
 * Tarballs: resolved against the package's upstream metadata, stored and verified by the
 * tarball store, then judged by the gate with content facts. Only an allow is served. Outcomes
 * are kept per (file, gate generation, requester) so a hot tarball costs a map lookup and, when
 * small and asked for again, no disk read.
 */
import type { Readable } from 'node:stream';
import { AirlockError, cacheFill, Lru, digestHex, type CacheFills, isAirlockError, makePurl, type NpmPackageName, type Purl, type Sha256Digest } from '../../core/index.ts';
import type { ArtifactContent, ArtifactFile, ArtifactReadBounds, Facts, Gate, VersionCandidate, VersionFiles } from '../../gate/index.ts';
import type { ArtifactIndex, BlobStore, Json, RequestContext } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import { requesterKey } from '../shared/http.ts';
import { metadataFacts, packageContext, versionProblem } from './facts.ts';
import { shrinkwrapFacts } from './shrinkwrap.ts';
import type { DocumentSource, SourceLogger } from '../shared/document-source.ts';
import { checkAttestations, listsAttestations, NO_ATTESTATIONS, type AttestationDocument } from './attestations.ts';
import type { MetadataService, PackageState } from './metadata-service.ts';
import type { NpmMetrics, NpmSettings } from './options.ts';
import type { VersionSpan } from './packument-index.ts';
import { readManifest, type ManifestExtract } from './manifest-reader.ts';
import { manifestConfusionFacts, readDeclared, type DeclaredManifest } from './manifest-confusion.ts';
import { checkRegistrySignature } from '../../verify/index.ts';
import { timelineCandidates } from './publishing-timeline.ts';
import { refusalError, undecided } from './refusal.ts';
import { SingleFlight } from '../shared/single-flight.ts';
import { StoredCopyGone } from '../shared/stored-copy.ts';
import { expectationOf, TarballStore, type Expected, type Ingested } from './tarball-store.ts';
import { listTarballFiles } from './tarball-listing.ts';
import { attestationsKey, attestationsPath, tarballFilename, tarballPath, versionFromFilename } from './urls.ts';

export type ArtifactOutcome =
  | {
      readonly kind: 'serve';
      readonly blob: Sha256Digest;
      readonly size: number;
      readonly etag: string;
      /** A fresh download's bytes, for the request that fetched it; remembered outcomes have none. */
      readonly body: Buffer | null;
    }
  | {
      readonly kind: 'refuse';
      readonly error: AirlockError;
      /** False for a fail-closed verdict of a policy that failed: not remembered, judged again next time. */
      readonly lasting: boolean;
    };

interface HotArtifact {
  readonly generation: string;
  /**
   * The package's upstream document the outcomes were decided against. New upstream metadata
   * (a version's tarball replaced, as an internal registry may allow) is decided again: the
   * client that read it expects the new bytes, and the gate has judged only the old ones.
   */
  readonly doc: Sha256Digest;
  readonly outcomes: Map<string, ArtifactOutcome>;
  /**
   * The file's bytes once it is asked for a second time. A cold install fetches each tarball
   * once: keeping those would only push the hot ones out, and hold every passing tarball in
   * memory until a full collection frees it (cold replays' peak RSS, by hand).
   */
  body: { readonly blob: Sha256Digest; readonly bytes: Buffer } | null;
}

/** An outcome, and the package's upstream document it was decided against. */
interface Decided {
  readonly outcome: ArtifactOutcome;
  readonly doc: Sha256Digest;
}

/** A version's metadata, and its tarball verified against it. */
interface Verified {
  readonly state: PackageState;
  readonly manifest: ManifestExtract;
  /** What the registry's manifest declares of dependencies and install hooks (null: unreadable). */
  readonly declared: DeclaredManifest | null;
  readonly dist: { readonly [k: string]: unknown };
  readonly expected: Expected;
  readonly purl: Purl;
  readonly ingested: Ingested;
}

const MAX_REQUESTERS_PER_FILE = 64;
const ENTRY_OVERHEAD = 512;

function hotBytes(h: HotArtifact): number {
  return ENTRY_OVERHEAD + h.outcomes.size * 64 + (h.body === null ? 0 : h.body.bytes.length);
}

export interface ArtifactDeps {
  readonly gate: Gate;
  readonly blobs: BlobStore;
  readonly index: ArtifactIndex;
  readonly upstream: Upstream;
  readonly metadata: MetadataService;
  /** Upstream documents that never change once published (attestations), shared with the client-facing endpoint. */
  readonly attestations: DocumentSource;
  readonly clock: () => Date;
  readonly metrics?: NpmMetrics | undefined;
  readonly log?: SourceLogger | undefined;
}


export class ArtifactService {
  readonly #deps: ArtifactDeps;
  readonly #settings: NpmSettings;
  readonly #hot: Lru<string, HotArtifact>;
  readonly #resolving = new SingleFlight<string, ArtifactOutcome>();
  readonly #tarballs: TarballStore;

  constructor(deps: ArtifactDeps, settings: NpmSettings) {
    this.#deps = deps;
    this.#settings = settings;
    this.#hot = new Lru(settings.hotArtifactCacheBytes, hotBytes);
    this.#tarballs = new TarballStore(deps, settings);
  }

  /** How full the cache of decided files is (read by the metrics when scraped). */
  caches(): CacheFills {
    return { hotArtifacts: cacheFill(this.#hot) };
  }

  /** The hot path: a decided outcome for this file, generation and requester, if any. */
  cached(name: string, filename: string, requester: string): ArtifactOutcome | null {
    const hot = this.#hot.get(`${name}\0${filename}`);
    if (hot === undefined || hot.generation !== this.#deps.gate.generation() || hot.doc !== this.#deps.metadata.currentDocument(name)) return null;
    return hot.outcomes.get(requester) ?? null;
  }

  resolve(name: NpmPackageName, filename: string, request: RequestContext): Promise<ArtifactOutcome> {
    const requester = requesterKey(request);
    const generation = this.#deps.gate.generation();
    return this.#resolving.run(`${name}\0${filename}\0${generation}\0${requester}`, async () => {
      let decided: Decided;
      try {
        decided = await this.#decide(name, filename, request);
      } catch (err) {
        // A stored file (the tarball, or the packument it is read from) was missing or corrupt
        // and is removed now: fetched and verified again.
        if (!(err instanceof StoredCopyGone)) throw err;
        decided = await this.#decide(name, filename, request);
      }
      const { outcome, doc } = decided;
      if (outcome.kind === 'serve' || outcome.lasting) this.#remember(`${name}\0${filename}`, generation, doc, requester, outcome);
      return outcome;
    });
  }

  /**
   * The bytes of a servable outcome: a fresh download's own, else the file's kept bytes, else
   * the stored file, verified. A small file asked for again is read whole and kept for later
   * requests. A stored file found missing or corrupt (removed then) is fetched again first: the
   * same verified bytes, so the outcome's size and ETag still hold.
   */
  async open(name: NpmPackageName, filename: string, outcome: Extract<ArtifactOutcome, { kind: 'serve' }>, request: RequestContext): Promise<Buffer | Readable> {
    try {
      return await this.#open(name, filename, outcome);
    } catch (err) {
      if (!(err instanceof StoredCopyGone)) throw err;
      this.#hot.delete(`${name}\0${filename}`);
      const again = await this.resolve(name, filename, request);
      if (again.kind === 'refuse') throw again.error;
      if (again.blob !== outcome.blob) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${name}: ${filename} fetched again is not the file first served; ask again`);
      return this.#open(name, filename, again);
    }
  }

  async #open(name: string, filename: string, outcome: Extract<ArtifactOutcome, { kind: 'serve' }>): Promise<Buffer | Readable> {
    if (outcome.body !== null) return outcome.body;
    if (outcome.size > this.#settings.hotArtifactMaxBytes) return this.#tarballs.open(outcome);
    const key = `${name}\0${filename}`;
    const kept = this.#hot.peek(key)?.body;
    if (kept?.blob === outcome.blob) return kept.bytes;
    // The blob store reads into a buffer of exactly the file's size: nothing to trim before keeping it.
    const bytes = await this.#tarballs.readAll(outcome);
    const hot = this.#hot.peek(key);
    if (hot !== undefined) {
      hot.body = { blob: outcome.blob, bytes };
      this.#hot.resize(key);
    }
    return bytes;
  }

  /** Remember a requester's outcome, without a fresh download's bytes (`open` keeps them once asked for again). */
  #remember(key: string, generation: string, doc: Sha256Digest, requester: string, outcome: ArtifactOutcome): void {
    let hot = this.#hot.peek(key);
    if (hot === undefined || hot.generation !== generation || hot.doc !== doc) hot = { generation, doc, outcomes: new Map(), body: null };
    if (hot.outcomes.size >= MAX_REQUESTERS_PER_FILE) hot.outcomes.clear();
    hot.outcomes.set(requester, outcome.kind === 'serve' && outcome.body !== null ? { ...outcome, body: null } : outcome);
    this.#hot.set(key, hot);
  }

  /**
   * A version's files, from its tarball fetched and verified like a download's (stored if it was
   * not), but neither judged nor served: what a reviewer compares (`PackageSource.files`).
   */
  async files(name: NpmPackageName, version: string): Promise<VersionFiles> {
    const { ingested } = await this.#verified(name, version, tarballFilename(name, version));
    const rec = ingested.rec;
    const inspection = ingested.inspection ?? (await this.#tarballs.inspect(rec));
    const files = await listTarballFiles(ingested.body ?? (await this.#tarballs.open(rec)));
    return { version, files, installScripts: inspection.facts['install_scripts'] as Readonly<Record<string, Json>> };
  }

  /** Named files of a version's tarball (fetched and verified as for `files`), within the bounds. */
  async readFiles(name: NpmPackageName, version: string, paths: readonly string[], bounds: ArtifactReadBounds): Promise<ReadonlyMap<string, ArtifactFile>> {
    const { ingested } = await this.#verified(name, version, tarballFilename(name, version));
    return this.#tarballs.readFiles(ingested.rec, paths, bounds);
  }

  /** The version's metadata and its tarball, fetched and verified against it when not stored yet. */
  async #verified(name: NpmPackageName, version: string, filename: string): Promise<Verified> {
    let state = await this.#deps.metadata.state(name);
    if (!state.index.versions.has(version)) state = await this.#deps.metadata.state(name, { revalidate: true });
    const span = state.index.versions.get(version);
    if (span === undefined) throw new AirlockError('NOT_FOUND', `${name}@${version} does not exist`);
    const { manifest, declared } = await this.#manifest(state, span);
    const problem = versionProblem(name, version, manifest);
    if (problem !== null || manifest === null) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${name}@${version}: the upstream metadata is unusable (${problem ?? 'no manifest'})`);
    const dist = manifest.fields.dist as { readonly [k: string]: unknown };
    const expected = expectationOf(name, version, dist);
    const purl = makePurl('npm', name, version);
    const url = this.#upstreamUrl(String(dist['tarball']), name, version);
    const ingested = await this.#tarballs.ingest(name, version, filename, purl, url, expected).catch((err: unknown) => {
      // Airlock's own store failed (a full disk): a verified tarball it cannot keep is not judged or
      // served. A stored file found gone is not that: `resolve` fetches it again.
      const failed = isAirlockError(err, 'STORAGE_ERROR') && !(err instanceof StoredCopyGone);
      throw failed ? undecided(`${name}@${version}`, err.message, 'store') : err;
    });
    return { state, manifest, declared, dist, expected, purl, ingested };
  }

  async #decide(name: NpmPackageName, filename: string, request: RequestContext): Promise<Decided> {
    const version = versionFromFilename(name, filename);
    if (version === null) throw new AirlockError('NOT_FOUND', `${name} has no file ${filename}`);
    const { state, manifest, declared, dist, expected, purl, ingested } = await this.#verified(name, version, filename);
    const rec = ingested.rec;
    const inspection = ingested.inspection ?? (await this.#tarballs.inspect(rec));
    const ctx = packageContext(state.index.time, state.index.distTags, state.index.versions.size);
    const tarball: { [k: string]: Json } = {
      ...inspection.facts,
      size: rec.size,
      sha512: rec.sha512,
      sha1: rec.sha1,
      // The registry never lets a published version's tarball change: other bytes than the ones
      // first stored mean the upstream replaced them.
      replaces_sha512: rec.firstSha512 === rec.sha512 ? null : rec.firstSha512,
      integrity_verified: true,
      verified_algorithms: expected.algorithms.split('+'),
      manifest_matches: inspection.manifestName === name && inspection.manifestVersion === version,
      // npm sends the registry's own URLs back to Airlock: those on the upstream's origin.
      shrinkwrap: shrinkwrapFacts(inspection.shrinkwrap, (url) => this.#deps.upstream.owns(url)),
      // Dependencies and install hooks its package.json declares that the registry's manifest does not.
      ...manifestConfusionFacts(declared, inspection.declared),
    };
    // The integrity the bytes were verified against, and the registry's signature over it.
    const signature = checkRegistrySignature(name, version, dist, state.index.time[version] ?? null, this.#settings.registryKeys());
    // Its Sigstore attestations (publish, provenance), checked against the bytes just verified.
    const attestations = listsAttestations(dist)
      ? checkAttestations(name, version, purl, rec.sha512, await this.#attestationDocument(name, version), { root: this.#settings.sigstoreRoot(), keys: this.#settings.attestationKeys() })
      : NO_ATTESTATIONS;
    const facts: Facts = { ...metadataFacts(version, manifest, ctx), registry_signature: signature, attestations, tarball };
    const subject = { repo: this.#settings.repo, ecosystem: 'npm' as const, name, version, purl };
    // The package's other versions (publisher history) and the stored tarball's files (what install hooks run).
    const history = async (): Promise<readonly VersionCandidate[]> => timelineCandidates(state.timeline, this.#settings.repo, name);
    const content: ArtifactContent = { digest: rec.blob, size: rec.size, readFiles: (paths, bounds) => this.#tarballs.readFiles(rec, paths, bounds) };
    // A tarball the inspection could not read, or whose package.json it could not (its install
    // scripts are then unknown), is held for review whatever the policy allows.
    const unread = inspection.error ?? inspection.manifestError;
    const decision = await this.#deps.gate.judgeArtifact({ subject, facts, content, unread }, request, history);
    // Airlock itself failed (its store, a fact collector): nothing is remembered, the client asks again.
    if (decision.failure?.kind === 'gate') throw undecided(`${name}@${version}`, decision.failure.cause);
    const doc = state.doc.blob;
    if (decision.verdict.kind !== 'allow') return { outcome: { kind: 'refuse', error: refusalError(name, version, decision), lasting: decision.failure === undefined }, doc };
    // A fresh download is served from memory; a stored file is read when it is sent.
    const body = rec.size > this.#settings.hotArtifactMaxBytes ? null : ingested.body;
    return { outcome: { kind: 'serve', blob: rec.blob, size: rec.size, etag: `"${digestHex(rec.blob)}"`, body }, doc };
  }

  /** The version's manifest, and what it declares: from the document in memory, else just its bytes from the store. */
  async #manifest(state: PackageState, span: VersionSpan): Promise<{ manifest: ManifestExtract | null; declared: DeclaredManifest | null }> {
    const doc = this.#deps.metadata.cachedDocument(state);
    const [b, start] = doc !== null ? [doc, span.start] : [await this.#deps.metadata.documentRange(state, span.start, span.end), 0];
    return { manifest: readManifest(b, start), declared: readDeclared(b, start) };
  }

  /** The version's attestation document from the upstream (cached for good once fetched), or why there is none. */
  async #attestationDocument(name: NpmPackageName, version: string): Promise<AttestationDocument> {
    const source = this.#deps.attestations;
    try {
      const doc = await source.get(attestationsKey(name, version), { path: attestationsPath(name, version), accept: 'application/json' });
      return { bytes: await source.bytes(doc) };
    } catch (err) {
      // Airlock's own store failing is not a fact about the package (a stored copy found corrupt is
      // fetched again by `resolve`); an upstream that fails or refuses is.
      if (!isAirlockError(err) || err.code === 'STORAGE_ERROR') throw err;
      return { error: err.message };
    }
  }

  /** Upstream tarball URL: the metadata's, when on the upstream's origin; else the conventional path there. */
  #upstreamUrl(tarball: string, name: NpmPackageName, version: string): URL {
    try {
      return this.#deps.upstream.resolve(new URL(tarball));
    } catch {
      return this.#deps.upstream.resolve(tarballPath(name, version));
    }
  }

}
