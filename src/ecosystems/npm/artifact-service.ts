/**
 * Tarballs: resolved against the package's upstream metadata, fetched once per digest however
 * many clients ask at once, streamed into a staged blob while hashing, verified against
 * `dist.integrity` and `shasum` before commit, inspected, then judged by the gate. Only an allow
 * is served. Outcomes are kept per (file, gate generation, requester) so a hot tarball costs a
 * map lookup and, when small, no disk read.
 */
import { PassThrough, type Readable } from 'node:stream';
import { AirlockError, digestHex, isAirlockError, makePurl, parseIntegrity, type NpmPackageName, type Purl, type Sha256Digest } from '../../core/index.ts';
import type { ArtifactContent, Facts, Gate } from '../../gate/index.ts';
import type { ArtifactIndex, ArtifactRecord, BlobExpectation, BlobStore, CommittedBlob, Json, RequestContext } from '../../storage/ports/index.ts';
import { readCapped, type UpstreamClient } from '../../upstream/index.ts';
import { ByteLru } from './byte-lru.ts';
import { metadataFacts, packageContext, versionProblem } from './facts.ts';
import type { MetadataService, PackageState } from './metadata-service.ts';
import type { NpmMetrics, NpmSettings } from './options.ts';
import type { VersionSpan } from './packument-index.ts';
import { readManifest, type ManifestExtract } from './manifest-reader.ts';
import { refusalError, uninspectableError } from './refusal.ts';
import { SingleFlight } from './single-flight.ts';
import { exactBuffer } from './exact-buffer.ts';
import { readTarballFiles } from './tarball-files.ts';
import { inspectTarball, type TarballInspection } from './tarball-inspect.ts';
import { tarballPath, versionFromFilename } from './urls.ts';

export type ArtifactOutcome =
  | { readonly kind: 'serve'; readonly blob: Sha256Digest; readonly size: number; readonly etag: string; readonly body: Buffer | null }
  | { readonly kind: 'refuse'; readonly error: AirlockError };

interface HotArtifact {
  readonly generation: string;
  readonly outcomes: Map<string, ArtifactOutcome>;
  bytes: number;
}

/** A stored tarball with what was learnt while it streamed in (when it was just fetched). */
interface Ingested {
  readonly rec: ArtifactRecord;
  readonly inspection: TarballInspection | null;
  /** The bytes, when small enough to keep. */
  readonly body: Buffer | null;
}

interface Expected {
  readonly expect: BlobExpectation;
  readonly algorithms: string;
  readonly flightKey: string;
}

const MAX_REQUESTERS_PER_FILE = 64;
const ENTRY_OVERHEAD = 512;

export interface ArtifactDeps {
  readonly gate: Gate;
  readonly blobs: BlobStore;
  readonly index: ArtifactIndex;
  readonly upstream: UpstreamClient;
  readonly metadata: MetadataService;
  readonly clock: () => Date;
  readonly metrics?: NpmMetrics | undefined;
}

/** Requester identity as the gate keys artifact decisions (policies may use `input.request`). */
export function requesterKey(r: RequestContext): string {
  return `${r.tokenId ?? ''}\0${r.role ?? ''}\0${r.userAgent ?? ''}\0${r.agent ?? ''}\0${r.ip ?? ''}`;
}

function expectationOf(name: string, version: string, dist: { readonly [k: string]: unknown }): Expected {
  const expect: { sha512?: string; sha256?: string; sha1?: string } = {};
  if (typeof dist['integrity'] === 'string') {
    let entries;
    try {
      entries = parseIntegrity(dist['integrity']);
    } catch (cause) {
      throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${name}@${version}: the upstream metadata has a malformed integrity`, { cause });
    }
    for (const e of entries) {
      if (e.algorithm === 'sha512') expect.sha512 ??= e.hex;
      else if (e.algorithm === 'sha256') expect.sha256 ??= e.hex;
      else if (e.algorithm === 'sha1') expect.sha1 ??= e.hex;
    }
  }
  const shasum = dist['shasum'];
  if (typeof shasum === 'string' && /^[0-9a-fA-F]{40}$/.test(shasum)) {
    const hex = shasum.toLowerCase();
    if (expect.sha1 !== undefined && expect.sha1 !== hex) {
      throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${name}@${version}: the upstream metadata's integrity and shasum disagree`);
    }
    expect.sha1 = hex;
  }
  const algorithms = Object.keys(expect).sort().join('+');
  const flightKey = expect.sha512 ?? expect.sha256 ?? expect.sha1;
  if (flightKey === undefined) {
    throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${name}@${version}: the upstream metadata has no digest Airlock can verify (sha512, sha256 or sha1)`);
  }
  return { expect, algorithms, flightKey };
}

function matches(rec: ArtifactRecord, e: BlobExpectation): boolean {
  return (e.sha512 === undefined || rec.sha512 === e.sha512) && (e.sha1 === undefined || rec.sha1 === e.sha1) && (e.sha256 === undefined || `sha256:${e.sha256}` === rec.blob);
}

/** Resolves when the stream can take more, or has been destroyed (the inspector gave up). */
function drained(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

export class ArtifactService {
  readonly #deps: ArtifactDeps;
  readonly #settings: NpmSettings;
  readonly #hot: ByteLru<string, HotArtifact>;
  readonly #inspections: ByteLru<string, TarballInspection>;
  readonly #resolving = new SingleFlight<string, ArtifactOutcome>();
  readonly #ingests = new SingleFlight<string, Ingested>();

  constructor(deps: ArtifactDeps, settings: NpmSettings) {
    this.#deps = deps;
    this.#settings = settings;
    this.#hot = new ByteLru(settings.hotArtifactCacheBytes + 4 * 1024 * 1024, (h) => h.bytes);
    this.#inspections = new ByteLru(4 * 1024 * 1024, () => 2048);
  }

  /** The hot path: a decided outcome for this file, generation and requester, if any. */
  cached(name: string, filename: string, requester: string): ArtifactOutcome | null {
    const hot = this.#hot.get(`${name}\0${filename}`);
    if (hot === undefined || hot.generation !== this.#deps.gate.generation()) return null;
    return hot.outcomes.get(requester) ?? null;
  }

  resolve(name: NpmPackageName, filename: string, request: RequestContext): Promise<ArtifactOutcome> {
    const requester = requesterKey(request);
    const generation = this.#deps.gate.generation();
    return this.#resolving.run(`${name}\0${filename}\0${generation}\0${requester}`, async () => {
      const outcome = await this.#decide(name, filename, request);
      this.#remember(`${name}\0${filename}`, generation, requester, outcome);
      return outcome;
    });
  }

  /** The bytes of a servable outcome. */
  async open(outcome: Extract<ArtifactOutcome, { kind: 'serve' }>): Promise<Buffer | Readable> {
    if (outcome.body !== null) return outcome.body;
    const stream = await this.#deps.blobs.open(outcome.blob);
    if (stream === null) throw new AirlockError('STORAGE_ERROR', `the stored tarball ${outcome.blob} is missing`);
    return stream;
  }

  #remember(key: string, generation: string, requester: string, outcome: ArtifactOutcome): void {
    let hot = this.#hot.peek(key);
    if (hot === undefined || hot.generation !== generation) hot = { generation, outcomes: new Map(), bytes: ENTRY_OVERHEAD };
    if (hot.outcomes.size >= MAX_REQUESTERS_PER_FILE) hot.outcomes.clear();
    hot.outcomes.set(requester, outcome);
    // Every requester's serve outcome shares the same body buffer: count it once.
    const body = outcome.kind === 'serve' && outcome.body !== null ? outcome.body.length : 0;
    hot.bytes = Math.max(hot.bytes, ENTRY_OVERHEAD + body) + 64;
    this.#hot.set(key, hot);
  }

  async #decide(name: NpmPackageName, filename: string, request: RequestContext): Promise<ArtifactOutcome> {
    const version = versionFromFilename(name, filename);
    if (version === null) throw new AirlockError('NOT_FOUND', `${name} has no file ${filename}`);
    let state = await this.#deps.metadata.state(name);
    if (!state.index.versions.has(version)) state = await this.#deps.metadata.state(name, { revalidate: true });
    const span = state.index.versions.get(version);
    if (span === undefined) throw new AirlockError('NOT_FOUND', `${name}@${version} does not exist`);
    const manifest = await this.#manifest(state, span);
    const problem = versionProblem(name, version, manifest);
    if (problem !== null || manifest === null) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${name}@${version}: the upstream metadata is unusable (${problem ?? 'no manifest'})`);
    const dist = manifest.fields.dist as { readonly [k: string]: unknown };
    const expected = expectationOf(name, version, dist);
    const purl = makePurl('npm', name, version);
    const url = this.#upstreamUrl(String(dist['tarball']), name, version);
    const ingested = await this.#ingest(name, version, filename, purl, url, expected);
    const rec = ingested.rec;
    const inspection = ingested.inspection ?? (await this.#inspect(rec));
    const ctx = packageContext(state.index.time, state.index.distTags, state.index.versions.size);
    const tarball: { [k: string]: Json } = {
      ...inspection.facts,
      size: rec.size,
      sha512: rec.sha512,
      sha1: rec.sha1,
      integrity_verified: true,
      verified_algorithms: expected.algorithms.split('+'),
      manifest_matches: inspection.manifestName === name && inspection.manifestVersion === version,
    };
    const facts: Facts = { ...metadataFacts(version, manifest, ctx), tarball };
    const subject = { repo: this.#settings.repo, ecosystem: 'npm' as const, name, version, purl };
    // The package's other versions (publisher history) and the stored tarball's files (what install hooks run).
    const history = (await this.#deps.metadata.candidates(state)).candidates;
    const content: ArtifactContent = { readFiles: (paths, maxBytesEach) => this.#readFiles(rec, paths, maxBytesEach) };
    const decision = await this.#deps.gate.judgeArtifact({ subject, facts, content }, request, history);
    if (decision.verdict.kind !== 'allow') return { kind: 'refuse', error: refusalError(name, version, decision) };
    if (inspection.error !== null) return { kind: 'refuse', error: uninspectableError(name, version, inspection.error) };
    const body = rec.size > this.#settings.hotArtifactMaxBytes ? null : exactBuffer(ingested.body ?? (await this.#readSmall(rec)));
    return { kind: 'serve', blob: rec.blob, size: rec.size, etag: `"${digestHex(rec.blob)}"`, body };
  }

  /** The version's manifest: from the document in memory, else just its bytes from the store. */
  async #manifest(state: PackageState, span: VersionSpan): Promise<ManifestExtract | null> {
    const doc = this.#deps.metadata.cachedDocument(state);
    if (doc !== null) return readManifest(doc, span.start);
    return readManifest(await this.#deps.metadata.documentRange(state, span.start, span.end), 0);
  }

  /** Upstream tarball URL: the metadata's, when on the upstream's origin; else the conventional path there. */
  #upstreamUrl(tarball: string, name: NpmPackageName, version: string): URL {
    try {
      return this.#deps.upstream.resolve(new URL(tarball));
    } catch {
      return this.#deps.upstream.resolve(tarballPath(name, version));
    }
  }

  async #ingest(name: NpmPackageName, version: string, filename: string, purl: Purl, url: URL, expected: Expected): Promise<Ingested> {
    const { index, blobs, metrics } = this.#deps;
    const repo = this.#settings.repo;
    return this.#ingests.run(expected.flightKey, async () => {
      const existing = await index.getArtifact(repo, purl, filename);
      if (existing !== null && matches(existing, expected.expect) && (await blobs.stat(existing.blob)) !== null) {
        metrics?.cache(repo, 'artifact', 'hit');
        return { rec: existing, inspection: this.#inspections.get(existing.blob) ?? null, body: null };
      }
      metrics?.cache(repo, 'artifact', 'miss');
      try {
        const fetched = await this.#fetch(url, expected);
        const rec: ArtifactRecord = {
          repo,
          purl,
          ecosystem: 'npm',
          name,
          version,
          filename,
          blob: fetched.committed.digest,
          size: fetched.committed.size,
          sha512: fetched.committed.digests.sha512,
          sha1: fetched.committed.digests.sha1,
          storedAt: this.#deps.clock(),
        };
        await index.putArtifact(rec);
        this.#inspections.set(rec.blob, fetched.inspection);
        metrics?.upstreamFetch(repo, 'artifact', 'fresh');
        return { rec, inspection: fetched.inspection, body: fetched.body };
      } catch (err) {
        metrics?.upstreamFetch(repo, 'artifact', 'error');
        if (isAirlockError(err, 'DIGEST_MISMATCH') || isAirlockError(err, 'SIZE_MISMATCH')) {
          throw new AirlockError(
            'DIGEST_MISMATCH',
            `${name}@${version}: the upstream served a tarball whose bytes do not match the published ${expected.algorithms} digest; refused, nothing was stored`,
            { cause: err, details: { name, version } },
          );
        }
        throw err;
      }
    });
  }

  /**
   * Stream the upstream tarball into a staged blob while it is inspected (gzip → tar) and, when
   * small, kept in memory — one pass over the bytes. Commit verifies every expected digest;
   * on any failure the staged bytes are discarded and the inspection thrown away.
   */
  async #fetch(url: URL, expected: Expected): Promise<{ committed: CommittedBlob; inspection: TarballInspection; body: Buffer | null }> {
    const max = this.#settings.maxArtifactBytes;
    const upload = await this.#deps.blobs.begin({ maxBytes: max });
    const inspector = new PassThrough({ highWaterMark: 1024 * 1024 });
    const inspecting = inspectTarball(inspector);
    let kept: Buffer[] | null = [];
    let keptBytes = 0;
    try {
      const res = await this.#deps.upstream.openStream(url, { maxBytes: max, accept: 'application/octet-stream' });
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          await upload.write(chunk);
          if (!inspector.destroyed && !inspector.write(chunk)) await drained(inspector);
          if (kept !== null) {
            keptBytes += chunk.length;
            if (keptBytes > this.#settings.hotArtifactMaxBytes) kept = null;
            else kept.push(chunk);
          }
        }
      } finally {
        res.body.destroy();
      }
      inspector.end();
      const committed = await upload.commit(expected.expect);
      return { committed, inspection: await inspecting, body: kept === null ? null : Buffer.concat(kept, keptBytes) };
    } catch (err) {
      inspector.destroy();
      await inspecting;
      throw err;
    } finally {
      await upload.abort();
    }
  }

  async #inspect(rec: ArtifactRecord): Promise<TarballInspection> {
    const have = this.#inspections.get(rec.blob);
    if (have !== undefined) return have;
    const stream = await this.#deps.blobs.open(rec.blob);
    if (stream === null) throw new AirlockError('STORAGE_ERROR', `the stored tarball ${rec.blob} is missing`);
    const result = await inspectTarball(stream);
    this.#inspections.set(rec.blob, result);
    return result;
  }

  async #readFiles(rec: ArtifactRecord, paths: readonly string[], maxBytesEach: number): Promise<ReadonlyMap<string, Buffer>> {
    const stream = await this.#deps.blobs.open(rec.blob);
    if (stream === null) throw new AirlockError('STORAGE_ERROR', `the stored tarball ${rec.blob} is missing`);
    return readTarballFiles(stream, paths, maxBytesEach);
  }

  async #readSmall(rec: ArtifactRecord): Promise<Buffer> {
    const stream = await this.#deps.blobs.open(rec.blob);
    if (stream === null) throw new AirlockError('STORAGE_ERROR', `the stored tarball ${rec.blob} is missing`);
    return readCapped(stream, rec.size, () => new AirlockError('STORAGE_ERROR', `the stored tarball ${rec.blob} is larger than recorded`));
  }
}
