/**
 * Packuments as clients see them. Per package: the upstream document's index (cached in
 * memory, revalidated upstream after the max age), the view for the current gate generation,
 * and rendered bodies (full/abbreviated × base URL, gzip'd once). A hot packument costs a map
 * lookup; a change of upstream content or gate generation rebuilds lazily.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { AirlockError, cacheFill, Lru, HeldBuffers, type CacheFills, isAirlockError, releaseBytes, wasReleased, type NpmPackageName, type Sha256Digest } from '../../core/index.ts';
import type { Gate } from '../../gate/index.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import type { DocumentSource, SourceDocument, SourceLogger } from '../shared/document-source.ts';
import { StoredCopyGone } from '../shared/stored-copy.ts';
import type { NpmMetrics, NpmSettings } from './options.ts';
import { indexPackumentWithManifests, PackumentFormatError, type PackumentIndex } from './packument-index.ts';
import { policyRestrictions, renderAbbreviated, renderFull, renderVersion, type ViewShape } from './packument-render.ts';
import { undecided, withheldMessage } from './refusal.ts';
import { buildView, candidatesBytes, packageCandidates, viewBytes, type PackageCandidates, type PackageView, type Rendering } from './package-view.ts';
import { publishingTimeline, type PublishingTimeline } from './publishing-timeline.ts';
import { Semaphore } from '../../core/index.ts';
import { SingleFlight } from '../shared/single-flight.ts';
import { exactBuffer } from './exact-buffer.ts';
import { escapedName, tarballPath } from './urls.ts';

const gzipAsync = promisify(gzip);

/**
 * zlib level of rendered packuments, compressed once per rendering and then served from memory.
 * Level 1, as nginx compresses by default: about half the CPU of zlib's default level for output
 * about a tenth larger (`npm run bench:npm:packuments` prints both over the workload's documents).
 */
export const RENDER_GZIP_LEVEL = 1;

export type Variant = 'full' | 'abbreviated';

export const CONTENT_TYPES: Readonly<Record<Variant, string>> = {
  full: 'application/json',
  abbreviated: 'application/vnd.npm.install-v1+json',
};

/**
 * Packuments indexed, judged or rendered at once. The work is CPU-bound and runs on this one
 * thread anyway; a narrow section (I/O and compression happen outside it) keeps the transient
 * memory of big documents from piling up.
 *
 * Indexing and rendering on a worker thread instead (over the documents' bytes in shared memory)
 * was measured and lost: a cold install already keeps the two cores mostly busy (npm, this
 * thread, V8's and libuv's helpers), and the worker added CPU (sending every version's facts
 * back costs about what computing them here does, and the thread spent nearly twice the main
 * thread's time on the same work). In three interleaved cold installs the gateway spent
 * 1.2-1.8 s more CPU and npm ci took 0.7-1.6 s longer.
 *
 * One at a time was measured too and not kept: the peak of a replayed cold install was 236.9
 * MiB against 250.6 in one `bench:npm:replay` of 5 runs and 252.0 against 248.4 in the next,
 * and its CPU within the runs' spread. A section one wide also waits out every store round trip
 * its work makes (first sightings, exceptions), which PostgreSQL makes real round trips.
 */
const HEAVY_WORK_WIDTH = 2;
/** Distinct base URLs (Host headers) rendered per package before the renderings are reset. */
const MAX_BASES = 8;

export interface PackageState {
  readonly name: NpmPackageName;
  readonly doc: SourceDocument;
  readonly index: PackumentIndex;
  /** When the upstream last confirmed the content (epoch ms). */
  confirmedAt: number;
  view: PackageView | null;
  /**
   * Every version's facts as the load computed them, until their first use moves them into the
   * candidate cache: concurrent loads of other packages cannot evict them before the request
   * that caused the load has judged its version (it would parse the document again).
   */
  loaded: PackageCandidates | null;
  /** Every usable version's publishing facts: an artifact decision's history. */
  readonly timeline: PublishingTimeline;
}

/**
 * Estimated bytes of an index: measured at ~260 bytes per version over the benchmark workload
 * (`bench/npm/cache-footprint.ts`: the version keys, the `time` map and the packed spans).
 */
export function indexBytes(i: PackumentIndex): number {
  return 1024 + i.versions.size * 270;
}

function stateBytes(s: PackageState): number {
  // Rough: spans, time entries and the publishing timeline per version, plus the view's renderings.
  return indexBytes(s.index) + s.timeline.bytes + (s.view === null ? 0 : viewBytes(s.view)) + (s.loaded === null ? 0 : candidatesBytes(s.loaded));
}

export interface MetadataDeps {
  readonly gate: Gate;
  readonly source: DocumentSource;
  readonly clock: () => Date;
  readonly metrics?: NpmMetrics | undefined;
  readonly log?: SourceLogger | undefined;
}

export class MetadataService {
  readonly #deps: MetadataDeps;
  readonly #settings: NpmSettings;
  readonly #states: Lru<string, PackageState>;
  /** Bytes of recently used upstream documents, by blob digest. */
  readonly #docs: Lru<string, Buffer>;
  /**
   * The document buffers this service reads, with their holders: a load, render or candidates
   * build using one, the document cache, the background write of a fresh document. The last
   * holder to let go frees it at once. A cold install passes every package's whole document
   * through memory (99.8 MB on the benchmark's workload, as `bench:npm:packuments` prints), and
   * left to V8 they piled up between full collections.
   */
  readonly #held = new HeldBuffers();
  /**
   * Every version's metadata facts for recently used documents, by blob digest: needed for a
   * view (once per generation) and by the pre-flight check's listing; an artifact decision's
   * history comes from the state's timeline instead. Kept apart from the states, and small: for
   * big packages they are the largest thing Airlock knows about a package, and rebuilding them
   * from the document costs milliseconds.
   */
  readonly #candidateSets: Lru<string, PackageCandidates>;
  readonly #loads = new SingleFlight<string, PackageState>();
  readonly #views = new SingleFlight<string, PackageView>();
  readonly #renders = new SingleFlight<string, Rendering>();
  readonly #candidateBuilds = new SingleFlight<string, PackageCandidates>();
  readonly #heavy = new Semaphore(HEAVY_WORK_WIDTH);

  constructor(deps: MetadataDeps, settings: NpmSettings) {
    this.#deps = deps;
    this.#settings = settings;
    this.#states = new Lru(settings.stateCacheBytes, stateBytes);
    this.#candidateSets = new Lru(settings.candidateCacheBytes, candidatesBytes);
    this.#docs = new Lru(
      settings.documentCacheBytes,
      (b) => b.length,
      (b) => this.#held.letGo(b),
    );
  }

  /** How full the caches are (read by the metrics when scraped). */
  caches(): CacheFills {
    return { states: cacheFill(this.#states), candidates: cacheFill(this.#candidateSets), documents: cacheFill(this.#docs) };
  }

  /** The hot path: the current rendering if nothing it depends on has changed, else null. */
  cachedRendering(name: string, key: string): Rendering | null {
    const st = this.#states.get(name);
    if (st === undefined || st.view === null) return null;
    if (this.#deps.clock().getTime() - st.confirmedAt >= this.#settings.metadataMaxAgeMs) return null;
    if (st.view.generation !== this.#deps.gate.generation()) return null;
    return st.view.renderings.get(key) ?? null;
  }

  /** Read the package's document again now (it was just changed: a publish to a hosted repository). */
  async refresh(name: NpmPackageName): Promise<void> {
    await this.state(name, { revalidate: true });
  }

  /** The package's current upstream document, revalidated when older than the max age. */
  async state(name: NpmPackageName, options: { readonly revalidate?: boolean } = {}): Promise<PackageState> {
    const st = this.#states.get(name);
    const now = this.#deps.clock().getTime();
    if (st !== undefined && options.revalidate !== true && now - st.confirmedAt < this.#settings.metadataMaxAgeMs) return st;
    return this.#loads.run(`${name}\0${options.revalidate === true ? 'r' : ''}`, () => this.#load(name, options.revalidate === true));
  }

  /**
   * The package as the gate lets clients see it. A name the upstream does not have is reported to
   * the hallucination tripwire, unless `asked` is false: the name came from upstream data (a
   * search result), not from the client.
   */
  async view(name: NpmPackageName, request: RequestContext, options: { readonly asked?: boolean } = {}): Promise<{ state: PackageState; view: PackageView }> {
    let st: PackageState;
    try {
      st = await this.state(name);
    } catch (err) {
      // The hallucination tripwire: a client asked for a name the upstream does not have.
      // A hosted repository's names are its own publishers' to make: one not published yet is nobody's hallucination.
      if (isAirlockError(err, 'UPSTREAM_NOT_FOUND') && options.asked !== false && !this.#settings.hosted) await this.#deps.gate.reportMissing('npm', name, request);
      throw err;
    }
    const generation = this.#deps.gate.generation();
    if (st.view !== null && st.view.generation === generation) return { state: st, view: st.view };
    const view = await this.#views.run(`${name}\0${st.doc.blob}\0${generation}`, async () => {
      const candidates = await this.candidates(st);
      const view = await this.#heavy.run(() =>
        buildView({ index: st.index, candidates, gate: this.#deps.gate, hideBlocked: this.#settings.blockedVersions === 'hide', request }),
      );
      // Airlock itself failed (its store, a fact collector): the client is told so, and asks again.
      if (view.failure?.kind === 'gate') throw undecided(name, view.failure.cause);
      // A view with fail-closed verdicts is served once and judged again next time.
      if (view.failure !== null) return view;
      st.view = view;
      this.#states.resize(name);
      return view;
    });
    return { state: st, view };
  }

  async rendering(name: NpmPackageName, variant: Variant, base: string, request: RequestContext): Promise<Rendering> {
    const { state, view } = await this.view(name, request);
    const key = renderKey(variant, base);
    const have = view.renderings.get(key);
    if (have !== undefined) return have;
    return this.#renders.run(`${name}\0${state.doc.blob}\0${view.generation}\0${key}`, async () => {
      const body = await this.#withDocument(state, (doc) =>
        this.#heavy.run(async () => {
          const shape = this.#shape(state, view, base);
          return variant === 'full' ? renderFull(doc, state.index, shape) : renderAbbreviated(doc, state.index, shape);
        }),
      );
      // Compression runs on the thread pool, outside the heavy section. Only the compressed form
      // is kept: the body's memory is given back as soon as it is compressed.
      let compressed: Buffer;
      const size = body.length;
      try {
        compressed = exactBuffer(await gzipAsync(body, { level: RENDER_GZIP_LEVEL, chunkSize: Math.min(256 * 1024, Math.max(16 * 1024, body.length >> 3)) }));
      } finally {
        releaseBytes(body);
      }
      const r: Rendering = {
        // The view's digest, the document and the base URL determine every byte of the body.
        etag: `W/"${createHash('sha256').update(`${state.doc.blob}\0${key}\0${view.digest}`).digest('base64url').slice(0, 32)}"`,
        contentType: CONTENT_TYPES[variant],
        gzip: compressed,
        size,
      };
      if (view.renderings.size >= MAX_BASES * 2) view.renderings.clear();
      view.renderings.set(key, r);
      this.#states.resize(name);
      return r;
    });
  }

  /** One version document, or null when the version is unknown or hidden. */
  async versionDocument(name: NpmPackageName, version: string, base: string, request: RequestContext): Promise<Buffer | null> {
    const { state, view } = await this.view(name, request);
    const span = state.index.versions.get(version);
    if (span === undefined || view.hidden.has(version)) return null;
    return this.#withDocument(state, (doc) => renderVersion(doc, span, this.#shape(state, view, base)));
  }

  /** Every listed version's metadata facts (computed once per upstream document). */
  async candidates(st: PackageState): Promise<PackageCandidates> {
    const loaded = st.loaded;
    if (loaded !== null) {
      st.loaded = null;
      this.#candidateSets.set(st.doc.blob, loaded);
      this.#states.resize(st.name);
      return loaded;
    }
    const have = this.#candidateSets.get(st.doc.blob);
    if (have !== undefined) return have;
    return this.#candidateBuilds.run(st.doc.blob, async () => {
      const candidates = await this.#withDocument(st, (doc) =>
        this.#heavy.run(async () => packageCandidates(this.#settings.repo, st.name, st.index, { doc }, st.doc.blob)),
      );
      this.#candidateSets.set(st.doc.blob, candidates);
      return candidates;
    });
  }

  /**
   * The upstream document the package's current state was read from, if the state is in memory
   * (no load, no revalidation): what a remembered tarball outcome must have been decided against.
   */
  currentDocument(name: string): Sha256Digest | null {
    return this.#states.peek(name)?.doc.blob ?? null;
  }

  /** The document's bytes if they are in memory, for reading at once (before any await). */
  cachedDocument(st: PackageState): Buffer | null {
    return this.#docs.get(st.doc.blob) ?? null;
  }

  /** Bytes [start, end) of the package's upstream document. */
  async documentRange(st: PackageState, start: number, end: number): Promise<Buffer> {
    try {
      return await this.#deps.source.range(st.doc, start, end);
    } catch (err) {
      this.#forgetGone(st, err);
      throw err;
    }
  }

  /** A state whose stored document went missing or corrupt is loaded afresh next time. */
  #forgetGone(st: PackageState, err: unknown): void {
    if (err instanceof StoredCopyGone && this.#states.peek(st.name) === st) this.#states.delete(st.name);
  }

  /** `use` the package's upstream document (from memory when recently used), held until it is done. */
  async #withDocument<T>(st: PackageState, use: (doc: Buffer) => T | Promise<T>): Promise<T> {
    let doc = this.#docs.get(st.doc.blob);
    if (doc === undefined) {
      try {
        doc = await this.#sourceBytes(st.doc);
      } catch (err) {
        this.#forgetGone(st, err);
        throw err;
      }
      this.#keep(st.doc.blob, doc);
    } else {
      this.#hold(doc, st.doc.blob);
    }
    try {
      return await use(doc);
    } finally {
      this.#held.letGo(doc);
    }
  }

  /**
   * The document's bytes from the source, held once for the caller. The fresh body of a
   * document still being written may have been freed while this waited (its write landed and
   * nobody held it): then the stored copy is read instead.
   */
  async #sourceBytes(doc: SourceDocument): Promise<Buffer> {
    let bytes = exactBuffer(doc.body ?? (await this.#deps.source.bytes(doc)));
    if (wasReleased(bytes)) bytes = exactBuffer(await this.#deps.source.bytes({ ...doc, body: null }));
    if (wasReleased(bytes)) throw new AirlockError('INTERNAL', `the document ${doc.key} was freed while it was read`);
    this.#hold(bytes, doc.blob);
    return bytes;
  }

  /** Put a held document buffer in the cache too (the cache holds it while it keeps it). */
  #keep(blob: string, doc: Buffer): void {
    this.#hold(doc, blob);
    if (!this.#docs.set(blob, doc)) this.#held.letGo(doc);
  }

  #hold(doc: Buffer, blob: string): void {
    if (!this.#held.hold(doc)) return;
    // First seen: a fresh body's background write holds it too, until it lands.
    const writing = this.#deps.source.writing(blob, doc);
    if (writing === null) return;
    this.#held.hold(doc);
    void writing.then(() => this.#held.letGo(doc));
  }

  #shape(state: PackageState, view: PackageView, base: string): ViewShape {
    const name = state.name;
    const restrictions =
      view.withheld.size === 0 ? null : policyRestrictions(name, view.withheld.keys(), withheldMessage(name, view.withheld, (v) => base + tarballPath(name, v)));
    return { base, name, hidden: view.hidden, distTags: view.distTags, tagsChanged: view.tagsChanged, modified: view.modified, restrictions };
  }

  async #load(name: NpmPackageName, revalidate: boolean, retried = false): Promise<PackageState> {
    const doc = await this.#deps.source.get(`packument:${name}`, { path: escapedName(name), accept: 'application/json', revalidate }).catch((err: unknown) => {
      this.#states.delete(name);
      throw err;
    });
    const prev = this.#states.peek(name);
    if (prev !== undefined && prev.doc.blob === doc.blob) {
      prev.confirmedAt = doc.confirmedAt;
      return prev;
    }
    let bytes: Buffer;
    try {
      bytes = await this.#sourceBytes(doc);
    } catch (err) {
      // The stored copy was missing or corrupt (removed now): the next load fetches it afresh.
      if (!(err instanceof StoredCopyGone) || retried) throw err;
      return this.#load(name, revalidate, true);
    }
    try {
      return await this.#indexed(name, doc, bytes);
    } finally {
      this.#held.letGo(bytes);
    }
  }

  async #indexed(name: NpmPackageName, doc: SourceDocument, bytes: Buffer): Promise<PackageState> {
    let index: PackumentIndex;
    let loaded: PackageCandidates | null;
    try {
      // One pass: the index, and every version's manifest for the candidates (needed next, by
      // the view) and the publishing timeline (an artifact decision's history).
      ({ index, loaded } = await this.#heavy.run(async () => {
        const indexed = indexPackumentWithManifests(bytes);
        const ok = indexed.index.name === name;
        return { index: indexed.index, loaded: ok ? packageCandidates(this.#settings.repo, name, indexed.index, { manifests: indexed.manifests }, doc.blob) : null };
      }));
    } catch (err) {
      if (err instanceof PackumentFormatError) {
        throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.#settings.repo} sent an unusable packument for ${name}: ${err.message}`, { cause: err });
      }
      throw err;
    }
    if (index.name !== name || loaded === null) {
      throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.#settings.repo} answered the request for ${name} with the packument of ${JSON.stringify(index.name.slice(0, 214))}`);
    }
    this.#keep(doc.blob, bytes);
    const timeline = publishingTimeline(loaded);
    const st: PackageState = { name, doc: { ...doc, body: null }, index, confirmedAt: doc.confirmedAt, view: null, loaded, timeline };
    this.#states.set(name, st);
    return st;
  }
}

export function renderKey(variant: Variant, base: string): string {
  // The same base as last time (`repositoryUrl` hands back the same string for the same Host):
  // the same key strings, whose hash the renderings' map has already computed.
  if (base !== keys.base) keys = { base, full: `f\0${base}`, abbreviated: `a\0${base}` };
  return variant === 'full' ? keys.full : keys.abbreviated;
}

let keys: { readonly base: string | null; readonly full: string; readonly abbreviated: string } = { base: null, full: '', abbreviated: '' };
