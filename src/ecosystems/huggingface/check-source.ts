/**
 * huggingface repositories as package sources for the pre-flight check (`airlock check
 * huggingface`, `pkg:huggingface/…` purls at `/-/api/check`). A Hub repo's versions are commits,
 * not listed but resolved: a revision — a branch, a tag, a commit; none for the default branch —
 * names a commit the way a client's request names it (the repo's info at the revision), and the
 * commit is judged the way admission judges a download of it (plugin.ts `admit`, then
 * file-service.ts for each file): the commit in the metadata phase with what its info says, and,
 * unless that blocks (which refuses everything of the commit), each of its files in the artifact
 * phase with what the tree says of it and what the commit's model signature says of its bytes.
 * A quarantine of the commit itself holds nothing back (its files are held one by one), so the
 * verdict is the strictest of its files' and a block of the commit.
 *
 * No file's bytes are fetched but the commit's model.sig (small; verified and kept as a download
 * of any of its files fetches it). A file Airlock holds already is scanned from the store; any
 * other is scanned and judged when it is downloaded, which its part says (`notJudged`), and is
 * judged here as if the scanner found nothing in it: the best verdict a download of it can get.
 * Nothing is served, recorded, cached as a verdict or opened.
 */
import { AirlockError, isAirlockError } from '../../core/index.ts';
import type { Explainer, PackageSource, ReferenceCheck, ReferencePart } from '../../gate/index.ts';
import { modelFileExpectation } from '../../scan/index.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import type { CommitTree, HubCatalog, Revision } from './catalog.ts';
import type { FileService } from './file-service.ts';
import { checkRevision, commitLabel, repoName, repoOfName, type RepoRef } from './hub-ids.ts';
import type { HubTreeEntry } from './hub-json.ts';

/** Files of a commit judged per check, at most (the rest are said to be judged when downloaded). */
export const MAX_CHECKED_FILES = 256;

/** Model files named in a result's `notJudged`, at most. */
const NAMED_FILES = 8;

export interface HubSourceDeps {
  readonly repo: string;
  /** The commit a revision names, as a client's request resolves it; a repo the upstream does not have is told to the tripwire (plugin.ts `revisionOf`). */
  readonly revision: (repo: RepoRef, revision: string | null, request: RequestContext) => Promise<Revision>;
  readonly catalog: Pick<HubCatalog, 'tree'>;
  readonly files: Pick<FileService, 'explain' | 'signature'>;
}

/** How much a file's verdict may hinge on its bytes and name: code transformers runs, pickle-based files, other model files, the rest. */
function rank(path: string): number {
  const e = modelFileExpectation(path);
  if (e.extension === '.py') return 0;
  if (e.pickleBased) return 1;
  return e.expectedFormats === null ? 3 : 2;
}

/**
 * The files of a commit a check judges, in path order: at most `max`, those whose verdict most
 * hinges on their name and bytes first (Python code, pickle-based files, other model files), and
 * how many more it has.
 */
export function filesToJudge(tree: CommitTree, max: number = MAX_CHECKED_FILES): { readonly files: readonly HubTreeEntry[]; readonly more: number } {
  const files = tree.entries.filter((e) => e.type === 'file');
  if (files.length <= max) return { files, more: 0 };
  const chosen = new Set(
    files
      .map((e, i) => ({ e, i, r: rank(e.path) }))
      .sort((a, b) => a.r - b.r || a.i - b.i)
      .slice(0, max)
      .map((x) => x.e),
  );
  return { files: files.filter((e) => chosen.has(e)), more: files.length - max };
}

/** What a file not held yet leaves to its download. */
export const FILE_NOT_SCANNED = 'its bytes are scanned when it is downloaded (Airlock does not hold it yet): judged here as if the scanner finds nothing in them';

function listed(paths: readonly string[]): string {
  return paths.length <= NAMED_FILES ? paths.join(', ') : `${paths.slice(0, NAMED_FILES).join(', ')} and ${paths.length - NAMED_FILES} more`;
}

/**
 * What a check of a commit leaves to the download: the bytes of the files Airlock does not hold
 * (the model files among them named, pickle-based ones first), files it never serves, files past
 * the bound. Null when nothing is left.
 */
export function filesNotJudged(unscanned: readonly HubTreeEntry[], refused: readonly string[], more: number): string | null {
  const out: string[] = [];
  if (unscanned.length > 0) {
    const pickle = unscanned.filter((e) => modelFileExpectation(e.path).pickleBased).map((e) => e.path);
    const models = unscanned.filter((e) => !modelFileExpectation(e.path).pickleBased && modelFileExpectation(e.path).expectedFormats !== null).map((e) => e.path);
    const named = [...(pickle.length === 0 ? [] : [`pickle-based, where the scan looks for code that runs when they are loaded: ${listed(pickle)}`]), ...(models.length === 0 ? [] : [`model files: ${listed(models)}`])];
    out.push(
      `no file's bytes are fetched by a check: ${unscanned.length} ${unscanned.length === 1 ? 'file' : 'files'} Airlock does not hold yet ${unscanned.length === 1 ? 'is' : 'are'} scanned when downloaded and judged then with what the scanner finds (each is judged here as if it finds nothing)${named.length === 0 ? '' : `; ${named.join('; ')}`}`,
    );
  }
  for (const r of refused) out.push(`never served: ${r}`);
  if (more > 0) out.push(`${more} more ${more === 1 ? 'file is' : 'files are'} judged when downloaded (a check judges ${MAX_CHECKED_FILES})`);
  return out.length === 0 ? null : out.join('; ');
}

function hubCode(err: unknown): string | null {
  const code = isAirlockError(err, 'UPSTREAM_NOT_FOUND') ? err.details['hubErrorCode'] : undefined;
  return typeof code === 'string' ? code : null;
}

/** A huggingface repository as a source the check asks by revision. */
export function huggingfacePackageSource(deps: HubSourceDeps): PackageSource {
  const { repo, files } = deps;
  async function checkReference(name: string, reference: string | null, gate: Explainer, request: RequestContext): Promise<ReferenceCheck> {
    const ref = repoOfName(name);
    // `HEAD` (what @huggingface/hub asks for by default) is the default branch, as a client's request has it.
    const revision = reference === null || reference === 'HEAD' ? null : checkRevision(reference);
    let rev: Revision;
    try {
      rev = await deps.revision(ref, revision, request);
    } catch (err) {
      const code = hubCode(err);
      if (code === 'RepoNotFound') return { status: 'package-not-found', message: `${name} does not exist upstream, or is private (the request was recorded)` };
      if (code === 'RevisionNotFound') return { status: 'version-not-found', message: `${name} has no revision ${revision ?? '(default branch)'} upstream` };
      throw err;
    }
    // The commit first, as a client's request for its info, tree or files is judged (plugin.ts `admit`).
    const [commit] = await gate.explain([rev.candidate], [rev.candidate]);
    if (commit === undefined) throw new AirlockError('INTERNAL', `${commitLabel(repoName(rev.repo), rev.commit)} was not judged`);
    if (commit.decision.verdict.kind === 'block' || commit.decision.failure?.kind === 'gate') {
      return { status: 'judged', explained: commit, phase: 'metadata', notJudged: null, parts: [], ownQuarantineHolds: false };
    }
    const tree = await deps.catalog.tree(rev.repo, rev.commit);
    const { files: chosen, more } = filesToJudge(tree);
    const signature = await files.signature(rev, tree);
    const parts: ReferencePart[] = [];
    const unscanned: HubTreeEntry[] = [];
    const refused: string[] = [];
    for (const entry of chosen) {
      const f = await files.explain(rev, entry, tree, signature, gate, request);
      if (f.kind === 'refused') {
        refused.push(f.message);
        continue;
      }
      if (!f.scanned) unscanned.push(entry);
      parts.push({ label: entry.path, explained: f.explained, notJudged: f.scanned ? null : FILE_NOT_SCANNED });
    }
    return { status: 'judged', explained: commit, phase: 'metadata', notJudged: filesNotJudged(unscanned, refused, more), parts, ownQuarantineHolds: false };
  }
  return {
    repo,
    ecosystem: 'huggingface',
    canonicalName: (name) => repoName(repoOfName(name)),
    checkReference,
  };
}
