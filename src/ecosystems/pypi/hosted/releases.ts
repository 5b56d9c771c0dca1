/**
 * Changes to a release of a hosted pypi project after its upload: yanking it (PEP 592), undoing a
 * yank, and removing it. There is no client protocol for these (PyPI has them in its web UI
 * only), so Airlock takes them at the repository's own URL (`routes.ts`) and `airlock pypi` sends
 * them.
 *
 * - **Yank** marks every file of the release yanked, with the reason given: pip then skips it
 *   unless a requirement pins it with `==` (or `===`), and prints the reason when it installs it.
 *   Nothing is deleted; undoing the yank lists the files as before.
 * - **Remove** takes the release's files off the page, and the version off its `versions`. Their
 *   names are kept as removed (with who removed them, when, and the sha256), so an upload under
 *   one of them is refused: a lockfile or cache that has the old bytes under that name must never
 *   meet other bytes under it (PyPI's rule too). The bytes are no longer named by the project, so
 *   the storage sweep may drop them, as it drops any artifact nothing keeps.
 *
 * A version is matched by PEP 440 equality (`1.0` is `1.0.0`), through each file's name. Each
 * change is one compare-and-swap write of the page, with its audit event (`package.yank`,
 * `package.unyank`, `package.unpublish`).
 */
import { AirlockError, makePurl, samePep440, type PypiProjectName } from '../../../core/index.ts';
import type { HostedFile } from '../../../storage/ports/index.ts';
import { writeHosted, type HostedChange, type HostedWriterDeps, type Publisher } from '../../shared/hosted-write.ts';
import { parseDistFilename } from '../filenames.ts';
import { pageWith, readPage, type Page, type PageFile, type RemovedFile } from './page.ts';

/** Longest yank reason kept (pip prints it on one line). */
export const MAX_YANK_REASON = 1000;

export type ReleaseAction = 'yank' | 'unyank' | 'remove';

export interface ReleaseChange {
  readonly name: PypiProjectName;
  /** The version as the files' names give it. */
  readonly version: string;
  readonly action: ReleaseAction;
  /** The release's files the change applies to. */
  readonly files: readonly string[];
  /** What the files say now: the yank reason (true for a yank without one), false when not yanked; null once removed. */
  readonly yanked: string | boolean | null;
  /** False when the release was already so (yanked with the same reason, not yanked): nothing was written. */
  readonly changed: boolean;
}

/** A yank reason as kept: one line of text, trimmed; empty means none. */
export function yankReason(raw: string): string {
  const reason = raw.replace(/[\r\n\t]+/g, ' ').trim();
  if (reason.length > MAX_YANK_REASON) throw new AirlockError('BAD_REQUEST', `the yank reason is longer than ${MAX_YANK_REASON} characters`);
  if (/[\u0000-\u001f\u007f]/.test(reason)) throw new AirlockError('BAD_REQUEST', 'the yank reason has control characters');
  return reason;
}

function versionOf(file: PageFile, name: PypiProjectName): string | null {
  return parseDistFilename(file.filename, name)?.version ?? null;
}

/** The release's files on the page; a refusal naming the versions there are when it has none. */
function releaseFiles(page: Page, name: PypiProjectName, version: string, repo: string): { readonly files: readonly PageFile[]; readonly version: string } {
  const files = page.files.filter((f) => {
    const v = versionOf(f, name);
    return v !== null && samePep440(v, version);
  });
  const first = files[0];
  if (first === undefined) {
    const have = page.versions.length === 0 ? 'it has no files' : `its versions are ${page.versions.slice(-20).join(', ')}${page.versions.length > 20 ? ' (the newest 20)' : ''}`;
    const removed = page._removed?.some((r) => {
      const v = parseDistFilename(r.filename, name)?.version;
      return v !== undefined && samePep440(v, version);
    });
    throw new AirlockError('NOT_FOUND', `${name} ${version} is not in ${repo}${removed === true ? ': it was removed' : ''} (${have})`);
  }
  return { files, version: versionOf(first, name) as string };
}

export class PypiReleases {
  readonly #deps: HostedWriterDeps;
  readonly #maxDocumentBytes: number;

  constructor(deps: Omit<HostedWriterDeps, 'ecosystem'>, limits: { readonly maxDocumentBytes: number }) {
    this.#deps = { ...deps, ecosystem: 'pypi' };
    this.#maxDocumentBytes = limits.maxDocumentBytes;
  }

  /** Yanks every file of the release (`reason` empty: no reason), or undoes a yank (`reason` null). */
  async yank(name: PypiProjectName, version: string, reason: string | null, who: Publisher): Promise<ReleaseChange> {
    const action: ReleaseAction = reason === null ? 'unyank' : 'yank';
    const yanked: string | boolean = reason === null ? false : reason === '' ? true : reason;
    return this.#write(name, who, (page, pkgFiles) => {
      const release = releaseFiles(page, name, version, this.#deps.repo);
      const names = new Set(release.files.map((f) => f.filename));
      const changed = release.files.some((f) => f.yanked !== yanked);
      const result: ReleaseChange = { name, version: release.version, action, files: [...names], yanked, changed };
      if (!changed) return { result, write: null };
      const files = page.files.map((f) => (names.has(f.filename) ? { ...f, yanked } : f));
      return {
        result,
        write: {
          document: JSON.stringify(pageWith(page, files, page.versions)),
          files: pkgFiles,
          audit: { action: `package.${action}`, subject: makePurl('pypi', name, release.version), details: { repo: this.#deps.repo, version: release.version, files: [...names], ...(reason === null ? {} : { reason }) } },
        },
      };
    });
  }

  /** Removes the release's files; their names stay taken. */
  async remove(name: PypiProjectName, version: string, who: Publisher): Promise<ReleaseChange> {
    return this.#write(name, who, (page, pkgFiles, now) => {
      const release = releaseFiles(page, name, version, this.#deps.repo);
      const names = new Set(release.files.map((f) => f.filename));
      const left = page.files.filter((f) => !names.has(f.filename));
      const removed: RemovedFile[] = [...(page._removed ?? []), ...release.files.map((f) => ({ filename: f.filename, sha256: f.hashes.sha256, 'removed-at': now, 'removed-by': who.name }))];
      const files: Record<string, HostedFile> = {};
      for (const [key, file] of Object.entries(pkgFiles)) {
        const of = key.endsWith('.metadata') ? key.slice(0, -'.metadata'.length) : key;
        if (!names.has(of)) files[key] = file;
      }
      const versions = left.map((f) => versionOf(f, name)).filter((v) => v !== null);
      return {
        result: { name, version: release.version, action: 'remove', files: [...names], yanked: null, changed: true },
        write: {
          document: JSON.stringify(pageWith(page, left, versions, removed)),
          files,
          audit: {
            action: 'package.unpublish',
            subject: makePurl('pypi', name, release.version),
            details: { repo: this.#deps.repo, version: release.version, files: release.files.map((f) => ({ filename: f.filename, sha256: f.hashes.sha256, size: f.size })) },
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
