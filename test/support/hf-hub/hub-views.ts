/**
 * The fixture Hub's JSON, shaped as the Hub answers it: repo info (`/api/models/<id>`,
 * `/revision/<rev>`, with `?blobs=true` and `expand=` filtering), tree entries and paths-info
 * entries (with `lfs`, `xetHash`, and `lastCommit`/`securityFileStatus` when expanded).
 */
import type { HubCommit, HubDir, HubFile, HubRepo } from './hub-repos.ts';

export type Listed = { readonly kind: 'file'; readonly file: HubFile } | { readonly kind: 'directory'; readonly dir: HubDir };

/** A folder's entries (`''` is the root) in git order; recursive lists each folder followed by its contents (`git ls-tree -r -t`). Undefined when there is no such folder. */
export function listTree(commit: HubCommit, path: string, recursive: boolean): Listed[] | undefined {
  const root = commit.dirs.get(path.replace(/\/+$/, ''));
  if (root === undefined) return undefined;
  const out: Listed[] = [];
  const walk = (dir: HubDir): void => {
    for (const c of dir.children) {
      if (c.kind === 'file') {
        const file = commit.files.get(c.path);
        if (file !== undefined) out.push({ kind: 'file', file });
        continue;
      }
      const sub = commit.dirs.get(c.path);
      if (sub === undefined) continue;
      out.push({ kind: 'directory', dir: sub });
      if (recursive) walk(sub);
    }
  };
  walk(root);
  return out;
}

/** A file or folder at a path of a commit. */
export function lookup(commit: HubCommit, path: string): Listed | undefined {
  const file = commit.files.get(path);
  if (file !== undefined) return { kind: 'file', file };
  const dir = path === '' ? undefined : commit.dirs.get(path.replace(/\/+$/, ''));
  return dir === undefined ? undefined : { kind: 'directory', dir };
}

/** The size the listings claim for a file (a lie when a test set one). */
export function listedSize(repo: HubRepo, file: HubFile): number {
  return repo.sizeLies.get(file.path) ?? file.size;
}

const commitJson = (c: { id: string; title: string; date: Date }): Record<string, string> => ({ id: c.id, title: c.title, date: c.date.toISOString() });

/** One entry of `/tree/…` or `/paths-info/…`. */
export function entryJson(repo: HubRepo, item: Listed, expand: boolean): Record<string, unknown> {
  if (item.kind === 'directory') {
    const d = item.dir;
    return { type: 'directory', oid: d.oid, size: 0, path: d.path, ...(expand ? { lastCommit: commitJson(d.lastCommit) } : {}) };
  }
  const f = item.file;
  const size = listedSize(repo, f);
  return {
    type: 'file',
    oid: f.oid,
    size,
    ...(f.lfs ? { lfs: { oid: f.sha256, size, pointerSize: f.pointerSize } } : {}),
    ...(f.xetHash === undefined ? {} : { xetHash: f.xetHash }),
    path: f.path,
    ...(expand ? { lastCommit: commitJson(f.lastCommit), securityFileStatus: { status: 'unscanned' } } : {}),
  };
}

/** `/api/models/<id>[/revision/<rev>]` (or datasets): everything, or with `expand` only `_id`, `id` and the expanded fields. */
export function repoInfoJson(repo: HubRepo, commit: HubCommit, query: { readonly blobs: boolean; readonly expand: readonly string[] }): Record<string, unknown> {
  const s = repo.spec;
  const files = [...commit.files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const siblings = files.map((f) =>
    query.blobs ? { rfilename: f.path, size: listedSize(repo, f), blobId: f.oid, ...(f.lfs ? { lfs: { sha256: f.sha256, size: listedSize(repo, f), pointerSize: f.pointerSize } } : {}) } : { rfilename: f.path },
  );
  const slash = repo.id.indexOf('/');
  const model = repo.type === 'model';
  const full: Record<string, unknown> = {
    _id: repo.objectId,
    id: repo.id,
    ...(slash > 0 ? { author: repo.id.slice(0, slash) } : {}),
    ...(model ? { modelId: repo.id } : {}),
    sha: commit.id,
    lastModified: commit.date.toISOString(),
    private: s.private ?? false,
    gated: s.gated ?? false,
    disabled: s.disabled ?? false,
    ...(model && s.pipeline_tag !== undefined ? { pipeline_tag: s.pipeline_tag } : {}),
    ...(model && s.library_name !== undefined ? { library_name: s.library_name } : {}),
    tags: [...(s.tags ?? [])],
    downloads: s.downloads ?? 0,
    likes: s.likes ?? 0,
    ...(s.cardData === undefined ? {} : { cardData: s.cardData }),
    siblings,
    ...(model ? { spaces: [] } : {}),
    createdAt: repo.createdAt.toISOString(),
    usedStorage: files.reduce((n, f) => n + f.size, 0),
  };
  if (query.expand.length === 0) return full;
  const picked: Record<string, unknown> = { _id: full['_id'], id: full['id'] };
  for (const key of query.expand) if (key in full) picked[key] = full[key];
  return picked;
}
