/**
 * What the Hub says a repo is at a revision: the commit a branch or tag points at (revalidated
 * after `metadataMaxAge`; a commit's info is kept for good), and the commit's files with the
 * hashes Airlock verifies their bytes against (read once per commit from the paginated tree, all
 * pages, and kept in memory: a commit never changes).
 */
import { AirlockError, cacheFill, Lru, isAirlockError, type CacheFills } from '../../core/index.ts';
import type { VersionCandidate } from '../../gate/index.ts';
import type { BlobStore, DocumentCache } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import type { DocumentSource, SourceLogger } from '../shared/document-source.ts';
import { SingleFlight } from '../shared/single-flight.ts';
import { readStoredCopy } from '../shared/stored-copy.ts';
import { commitCandidate } from './facts.ts';
import { COMMIT_RE, type RepoRef } from './hub-ids.ts';
import { nextLink, parseRepoInfo, parseTreePage, type HubRepoInfo, type HubTreeEntry } from './hub-json.ts';

export interface Revision {
  /** The repo, by the upstream's spelling of its id. */
  readonly repo: RepoRef;
  readonly commit: string;
  readonly info: HubRepoInfo;
  /** The info as the upstream wrote it (what a client asking for it gets). */
  readonly document: Readonly<Record<string, unknown>>;
  readonly candidate: VersionCandidate;
}

export interface CommitTree {
  /** Every file and folder of the commit, by path order. */
  readonly entries: readonly HubTreeEntry[];
  readonly byPath: ReadonlyMap<string, HubTreeEntry>;
}

export interface CatalogDeps {
  readonly gateRepo: string;
  readonly upstream: Upstream;
  /** Infos at a branch or tag: revalidated after the repository's metadata max age. */
  readonly refs: DocumentSource;
  /** Infos at a commit: kept for good. */
  readonly commits: DocumentSource;
  /** Where a commit's tree is kept once read (in the upstream's own format, checked again when read back). */
  readonly documents: DocumentCache;
  readonly blobs: BlobStore;
  readonly clock: () => Date;
  readonly log?: SourceLogger | undefined;
}

export interface CatalogLimits {
  /** Files and folders of one commit, at most. */
  readonly maxEntries: number;
  /** Bytes of one commit's tree pages together, at most. */
  readonly maxTreeBytes: number;
  /** Memory for trees kept (estimated bytes). */
  readonly cacheBytes: number;
}

/** The Hub's error codes a client acts on (protocols: X-Error-Code). */
export type HubErrorCode = 'RepoNotFound' | 'RevisionNotFound' | 'EntryNotFound' | 'GatedRepo';

/** A 404 with the Hub's code for it. */
export function hubNotFound(code: HubErrorCode, message: string, commit: string | null = null): AirlockError {
  return new AirlockError('UPSTREAM_NOT_FOUND', message, { details: { hubErrorCode: code, ...(commit === null ? {} : { commit }) } });
}

const MAX_TREE_PAGES = 10_000;

export class HubCatalog {
  readonly #deps: CatalogDeps;
  readonly #limits: CatalogLimits;
  readonly #trees: Lru<string, CommitTree>;
  readonly #loading = new SingleFlight<string, CommitTree>();
  /**
   * Commits resolved lately, by repo and commit: a client that resolved a branch asks for the
   * commit's tree and files next, and the commit's info is the one just read (it never changes).
   */
  readonly #resolved: Lru<string, Revision>;
  /**
   * Branches and tags as last resolved, with when the upstream last confirmed them: used without
   * another look at the stores while fresh (a client asking for `resolve/main/…` file after file).
   */
  readonly #branches: Lru<string, { readonly revision: Revision; readonly blob: string; readonly confirmedAt: number }>;

  constructor(deps: CatalogDeps, limits: CatalogLimits) {
    this.#deps = deps;
    this.#limits = limits;
    this.#trees = new Lru(limits.cacheBytes, (t) => 1024 + t.entries.length * 300);
    this.#resolved = new Lru(Math.max(256 * 1024, Math.floor(limits.cacheBytes / 8)), (r) => 2048 + r.info.siblings.length * 64);
    this.#branches = new Lru(Math.max(256 * 1024, Math.floor(limits.cacheBytes / 8)), (b) => 2048 + b.revision.info.siblings.length * 64);
  }

  /** How full the caches are (read by the metrics when scraped). */
  caches(): CacheFills {
    return { trees: cacheFill(this.#trees), commits: cacheFill(this.#resolved), branches: cacheFill(this.#branches) };
  }

  /** The commit a revision names, with the repo's info there and the gate's candidate for it. */
  async revision(repo: RepoRef, revision: string | null): Promise<Revision> {
    const plural = `${repo.type}s`;
    const isCommit = revision !== null && COMMIT_RE.test(revision);
    if (isCommit) {
      const known = this.#resolved.get(`${repo.type}/${repo.id.toLowerCase()}@${revision}`);
      if (known !== undefined) return known;
    }
    const source = isCommit ? this.#deps.commits : this.#deps.refs;
    const what = `info of ${repo.id} at ${revision ?? 'its default branch'}`;
    // No revision: the default branch, as the Hub answers the repo's own info.
    const [key, path] = revision === null ? [`info/${plural}/${repo.id}`, `api/${plural}/${repo.id}`] : [`info/${plural}/${repo.id}@${revision}`, `api/${plural}/${repo.id}/revision/${encodeURIComponent(revision)}`];
    const branch = isCommit ? undefined : this.#branches.get(key);
    if (branch !== undefined && this.#deps.clock().getTime() - branch.confirmedAt < source.freshness.maxAgeMs) return branch.revision;
    let doc;
    try {
      doc = await source.get(key, { path, accept: 'application/json' });
    } catch (err) {
      if (isAirlockError(err, 'UPSTREAM_NOT_FOUND')) throw await this.#whichIsMissing(repo, revision);
      throw err;
    }
    if (branch !== undefined && branch.blob === doc.blob) {
      this.#branches.set(key, { ...branch, confirmedAt: doc.confirmedAt });
      return branch.revision;
    }
    const body = await source.bytes(doc);
    const { info, document } = parseRepoInfo(body, what);
    if (info.id.toLowerCase() !== repo.id.toLowerCase()) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream answered for ${repo.id} with the info of another repo (${info.id.slice(0, 100)})`);
    if (isCommit && info.sha !== revision) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream answered for ${repo.id} at ${revision} with another commit (${info.sha})`);
    const canonical = { type: repo.type, id: info.id };
    const resolved = { repo: canonical, commit: info.sha, info, document, candidate: commitCandidate(this.#deps.gateRepo, canonical, info, doc.blob) };
    const resolvedKey = `${repo.type}/${repo.id.toLowerCase()}@${info.sha}`;
    // A branch's info is its commit's: kept under the commit too, so that the commit is served
    // while the upstream is down, after a restart as well.
    if (!isCommit && this.#resolved.peek(resolvedKey) === undefined) this.#deps.commits.keep(`info/${plural}/${repo.id}@${info.sha}`, body, doc.contentType);
    this.#resolved.set(resolvedKey, resolved);
    if (!isCommit) this.#branches.set(key, { revision: resolved, blob: doc.blob, confirmedAt: doc.confirmedAt });
    return resolved;
  }

  /** The files of a commit, read from the upstream's tree (all pages) the first time. */
  tree(repo: RepoRef, commit: string): Promise<CommitTree> {
    const key = `${repo.type}/${repo.id}@${commit}`;
    const known = this.#trees.get(key);
    if (known !== undefined) return Promise.resolve(known);
    return this.#loading.run(key, async () => {
      const tree = (await this.#storedTree(key)) ?? (await this.#readTree(repo, commit, key));
      this.#trees.set(key, tree);
      return tree;
    });
  }

  /** A revision's info is missing: is it the repo, or only the revision? */
  async #whichIsMissing(repo: RepoRef, revision: string | null): Promise<AirlockError> {
    const plural = `${repo.type}s`;
    const missingRepo = hubNotFound('RepoNotFound', `${repo.type === 'dataset' ? 'dataset' : 'model'} ${repo.id} does not exist upstream (or is private)`);
    if (revision === null || revision === 'main') return missingRepo;
    try {
      await this.#deps.refs.get(`info/${plural}/${repo.id}`, { path: `api/${plural}/${repo.id}`, accept: 'application/json' });
    } catch (err) {
      if (isAirlockError(err, 'UPSTREAM_NOT_FOUND')) return missingRepo;
      throw err;
    }
    return hubNotFound('RevisionNotFound', `${repo.id} has no revision ${revision} upstream`);
  }

  /** A tree kept earlier: a commit's files never change, so it is used without asking the upstream (which may be down). */
  async #storedTree(key: string): Promise<CommitTree | null> {
    const { documents, blobs, gateRepo, log } = this.#deps;
    const doc = await documents.getDocument(gateRepo, `tree/${key}`);
    if (doc === null) return null;
    try {
      const bytes = await readStoredCopy(blobs, doc.blob, doc.size, `the kept tree of ${key}`, log);
      return treeOf(parseTreePage(bytes, `kept tree of ${key}`));
    } catch (err) {
      log?.warn({ key, err: err instanceof Error ? err.message : String(err) }, 'a kept tree could not be read; reading it from the upstream again');
      return null;
    }
  }

  /** Keeps a tree read from the upstream; failing to is logged (the tree is read again next time). */
  async #keepTree(key: string, entries: readonly HubTreeEntry[]): Promise<void> {
    const { documents, blobs, gateRepo, clock, log } = this.#deps;
    const body = Buffer.from(JSON.stringify(entries.map(wireEntry)));
    try {
      const upload = await blobs.begin({ maxBytes: body.length, digests: 'address' });
      try {
        await upload.write(body);
        const committed = await upload.commit({ size: body.length });
        await documents.putDocument({ repo: gateRepo, key: `tree/${key}`, blob: committed.digest, size: body.length, contentType: 'application/json', etag: null, lastModified: null, fetchedAt: clock() });
      } finally {
        await upload.abort();
      }
    } catch (err) {
      log?.warn({ key, err: err instanceof Error ? err.message : String(err) }, 'could not keep a commit tree');
    }
  }

  async #readTree(repo: RepoRef, commit: string, key: string): Promise<CommitTree> {
    const { upstream } = this.#deps;
    const what = `tree of ${repo.id} at ${commit}`;
    const entries: HubTreeEntry[] = [];
    const byPath = new Map<string, HubTreeEntry>();
    let target: string | URL = `api/${repo.type}s/${repo.id}/tree/${commit}?recursive=true&expand=false`;
    let budget = this.#limits.maxTreeBytes;
    for (let page = 0; ; page++) {
      if (page >= MAX_TREE_PAGES) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream's ${what} has more than ${MAX_TREE_PAGES} pages`);
      if (budget <= 0) throw new AirlockError('LIMIT_EXCEEDED', `the upstream's ${what} is more than ${this.#limits.maxTreeBytes} bytes (maxMetadataSize); Airlock serves no repo that big`);
      const res = await upstream.fetchDocument(target, { accept: 'application/json', maxBytes: budget });
      if (res.kind !== 'fresh') throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream answered 304 to an unconditional request for the ${what}`);
      budget -= res.body.length;
      for (const e of parseTreePage(res.body, what)) {
        if (byPath.has(e.path)) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream's ${what} lists ${e.path} twice`);
        if (entries.length >= this.#limits.maxEntries) throw new AirlockError('LIMIT_EXCEEDED', `${repo.id} at ${commit} has more than ${this.#limits.maxEntries} files and folders; Airlock serves no repo that big`);
        entries.push(e);
        byPath.set(e.path, e);
      }
      const next = nextLink(res.link, upstream.resolve(''), what);
      if (next === null) break;
      // The next page must be on the upstream's origin: the client refuses any other.
      target = upstream.resolve(next);
    }
    // A file inside a "file" would be a tree no client could write.
    for (const e of entries) {
      const slash = e.path.lastIndexOf('/');
      if (slash !== -1 && byPath.get(e.path.slice(0, slash))?.type === 'file') throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream's ${what} lists ${e.path} inside a file`);
    }
    const tree = treeOf(entries);
    await this.#keepTree(key, tree.entries);
    return tree;
  }
}

/** A tree entry as the Hub writes it (without Xet's hash: Airlock serves every file's bytes itself). */
export function wireEntry(e: HubTreeEntry): Record<string, unknown> {
  return { type: e.type, oid: e.oid, size: e.size, path: e.path, ...(e.lfs === null ? {} : { lfs: { oid: e.lfs.sha256, size: e.lfs.size, pointerSize: e.lfs.pointerSize } }) };
}

function treeOf(list: readonly HubTreeEntry[]): CommitTree {
  const entries = [...list].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, byPath: new Map(entries.map((e) => [e.path, e])) };
}
