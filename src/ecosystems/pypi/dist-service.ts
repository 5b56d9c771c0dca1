/**
 * Distribution files (wheels, sdists): found on the project page by name and sha256, fetched once
 * per digest however many clients ask at once, verified against the page's sha256 while they
 * stream into the blob store, inspected, and judged by the gate with content facts. Only an
 * allow is served. Outcomes are kept per (file, gate generation, requester).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AirlockError, cacheFill, Lru, isAirlockError, type CacheFills, sha256DigestFromHex, type PypiProjectName, type Sha256Digest } from '../../core/index.ts';
import type { Gate, GateDecision, VersionCandidate } from '../../gate/index.ts';
import { DEFAULT_PYTHON_DIST_LIMITS, inspectPythonDist, MemorySource, type ByteSource, type PythonDistInspection } from '../../scan/index.ts';
import { writeStreamToUpload, type ArtifactIndex, type ArtifactRecord, type BlobStore, type RequestContext } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import { checkPypiProvenance, NO_PROVENANCE, type PypiProvenanceCheck } from '../../verify/index.ts';
import { BlobRangeSource } from '../shared/blob-range-source.ts';
import { requesterKey } from '../shared/http.ts';
import type { DocumentSource, SourceLogger } from '../shared/document-source.ts';
import type { RepositoryMetrics } from '../shared/metrics.ts';
import { undecided, versionRefusal } from '../shared/refusal.ts';
import { SingleFlight } from '../shared/single-flight.ts';
import { distributionFacts } from './facts.ts';
import type { PypiSettings } from './options.ts';
import type { ListedFile, ProjectService, ProjectView } from './project-service.ts';

export type FileOutcome =
  | { readonly kind: 'serve'; readonly blob: Sha256Digest; readonly size: number; readonly etag: string }
  | {
      readonly kind: 'refuse';
      readonly error: AirlockError;
      /** False for a fail-closed verdict of a policy that failed: not remembered, judged again next time. */
      readonly lasting: boolean;
    };

export interface DistServiceDeps {
  readonly gate: Gate;
  readonly blobs: BlobStore;
  readonly index: ArtifactIndex;
  readonly projects: ProjectService;
  /** The simple index's client, and the files host's (null: files only on the index's origin). */
  readonly indexUpstream: Upstream;
  readonly filesUpstream: Upstream | null;
  /** Core metadata files (`.metadata`), cached like pages: one source per origin. */
  readonly metadataFiles: { readonly index: DocumentSource; readonly files: DocumentSource | null };
  /** PEP 740 provenance objects, revalidated like pages (the index may add attestations later): one source per origin. */
  readonly provenance: { readonly index: DocumentSource; readonly files: DocumentSource | null };
  readonly clock: () => Date;
  readonly metrics?: RepositoryMetrics | undefined;
  readonly log?: SourceLogger | undefined;
}

/** The error for a non-allow decision about a version: one line, which pip prints as the 403's reason phrase. */
function refusalError(name: string, version: string, decision: GateDecision): AirlockError {
  return versionRefusal(`${name}==${version}`, name, version, decision);
}

/** Time an inspection of one file may take. */
const INSPECT_DEADLINE_MS = 60_000;

export class DistService {
  readonly #deps: DistServiceDeps;
  readonly #settings: PypiSettings;
  readonly #ingests = new SingleFlight<string, ArtifactRecord>();
  readonly #resolving = new SingleFlight<string, FileOutcome>();
  readonly #outcomes: Lru<string, FileOutcome>;
  readonly #inspections: Lru<string, PythonDistInspection>;
  /**
   * Files kept in memory once asked for a second time (a cold install asks for each once: keeping
   * those would only push the hot ones out). A stored file read whole is checked against its
   * digest; served from memory, it is not read again.
   */
  readonly #hot: Lru<string, Buffer>;
  /** Files served once (their blobs), so that the second request keeps the bytes. */
  readonly #servedOnce: Lru<string, true>;

  constructor(deps: DistServiceDeps, settings: PypiSettings) {
    this.#deps = deps;
    this.#settings = settings;
    const c = settings.cache;
    this.#outcomes = new Lru(c.outcomes, () => 1024);
    this.#inspections = new Lru(c.inspections, (i) => 4096 + (i.metadata?.length ?? 0));
    this.#hot = new Lru(c.hotFiles, (b) => b.length);
    this.#servedOnce = new Lru(Math.max(64 * 1024, Math.floor(c.outcomes / 4)), () => 128);
  }

  /** How full the caches are (read by the metrics when scraped). */
  caches(): CacheFills {
    return { hotFiles: cacheFill(this.#hot), inspections: cacheFill(this.#inspections), outcomes: cacheFill(this.#outcomes), servedOnce: cacheFill(this.#servedOnce) };
  }

  /** The outcome for a file the client asks for by the URL Airlock gave it (project, sha256, filename). */
  async resolve(name: PypiProjectName, sha256: string, filename: string, request: RequestContext): Promise<FileOutcome> {
    const generation = this.#deps.gate.generation();
    const key = `${name}\0${filename}\0${sha256}\0${generation}\0${requesterKey(request)}`;
    const known = this.#outcomes.get(key);
    if (known !== undefined) {
      // Only while the page (as cached, revalidated after its max age) still lists the file: one
      // the index took down, or a release removed from a hosted repository, is not served from here.
      const view = await this.#deps.projects.view(name, request);
      if (view.state.files.get(filename)?.sha256 === sha256) return known;
      this.#outcomes.delete(key);
    }
    return this.#resolving.run(key, async () => {
      const outcome = await this.#decide(name, sha256, filename, request);
      if (outcome.kind === 'serve' || outcome.lasting) this.#outcomes.set(key, outcome);
      return outcome;
    });
  }

  /** The stored bytes of a servable outcome: from memory when hot, else streamed from the store (checked as they go). */
  async open(outcome: Extract<FileOutcome, { kind: 'serve' }>): Promise<Buffer | Readable> {
    if (outcome.size <= this.#settings.cache.hotFileMaxBytes) {
      const kept = this.#hot.get(outcome.blob);
      if (kept !== undefined) return kept;
      if (this.#servedOnce.get(outcome.blob) !== undefined) {
        const bytes = await this.#deps.blobs.read(outcome.blob, { maxBytes: outcome.size });
        if (bytes === null) throw new AirlockError('STORAGE_ERROR', `the stored file ${outcome.blob} is gone; ask again`);
        this.#hot.set(outcome.blob, bytes);
        return bytes;
      }
      this.#servedOnce.set(outcome.blob, true);
    }
    const stream = await this.#deps.blobs.open(outcome.blob);
    if (stream === null) throw new AirlockError('STORAGE_ERROR', `the stored file ${outcome.blob} is gone; ask again`);
    return stream;
  }

  /**
   * The file's core metadata (PEP 658 `.metadata`): the upstream's, verified against the hash the
   * page gives, for a version the gate allows. pip resolves from it before it downloads anything.
   */
  async coreMetadata(name: PypiProjectName, sha256: string, filename: string, request: RequestContext): Promise<Buffer> {
    const { view, listed } = await this.#find(name, sha256, filename, request);
    const decision = view.decisions.get(listed.version);
    if (decision === undefined) throw new AirlockError('INTERNAL', `${name}==${listed.version} was not judged`);
    if (decision.verdict.kind !== 'allow') throw refusalError(name, listed.version, decision);
    const advertised = listed.file.coreMetadata;
    if (advertised === false) throw new AirlockError('NOT_FOUND', `the index has no core metadata file for ${filename}`);
    const url = new URL(`${listed.file.url}.metadata`);
    const source = this.#clientFor(url, filename) === this.#deps.indexUpstream ? this.#deps.metadataFiles.index : this.#deps.metadataFiles.files;
    if (source === null) throw new AirlockError('INTERNAL', 'no metadata source for the files host');
    const want = typeof advertised === 'object' ? advertised['sha256']?.toLowerCase() : undefined;
    // Checked before it is kept: a copy that does not match would otherwise be served for good.
    const check = (body: Buffer): string | null =>
      want === undefined || createHash('sha256').update(body).digest('hex') === want ? null : `${name}: the upstream's core metadata for ${filename} does not match the sha256 its index page gives; refused, nothing was stored`;
    const doc = await source.get(`metadata/${sha256}`, { path: url.href, accept: '*/*', check });
    return source.bytes(doc);
  }

  /** The listed file, from the page as cached; a file not on it sends Airlock to the index once more (it may be new). */
  async #find(name: PypiProjectName, sha256: string, filename: string, request: RequestContext): Promise<{ view: ProjectView; listed: ListedFile }> {
    let view = await this.#deps.projects.view(name, request);
    let listed = view.state.files.get(filename);
    if (listed === undefined || listed.sha256 !== sha256) {
      view = await this.#deps.projects.view(name, request, { revalidate: true });
      listed = view.state.files.get(filename);
    }
    if (listed === undefined || listed.sha256 !== sha256) throw new AirlockError('NOT_FOUND', `${name} has no file ${filename} with sha256 ${sha256.slice(0, 16)}… on its index page`);
    return { view, listed };
  }

  async #decide(name: PypiProjectName, sha256: string, filename: string, request: RequestContext): Promise<FileOutcome> {
    const { view, listed } = await this.#find(name, sha256, filename, request);
    const candidate = view.state.candidates.get(listed.version) as VersionCandidate;
    const rec = await this.#ingest(name, listed, candidate).catch((err: unknown) => {
      // Airlock's own store failed (a full disk): a verified file it cannot keep is not judged or served.
      throw isAirlockError(err, 'STORAGE_ERROR') ? undecided(`${name}==${listed.version}`, err.message, 'store') : err;
    });
    const inspection = await this.#inspect(rec, listed);
    const attestations = listed.file.provenance === null ? NO_PROVENANCE : await this.#checkProvenance(listed, listed.file.provenance);
    const facts = { ...candidate.facts, tarball: distributionFacts(listed, name, rec.size, sha256, inspection), attestations };
    // The bytes judged: a quarantine opened on them records them, and a release covers this file only
    // (a PyPI version has several). What the file runs is in its facts, so no reads are offered.
    const content = { digest: rec.blob, size: rec.size };
    const history = async (): Promise<readonly VersionCandidate[]> => [...view.state.candidates.values()];
    const decision = await this.#deps.gate.judgeArtifact({ subject: candidate.subject, facts, content, unread: inspection.problem }, request, history);
    if (decision.failure?.kind === 'gate') throw undecided(`${name}==${listed.version}`, decision.failure.cause);
    if (decision.verdict.kind !== 'allow') return { kind: 'refuse', error: refusalError(name, listed.version, decision), lasting: decision.failure === undefined };
    return { kind: 'serve', blob: rec.blob, size: rec.size, etag: `"${sha256}"` };
  }

  /**
   * The file's PEP 740 attestations, checked against the bytes verified (their sha256) and the
   * repository's Sigstore trusted root. An index that does not serve them, or serves them from
   * another host, leaves them unverifiable; Airlock's own store failing is not a fact about them.
   */
  async #checkProvenance(listed: ListedFile, provenanceUrl: string): Promise<PypiProvenanceCheck> {
    let doc: { readonly bytes: Buffer } | { readonly error: string };
    try {
      const url = new URL(provenanceUrl);
      const source = this.#clientFor(url, `the provenance of ${listed.file.filename}`) === this.#deps.indexUpstream ? this.#deps.provenance.index : this.#deps.provenance.files;
      if (source === null) throw new AirlockError('INTERNAL', 'no provenance source for the files host');
      const got = await source.get(`provenance/${listed.sha256}`, { path: url.href, accept: 'application/vnd.pypi.integrity.v1+json' });
      doc = { bytes: await source.bytes(got) };
    } catch (err) {
      if (!isAirlockError(err) || err.code === 'STORAGE_ERROR' || err.code === 'INTERNAL') throw err;
      doc = { error: err.message };
    }
    return checkPypiProvenance(doc, listed.file.filename, listed.sha256, this.#settings.sigstoreRoot(), this.#deps.clock());
  }

  /** Which client may fetch `url`: the index's origin, or the configured files host; no other. */
  #clientFor(url: URL, filename: string): Upstream {
    if (this.#deps.indexUpstream.owns(url)) return this.#deps.indexUpstream;
    if (this.#deps.filesUpstream?.owns(url) === true) return this.#deps.filesUpstream;
    throw new AirlockError(
      'UPSTREAM_BAD_RESPONSE',
      `the index links ${filename} on ${url.origin}, which is neither the index's origin nor the repository's filesUpstream; Airlock follows no link to another host (set filesUpstream to trust it)`,
    );
  }

  /** The stored file, fetched and verified against the page's sha256 first when not stored yet. */
  #ingest(name: PypiProjectName, listed: ListedFile, candidate: VersionCandidate): Promise<ArtifactRecord> {
    const { index, blobs, metrics } = this.#deps;
    const repo = this.#settings.repo;
    const purl = candidate.subject.purl;
    const filename = listed.file.filename;
    return this.#ingests.run(listed.sha256, async () => {
      const existing = await index.getArtifact(repo, purl, filename);
      if (existing !== null && existing.blob === `sha256:${listed.sha256}` && (await blobs.stat(existing.blob)) !== null) {
        metrics?.cache(repo, 'artifact', 'hit');
        return existing;
      }
      // Bytes the store holds under this sha256 already are these bytes (it commits a blob only
      // under its own digest): an upload to a hosted repository, or the same file reached through
      // another repository. They are recorded, not copied again.
      const stored = await blobs.stat(sha256DigestFromHex(listed.sha256));
      if (stored !== null && (listed.file.size === null || stored.size === listed.file.size)) {
        metrics?.cache(repo, 'artifact', 'hit');
        return index.putArtifact({ repo, purl, ecosystem: 'pypi', name, version: listed.version, filename, blob: stored.digest, size: stored.size, sha512: null, sha1: null, storedAt: this.#deps.clock() });
      }
      metrics?.cache(repo, 'artifact', 'miss');
      const url = new URL(listed.file.url);
      const client = this.#clientFor(url, filename);
      const max = this.#settings.maxArtifactBytes;
      // Verified by the sha256 the index gives: no other digest is computed or recorded.
      const upload = await blobs.begin({ maxBytes: max, digests: 'address' });
      try {
        const res = await client.openStream(url, { maxBytes: max, accept: '*/*' });
        try {
          await writeStreamToUpload(res.body, upload);
        } finally {
          res.body.destroy();
        }
        const committed = await upload.commit({ sha256: listed.sha256, ...(listed.file.size === null ? {} : { size: listed.file.size }) });
        const rec = await index.putArtifact({ repo, purl, ecosystem: 'pypi', name, version: listed.version, filename, blob: committed.digest, size: committed.size, sha512: null, sha1: null, storedAt: this.#deps.clock() });
        metrics?.upstreamFetch(repo, 'artifact', 'fresh');
        return rec;
      } catch (err) {
        metrics?.upstreamFetch(repo, 'artifact', 'error');
        if (isAirlockError(err, 'DIGEST_MISMATCH') || isAirlockError(err, 'SIZE_MISMATCH')) {
          throw new AirlockError('DIGEST_MISMATCH', `${name}: the upstream served ${filename} with bytes that do not match the sha256 (or size) its index page gives; refused, nothing was stored`, {
            cause: err,
            details: { name, filename },
          });
        }
        throw err;
      } finally {
        await upload.abort();
      }
    });
  }

  /** Content facts of a stored file (cached by digest): from memory when small, else read by range. */
  async #inspect(rec: ArtifactRecord, listed: ListedFile): Promise<PythonDistInspection> {
    const have = this.#inspections.get(rec.blob);
    if (have !== undefined) return have;
    let source: ByteSource;
    if (rec.size <= this.#settings.inMemoryInspectBytes) {
      const bytes = await this.#deps.blobs.read(rec.blob, { maxBytes: rec.size });
      if (bytes === null) throw new AirlockError('STORAGE_ERROR', `the stored file ${listed.file.filename} is gone; ask again`);
      source = new MemorySource(bytes);
    } else {
      source = new BlobRangeSource(this.#deps.blobs, rec.blob, rec.size);
    }
    // A deadline besides the size limits: what it leaves unread is a problem (held for review).
    const inspection = await inspectPythonDist(source, listed.kind, DEFAULT_PYTHON_DIST_LIMITS, AbortSignal.timeout(INSPECT_DEADLINE_MS));
    this.#inspections.set(rec.blob, inspection);
    return inspection;
  }
}
