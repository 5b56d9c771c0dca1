/**
 * Changes to a hosted pypi project after its upload: yanking a release (PEP 592), undoing a yank,
 * and removing it — or one file of it, or the whole project at once (`release-target.ts`). There
 * is no client protocol for these (PyPI has them in its web UI only), so Airlock takes them at the
 * repository's own URL (`routes.ts`) and `airlock pypi` sends them.
 *
 * - **Yank** marks every file of the release yanked, with the reason given: pip then skips it
 *   unless a requirement pins it with `==` (or `===`), and prints the reason when it installs it.
 *   Nothing is deleted; undoing the yank lists the files as before.
 * - **Remove** takes the release's files off the page, and the version off its `versions`. Their
 *   names are kept as removed (with who removed them, when, and the sha256), so an upload under
 *   one of them is refused: a lockfile or cache that has the old bytes under that name must never
 *   meet other bytes under it (PyPI's rule too). The bytes are no longer named by the project, so
 *   the storage sweep may drop them, as it drops any artifact nothing keeps. A project whose
 *   every file is removed keeps its record (its name stays internal, its file names taken) and
 *   leaves the index; a new upload brings it back.
 *
 * A version is matched by PEP 440 equality (`1.0` is `1.0.0`), through each file's name. Each
 * change is one compare-and-swap write of the page, with its audit event (`package.yank`,
 * `package.unyank`, `package.unpublish`; a change to the whole project has the project's purl as
 * its subject, the versions it had and `whole: true`, as npm's unpublish of a whole package).
 */
import { AirlockError, makePurl, type PypiProjectName } from '../../../core/index.ts';
import type { HostedFile } from '../../../storage/ports/index.ts';
import { writeHosted, type HostedChange, type HostedWriterDeps, type Publisher } from '../../shared/hosted-write.ts';
import { pageWith, readPage, type Page, type RemovedFile } from './page.ts';
import { targetFiles, versionOf, type ReleaseTarget, type TargetFiles } from './release-target.ts';

/** Longest yank reason kept (pip prints it on one line). */
export const MAX_YANK_REASON = 1000;

export type ReleaseAction = 'yank' | 'unyank' | 'remove';

export interface ReleaseChange {
  readonly name: PypiProjectName;
  /** What it applies to: a release, one file of one, or every release of the project. */
  readonly target: ReleaseTarget['kind'];
  /** The release's version as the files' names give it; null for the whole project. */
  readonly version: string | null;
  /** The versions of the files it applies to. */
  readonly versions: readonly string[];
  readonly action: ReleaseAction;
  /** The files the change applies to. */
  readonly files: readonly string[];
  /** What the files say now: the yank reason (true for a yank without one), false when not yanked; null once removed. */
  readonly yanked: string | boolean | null;
  /** False when the release was already so (yanked with the same reason, not yanked): nothing was written. */
  readonly changed: boolean;
}

/** A yank reason (or a removal's, `what` says) as kept: one line of text, trimmed; empty means none. */
export function yankReason(raw: string, what = 'the yank reason'): string {
  const reason = raw.replace(/[\r\n\t]+/g, ' ').trim();
  if (reason.length > MAX_YANK_REASON) throw new AirlockError('BAD_REQUEST', `${what} is longer than ${MAX_YANK_REASON} characters`);
  if (/[\u0000-\u001f\u007f]/.test(reason)) throw new AirlockError('BAD_REQUEST', `${what} has control characters`);
  return reason;
}

/** The audit subject and details of a change: the release's purl and version, or the project's, its versions and `whole`. */
function auditOf(name: PypiProjectName, target: ReleaseTarget, selected: TargetFiles, repo: string): { readonly subject: string; readonly details: Record<string, unknown> } {
  if (target.kind === 'project') return { subject: makePurl('pypi', name), details: { repo, versions: selected.versions, whole: true } };
  return { subject: makePurl('pypi', name, selected.version), details: { repo, version: selected.version } };
}

export class PypiReleases {
  readonly #deps: HostedWriterDeps;
  readonly #maxDocumentBytes: number;

  constructor(deps: Omit<HostedWriterDeps, 'ecosystem'>, limits: { readonly maxDocumentBytes: number }) {
    this.#deps = { ...deps, ecosystem: 'pypi' };
    this.#maxDocumentBytes = limits.maxDocumentBytes;
  }

  /** Yanks every file of the release or project (`reason` empty: no reason), or undoes a yank (`reason` null). */
  async yank(name: PypiProjectName, target: ReleaseTarget, reason: string | null, who: Publisher): Promise<ReleaseChange> {
    const action: ReleaseAction = reason === null ? 'unyank' : 'yank';
    const yanked: string | boolean = reason === null ? false : reason === '' ? true : reason;
    return this.#write(name, who, (page, pkgFiles) => {
      const release = targetFiles(page, name, target, this.#deps.repo);
      const names = new Set(release.files.map((f) => f.filename));
      const changed = release.files.some((f) => f.yanked !== yanked);
      const result: ReleaseChange = { name, target: target.kind, version: release.version, versions: release.versions, action, files: [...names], yanked, changed };
      if (!changed) return { result, write: null };
      const files = page.files.map((f) => (names.has(f.filename) ? { ...f, yanked } : f));
      const { subject, details } = auditOf(name, target, release, this.#deps.repo);
      return {
        result,
        write: {
          document: JSON.stringify(pageWith(page, files, page.versions)),
          files: pkgFiles,
          audit: { action: `package.${action}`, subject, details: { ...details, files: [...names], ...(reason === null ? {} : { reason }) } },
        },
      };
    });
  }

  /** Removes the release's, the file's or the project's files; their names stay taken. `reason` (empty: none) goes to the audit trail. */
  async remove(name: PypiProjectName, target: ReleaseTarget, who: Publisher, reason = ''): Promise<ReleaseChange> {
    return this.#write(name, who, (page, pkgFiles, now) => {
      const release = targetFiles(page, name, target, this.#deps.repo);
      const names = new Set(release.files.map((f) => f.filename));
      const left = page.files.filter((f) => !names.has(f.filename));
      const removed: RemovedFile[] = [...(page._removed ?? []), ...release.files.map((f) => ({ filename: f.filename, sha256: f.hashes.sha256, 'removed-at': now, 'removed-by': who.name }))];
      const files: Record<string, HostedFile> = {};
      for (const [key, file] of Object.entries(pkgFiles)) {
        const of = key.endsWith('.metadata') ? key.slice(0, -'.metadata'.length) : key;
        if (!names.has(of)) files[key] = file;
      }
      const versions = left.map((f) => versionOf(f, name)).filter((v) => v !== null);
      const { subject, details } = auditOf(name, target, release, this.#deps.repo);
      return {
        result: { name, target: target.kind, version: release.version, versions: release.versions, action: 'remove', files: [...names], yanked: null, changed: true },
        write: {
          document: JSON.stringify(pageWith(page, left, versions, removed)),
          files,
          audit: {
            action: 'package.unpublish',
            subject,
            details: { ...details, files: release.files.map((f) => ({ filename: f.filename, sha256: f.hashes.sha256, size: f.size })), ...(reason === '' ? {} : { reason }) },
          },
        },
      };
    });
  }

  /** One compare-and-swap write of the page (again on a conflict): what `change` makes of the page read. */
  async #write(
    name: PypiProjectName,
    who: Publisher,
    change: (page: Page, files: Readonly<Record<string, HostedFile>>, now: string) => { readonly result: ReleaseChange; readonly write: HostedChange | null },
  ): Promise<ReleaseChange> {
    let result: ReleaseChange | null = null;
    await writeHosted(
      this.#deps,
      name,
      { maxDocumentBytes: this.#maxDocumentBytes, what: 'the page' },
      (pkg, now) => {
        if (pkg === null) throw new AirlockError('NOT_FOUND', `nothing has been uploaded to ${this.#deps.repo} as ${name}`);
        const made = change(readPage(pkg, name), pkg.files, now);
        result = made.result;
        return made.write;
      },
      who,
    );
    if (result === null) throw new Error('unreachable: a write without a result');
    return result;
  }
}
