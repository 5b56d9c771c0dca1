/**
 * The fixture Hub's state: repositories (models and datasets), their commits as real git trees
 * and commits (ids computed as git does, see git-objects.ts), branches and tags. No HTTP here.
 */
import { gitBlobOid, gitCommitOid, gitTreeOid, gitTreeOrder, HUB_GITATTRIBUTES, isLfsByDefault, lfsPointer, sha1Hex, sha256Hex, xetHashOf, type TreeEntry } from './git-objects.ts';

export type HfRepoType = 'model' | 'dataset';
export type HfGated = false | 'auto' | 'manual';

/**
 * A repository as tests name it: `'acme/tiny'` (a model, or the one dataset of that id when no
 * model has it), `'datasets/acme/corpus'`, or `{type, name}` as `@huggingface/hub` takes it.
 */
export type HfRepoRef = string | { readonly type: HfRepoType; readonly name: string };

export interface FixtureHubRepoSpec {
  /** Default `model`. */
  readonly type?: HfRepoType;
  /** `namespace/name`, or a legacy one-segment id like `gpt2`. */
  readonly id: string;
  /** Default 2024-01-01T00:00:00Z. */
  readonly createdAt?: Date;
  readonly gated?: HfGated;
  readonly private?: boolean;
  readonly disabled?: boolean;
  readonly downloads?: number;
  readonly likes?: number;
  readonly library_name?: string;
  readonly pipeline_tag?: string;
  readonly tags?: readonly string[];
  readonly cardData?: Readonly<Record<string, unknown>>;
  /** Default true: as on the Hub, `main` starts with an "initial commit" holding `.gitattributes`. */
  readonly initialCommit?: boolean;
}

export interface FixtureHubFile {
  readonly path: string;
  readonly bytes: Uint8Array | string;
  /** Default: by extension (.safetensors, .bin, .pt, …) or size ≥ 10 MB. */
  readonly lfs?: boolean;
  /** Xet-backed (listed with `xetHash`, resolved with Xet headers). Default: same as `lfs`. */
  readonly xet?: boolean;
}

export interface FixtureCommitOptions {
  /** Default: a minute after the repository's latest commit (or its `createdAt`). */
  readonly date?: Date;
  /** Default `main` (created when missing, from the default branch's head if there is one). */
  readonly branch?: string;
  /** The commit title. Default `Upload N files`. */
  readonly message?: string;
  /** Paths (files, or folders with everything below) that the commit deletes. */
  readonly remove?: readonly string[];
  /** Start from an empty tree instead of carrying the branch's files forward. */
  readonly replace?: boolean;
}

export interface HubCommitRef {
  readonly id: string;
  readonly title: string;
  readonly date: Date;
}

export interface HubFile {
  readonly path: string;
  readonly bytes: Buffer;
  readonly size: number;
  readonly lfs: boolean;
  /** sha256 of the content (`lfs.oid`, `X-Linked-Etag`). */
  readonly sha256: string;
  /** git blob sha1 of the bytes, or of the pointer file for LFS. */
  readonly oid: string;
  readonly pointerSize: number | undefined;
  readonly xetHash: string | undefined;
  /** The last commit that changed the file. */
  readonly lastCommit: HubCommitRef;
}

export interface HubDir {
  readonly path: string;
  readonly oid: string;
  /** In git tree order. */
  readonly children: ReadonlyArray<{ readonly kind: 'file' | 'directory'; readonly path: string }>;
  readonly lastCommit: HubCommitRef;
}

export interface HubCommit extends HubCommitRef {
  readonly parent: string | null;
  readonly files: ReadonlyMap<string, HubFile>;
  /** Folder path (`''` for the root) → folder. */
  readonly dirs: ReadonlyMap<string, HubDir>;
}

export interface HubRepo {
  readonly type: HfRepoType;
  readonly id: string;
  /** The Hub's `_id` (24 hex). */
  readonly objectId: string;
  readonly createdAt: Date;
  readonly spec: FixtureHubRepoSpec;
  readonly commits: Map<string, HubCommit>;
  readonly branches: Map<string, string>;
  readonly tags: Map<string, string>;
  /** Sizes the listings claim instead of the real ones (hostile-upstream tests). */
  readonly sizeLies: Map<string, number>;
  latest: Date;
}

export const DEFAULT_CREATED_AT = new Date('2024-01-01T00:00:00.000Z');
const COMMIT_SHA = /^[0-9a-f]{40}$/;

function toBuffer(b: Uint8Array | string): Buffer {
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function storeFile(f: FixtureHubFile, lastCommit: HubCommitRef): HubFile {
  const bytes = Buffer.from(toBuffer(f.bytes));
  const lfs = f.lfs ?? isLfsByDefault(f.path, bytes.length);
  const sha256 = sha256Hex(bytes);
  const pointer = lfs ? Buffer.from(lfsPointer(sha256, bytes.length)) : undefined;
  const xet = lfs && (f.xet ?? true);
  return { path: f.path, bytes, size: bytes.length, lfs, sha256, oid: gitBlobOid(pointer ?? bytes), pointerSize: pointer?.length, xetHash: xet ? xetHashOf(bytes) : undefined, lastCommit };
}

/** Folders of a file set with their git tree ids, bottom-up. */
function buildDirs(files: ReadonlyMap<string, HubFile>): Map<string, { oid: string; children: Array<{ kind: 'file' | 'directory'; path: string }> }> {
  const kids = new Map<string, Map<string, 'file' | 'directory'>>([['', new Map()]]);
  for (const path of files.keys()) {
    const segs = path.split('/');
    for (let i = 0; i < segs.length; i++) {
      const parent = segs.slice(0, i).join('/');
      const self = segs.slice(0, i + 1).join('/');
      const set = kids.get(parent) ?? new Map<string, 'file' | 'directory'>();
      kids.set(parent, set);
      set.set(self, i === segs.length - 1 ? 'file' : 'directory');
      if (i < segs.length - 1 && !kids.has(self)) kids.set(self, new Map());
    }
  }
  const out = new Map<string, { oid: string; children: Array<{ kind: 'file' | 'directory'; path: string }> }>();
  const visit = (dir: string): string => {
    const entries: TreeEntry[] = [];
    const paths = new Map<string, string>();
    for (const [path, kind] of kids.get(dir) ?? []) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      paths.set(name, path);
      entries.push({ name, kind: kind === 'file' ? 'blob' : 'tree', oid: kind === 'file' ? (files.get(path)?.oid ?? '') : visit(path) });
    }
    entries.sort(gitTreeOrder);
    const oid = gitTreeOid(entries);
    out.set(dir, { oid, children: entries.map((e) => ({ kind: e.kind === 'blob' ? 'file' : 'directory', path: paths.get(e.name) ?? e.name })) });
    return oid;
  };
  visit('');
  return out;
}

export class HubRepos {
  readonly #repos = new Map<string, HubRepo>();

  add(spec: FixtureHubRepoSpec): HubRepo {
    const type = spec.type ?? 'model';
    if (spec.id === '' || spec.id.split('/').length > 2 || spec.id.split('/').some((s) => s === '')) throw new Error(`FixtureHub: bad repo id ${spec.id}`);
    const key = `${type}:${spec.id}`;
    if (this.#repos.has(key)) throw new Error(`FixtureHub: ${type} ${spec.id} exists`);
    const createdAt = spec.createdAt ?? DEFAULT_CREATED_AT;
    const repo: HubRepo = { type, id: spec.id, objectId: sha1Hex(key).slice(0, 24), createdAt, spec, commits: new Map(), branches: new Map(), tags: new Map(), sizeLies: new Map(), latest: createdAt };
    this.#repos.set(key, repo);
    if (spec.initialCommit ?? true) this.commit(repo, [{ path: '.gitattributes', bytes: HUB_GITATTRIBUTES }], { date: createdAt, message: 'initial commit' });
    return repo;
  }

  /** The repository a test means, or undefined. */
  find(ref: HfRepoRef): HubRepo | undefined {
    if (typeof ref !== 'string') return this.#repos.get(`${ref.type}:${ref.name}`);
    if (ref.startsWith('datasets/')) return this.#repos.get(`dataset:${ref.slice('datasets/'.length)}`);
    return this.#repos.get(`model:${ref}`) ?? this.#repos.get(`dataset:${ref}`);
  }

  get(type: HfRepoType, id: string): HubRepo | undefined {
    return this.#repos.get(`${type}:${id}`);
  }

  need(ref: HfRepoRef): HubRepo {
    const repo = this.find(ref);
    if (repo === undefined) throw new Error(`FixtureHub: no repo ${JSON.stringify(ref)}`);
    return repo;
  }

  remove(ref: HfRepoRef): void {
    const repo = this.find(ref);
    if (repo !== undefined) this.#repos.delete(`${repo.type}:${repo.id}`);
  }

  /** Commits files on a branch; returns the new commit's sha. */
  commit(repo: HubRepo, files: readonly FixtureHubFile[], options: FixtureCommitOptions = {}): string {
    const branch = options.branch ?? 'main';
    const headSha = repo.branches.get(branch) ?? repo.branches.get('main');
    const head = headSha === undefined ? undefined : repo.commits.get(headSha);
    const date = options.date ?? new Date(repo.latest.getTime() + (repo.commits.size === 0 ? 0 : 60_000));
    const title = options.message ?? `Upload ${files.length} file${files.length === 1 ? '' : 's'}`;
    const next = new Map<string, HubFile>(options.replace === true ? [] : (head?.files ?? []));
    for (const gone of options.remove ?? []) for (const p of [...next.keys()]) if (p === gone || p.startsWith(`${gone}/`)) next.delete(p);
    // Ids first (the commit id depends on the tree, not on lastCommit), then the final records.
    const pending: ReadonlyMap<string, HubFile> = new Map(files.map((f) => [f.path, storeFile(f, { id: '', title, date })]));
    for (const [p, f] of pending) {
      const old = next.get(p);
      const unchanged = old !== undefined && old.oid === f.oid && old.lfs === f.lfs && old.xetHash === f.xetHash;
      next.set(p, unchanged ? old : f); // an unchanged file keeps its last commit
    }
    const sha = gitCommitOid(buildDirs(next).get('')?.oid ?? '', head?.id ?? null, date, title);
    const ref: HubCommitRef = { id: sha, title, date };
    const final = new Map<string, HubFile>();
    for (const [p, f] of next) final.set(p, f.lastCommit.id === '' ? { ...f, lastCommit: ref } : f);
    const dirs = new Map<string, HubDir>();
    for (const [path, d] of buildDirs(final)) {
      const changed = head?.dirs.get(path)?.oid !== d.oid;
      dirs.set(path, { path, oid: d.oid, children: d.children, lastCommit: changed ? ref : (head?.dirs.get(path)?.lastCommit ?? ref) });
    }
    repo.commits.set(sha, { ...ref, parent: head?.id ?? null, files: final, dirs });
    repo.branches.set(branch, sha);
    if (date > repo.latest) repo.latest = date;
    return sha;
  }

  /** Points a tag (or, with `kind: 'branch'`, a branch) at a revision's commit; returns the sha. */
  ref(repo: HubRepo, name: string, revision: string, kind: 'tag' | 'branch'): string {
    const target = this.resolve(repo, revision);
    if (target === undefined) throw new Error(`FixtureHub: ${repo.id} has no revision ${revision}`);
    (kind === 'tag' ? repo.tags : repo.branches).set(name, target.id);
    return target.id;
  }

  /** Resolves a branch, a tag, a full commit sha, or `HEAD` (the default branch). */
  resolve(repo: HubRepo, revision: string): HubCommit | undefined {
    const rev = revision === 'HEAD' ? 'main' : revision;
    const sha = repo.branches.get(rev) ?? repo.tags.get(rev) ?? (COMMIT_SHA.test(rev) ? rev : undefined);
    return sha === undefined ? undefined : repo.commits.get(sha);
  }
}
