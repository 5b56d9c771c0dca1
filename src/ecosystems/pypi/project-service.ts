/**
 * Project pages as clients see them. Per project: the upstream page (cached with revalidation by
 * the document source), parsed into the files Airlock can serve, every version judged in one
 * metadata-phase call, and the rendered pages (JSON and HTML, per base URL). A page asked for
 * again costs a map lookup while neither the upstream page nor the gate generation changed.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { AirlockError, cacheFill, Lru, comparePep440, type CacheFills, isAirlockError, makePurl, parsePep440, type Pep440, type PypiProjectName, type Sha256Digest } from '../../core/index.ts';
import type { Gate, GateDecision, VersionCandidate } from '../../gate/index.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import type { DocumentSource, SourceLogger } from '../shared/document-source.ts';
import { reasonsText, undecided } from '../shared/refusal.ts';
import { SingleFlight } from '../shared/single-flight.ts';
import { StoredCopyGone } from '../shared/stored-copy.ts';
import { earliestUpload, versionFacts } from './facts.ts';
import { parseDistFilename, type DistKind } from './filenames.ts';
import type { PypiSettings } from './options.ts';
import { PageFormatError, parseProjectPage, type DistFile } from './simple-page.ts';
import { renderProjectHtml, renderProjectJson, SIMPLE_HTML, SIMPLE_JSON, type RenderedFile } from './simple-render.ts';

/** What Airlock asks the index for: JSON first (it alone has upload times and sizes), HTML for indexes without it. */
export const INDEX_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

/** A file of the project page Airlock can serve: its version known, its sha256 given. */
export interface ListedFile {
  readonly file: DistFile;
  readonly kind: DistKind;
  readonly version: string;
  readonly sha256: string;
}

export interface ProjectState {
  readonly name: PypiProjectName;
  /** The upstream page the state was read from (its blob). */
  readonly doc: Sha256Digest;
  /** Files by name. */
  readonly files: ReadonlyMap<string, ListedFile>;
  /** Versions in PEP 440 order, oldest first, with their files. */
  readonly versions: ReadonlyMap<string, readonly ListedFile[]>;
  /** Files Airlock does not serve: a format it cannot tell the version of (eggs, installers), or no sha256 to verify against. */
  readonly unserved: readonly string[];
  readonly candidates: ReadonlyMap<string, VersionCandidate>;
}

export interface ProjectView {
  readonly state: ProjectState;
  readonly generation: string;
  readonly decisions: ReadonlyMap<string, GateDecision>;
}

export interface Rendering {
  readonly body: Buffer;
  /** The body gzip'd once, for clients that accept it (pip does: a big project's page is a tenth the bytes). */
  readonly gzip: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

export interface ProjectServiceDeps {
  readonly gate: Gate;
  readonly source: DocumentSource;
  readonly index: Upstream;
  readonly log?: SourceLogger | undefined;
}

interface Entry {
  state: ProjectState;
  view: ProjectView | null;
  renderings: Map<string, Rendering>;
}

const MAX_UNSERVED_LISTED = 32;
const MAX_BASES = 8;
/** zlib level of rendered pages, compressed once per rendering (level 1, as npm's packuments: about half the CPU of the default for a tenth more bytes). */
const RENDER_GZIP_LEVEL = 1;

/** PEP 440 order of two versions known to parse. */
export function pep440Order(a: string, b: string): number {
  const x = parsePep440(a) as Pep440;
  const y = parsePep440(b) as Pep440;
  return comparePep440(x, y);
}

/** The document key of a project's upstream page. */
function pageKey(name: string): string {
  return `simple/${name}/`;
}

export class ProjectService {
  readonly #deps: ProjectServiceDeps;
  readonly #settings: PypiSettings;
  readonly #entries: Lru<string, Entry>;
  readonly #views = new SingleFlight<string, ProjectView>();

  constructor(deps: ProjectServiceDeps, settings: PypiSettings) {
    this.#deps = deps;
    this.#settings = settings;
    this.#entries = new Lru(settings.cache.pages, entryBytes);
  }

  /** How full the caches are (read by the metrics when scraped). */
  caches(): CacheFills {
    return { pages: cacheFill(this.#entries) };
  }

  /**
   * The project's page, read again upstream when past its max age (or at once with
   * `revalidate`), and its versions judged. An upstream 404 is the hallucination tripwire's.
   */
  async view(name: PypiProjectName, request: RequestContext, options: { readonly revalidate?: boolean } = {}): Promise<ProjectView> {
    let state: ProjectState;
    try {
      state = await this.#state(name, options.revalidate === true);
    } catch (err) {
      if (err instanceof StoredCopyGone) state = await this.#state(name, true);
      else {
        if (isAirlockError(err, 'UPSTREAM_NOT_FOUND') && !this.#settings.hosted) await this.#deps.gate.reportMissing('pypi', name, request);
        throw err;
      }
    }
    const generation = this.#deps.gate.generation();
    const entry = this.#entries.peek(name);
    if (entry !== undefined && entry.state === state && entry.view?.generation === generation) return entry.view;
    return this.#views.run(`${name}\0${state.doc}\0${generation}`, async () => {
      const decisions = await this.#deps.gate.judgeVersions([...state.candidates.values()], request);
      for (const d of decisions.values()) {
        // Airlock itself failed (its store, a fact collector): the client is told so, and asks again.
        if (d.failure?.kind === 'gate') throw undecided(name, d.failure.cause);
      }
      const view: ProjectView = { state, generation, decisions };
      const current = this.#entries.peek(name);
      if (current !== undefined && current.state === state && !hasPolicyFailure(decisions)) {
        current.view = view;
        current.renderings = new Map();
        this.#entries.resize(name);
      }
      return view;
    });
  }

  /**
   * Whether the index has the project (its page, from the cache while fresh). False only when
   * the index answered that it has none; any other failure throws. Nothing is judged or reported.
   */
  async has(name: PypiProjectName): Promise<boolean> {
    try {
      await this.#state(name, false).catch((err: unknown) => {
        if (err instanceof StoredCopyGone) return this.#state(name, true);
        throw err;
      });
      return true;
    } catch (err) {
      if (isAirlockError(err, 'UPSTREAM_NOT_FOUND')) return false;
      throw err;
    }
  }

  /** The project's page read again at once (after an upload to a hosted repository). */
  async refresh(name: PypiProjectName): Promise<void> {
    await this.#state(name, true);
  }

  /** The page rendered for `base` (the URL files are linked under) in the negotiated format. */
  render(view: ProjectView, format: 'json' | 'html', base: string): Rendering {
    const entry = this.#entries.peek(view.state.name);
    const cacheable = entry !== undefined && entry.view === view;
    const key = `${format}\0${base}`;
    const have = cacheable ? entry.renderings.get(key) : undefined;
    if (have !== undefined) return have;
    const files: RenderedFile[] = [];
    const versions: string[] = [];
    for (const [version, listed] of view.state.versions) {
      const decision = view.decisions.get(version);
      const allowed = decision !== undefined && decision.verdict.kind === 'allow';
      if (!allowed && this.#settings.blockedVersions === 'hide') continue;
      versions.push(version);
      for (const l of listed) {
        const url = `${base}files/${view.state.name}/${l.sha256}/${encodeURIComponent(l.file.filename)}`;
        // Shown but withheld: listed as yanked with Airlock's reason, which pip prints for a pinned install.
        const yanked = allowed || decision === undefined ? l.file.yanked : withheldReason(decision);
        // A withheld version's metadata is not offered: pip then asks for the file itself, and
        // prints the reason phrase of its 403.
        const coreMetadata = allowed ? l.file.coreMetadata : false;
        files.push({ ...l.file, url, hashes: { sha256: l.sha256 }, yanked, coreMetadata, provenance: null });
      }
    }
    const input = { name: view.state.name, versions, files };
    const body = format === 'json' ? renderProjectJson(input) : renderProjectHtml(input);
    const etag = `"${createHash('sha256').update(view.state.doc).update('\0').update(view.generation).update('\0').update(key).digest('base64url').slice(0, 32)}"`;
    const rendering: Rendering = { body, gzip: gzipSync(body, { level: RENDER_GZIP_LEVEL }), contentType: format === 'json' ? SIMPLE_JSON : SIMPLE_HTML, etag };
    if (cacheable) {
      if (entry.renderings.size >= MAX_BASES * 2) entry.renderings.clear();
      entry.renderings.set(key, rendering);
      this.#entries.resize(view.state.name);
    }
    return rendering;
  }

  async #state(name: PypiProjectName, revalidate: boolean): Promise<ProjectState> {
    // The document source answers a fresh page from its record without asking the index. Skipping
    // that read too for a page held here served the hot page slower in paired runs (by hand), so
    // it is not done.
    const doc = await this.#deps.source.get(pageKey(name), { path: `${name}/`, accept: INDEX_ACCEPT, revalidate });
    const entry = this.#entries.get(name);
    if (entry !== undefined && entry.state.doc === doc.blob) return entry.state;
    const body = await this.#deps.source.bytes(doc);
    const pageUrl = this.#pageUrl(name);
    let page;
    try {
      page = parseProjectPage(body, doc.contentType, pageUrl, name);
    } catch (err) {
      if (err instanceof PageFormatError) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream index's page for ${name} is unusable: ${err.message}`, { cause: err });
      throw err;
    }
    const state = buildState(name, doc.blob, page.files, this.#settings.repo);
    if (state.unserved.length > 0) {
      this.#deps.log?.warn({ project: name, files: state.unserved.slice(0, MAX_UNSERVED_LISTED) }, 'files on the index page Airlock does not serve (no version it can tell, or no sha256)');
    }
    this.#entries.set(name, { state, view: null, renderings: new Map() });
    return state;
  }

  /** Where the page was read from (the document source asked the index for the same path), for its relative links. */
  #pageUrl(name: string): URL {
    return this.#deps.index.resolve(`${name}/`);
  }
}

/** A project's estimated memory: its files (name, URL, hashes, facts) and the pages rendered from them. */
function entryBytes(e: Entry): number {
  let n = 4096 + e.state.files.size * 1024;
  for (const r of e.renderings.values()) n += r.body.length + r.gzip.length + 256;
  return n;
}

function hasPolicyFailure(decisions: ReadonlyMap<string, GateDecision>): boolean {
  for (const d of decisions.values()) if (d.failure !== undefined) return true;
  return false;
}

/** The yank reason a withheld version is listed with when blocked versions are shown (`blockedVersions: show`). */
function withheldReason(decision: GateDecision): string {
  const why = decision.verdict.kind === 'allow' ? '' : reasonsText(decision.verdict.reasons);
  const what = decision.verdict.kind === 'block' ? 'blocked by Airlock policy' : 'quarantined by Airlock';
  const id = decision.quarantineId === null ? '' : ` (quarantine ${decision.quarantineId})`;
  return `${what}${id}: ${why}`;
}

function urlFilename(url: string): string | null {
  try {
    const path = new URL(url).pathname;
    return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  } catch {
    return null;
  }
}

/** The files Airlock can serve, grouped by version in PEP 440 order, with each version's candidate for the gate. */
export function buildState(name: PypiProjectName, doc: Sha256Digest, files: readonly DistFile[], repo: string): ProjectState {
  const byName = new Map<string, ListedFile>();
  const byVersion = new Map<string, ListedFile[]>();
  const unserved: string[] = [];
  for (const file of files) {
    const dist = parseDistFilename(file.filename, name);
    const sha256 = file.hashes['sha256'];
    // The URL must name the file the page lists it as: pip names a download by its URL.
    if (dist === null || sha256 === undefined || !/^[0-9a-f]{64}$/.test(sha256) || urlFilename(file.url) !== file.filename) {
      unserved.push(file.filename);
      continue;
    }
    const listed: ListedFile = { file, kind: dist.kind, version: dist.version, sha256 };
    byName.set(file.filename, listed);
    const list = byVersion.get(dist.version);
    if (list === undefined) byVersion.set(dist.version, [listed]);
    else list.push(listed);
  }
  const ordered = [...byVersion.keys()].sort(pep440Order);
  const versions = new Map(ordered.map((v) => [v, byVersion.get(v) as ListedFile[]]));
  const createdAt = earliestUpload([...byName.values()]);
  const candidates = new Map<string, VersionCandidate>();
  for (const [version, listed] of versions) {
    candidates.set(version, {
      subject: { repo, ecosystem: 'pypi', name, version, purl: makePurl('pypi', name, version) },
      facts: versionFacts(listed, createdAt),
      factsKey: doc,
    });
  }
  return { name, doc, files: byName, versions, unserved, candidates };
}
