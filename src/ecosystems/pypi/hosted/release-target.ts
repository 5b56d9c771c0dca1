/**
 * What a change to a hosted pypi project applies to, and the files of the page that are it: one
 * release (every file of a version, matched by PEP 440 equality through each file's name), one
 * file of a release (a wheel built for the wrong platform, say), or the whole project (every file
 * of every release). Asking for what is not on the page is refused with what is: the versions
 * there are, or that it was removed, and when and by whom.
 */
import { AirlockError, assertNever, samePep440, type PypiProjectName } from '../../../core/index.ts';
import { parseDistFilename } from '../filenames.ts';
import { removedEntry, type Page, type PageFile } from './page.ts';

export type ReleaseTarget = { readonly kind: 'release'; readonly version: string } | { readonly kind: 'file'; readonly filename: string } | { readonly kind: 'project' };

/** The files a target names on a page. */
export interface TargetFiles {
  readonly files: readonly PageFile[];
  /** The release's version as its files' names give it; null for the whole project. */
  readonly version: string | null;
  /** Every version the files are of, in the page's order. */
  readonly versions: readonly string[];
}

/** Longest file name a route takes (a wheel's name with every tag spelled out is well below). */
export const MAX_FILENAME_CHARS = 255;

export function versionOf(file: Pick<PageFile, 'filename'>, name: PypiProjectName): string | null {
  return parseDistFilename(file.filename, name)?.version ?? null;
}

function versionsNote(page: Page): string {
  if (page.versions.length === 0) return 'it has no files';
  return `its versions are ${page.versions.slice(-20).join(', ')}${page.versions.length > 20 ? ' (the newest 20)' : ''}`;
}

function releaseFiles(page: Page, name: PypiProjectName, version: string, repo: string): TargetFiles {
  const files = page.files.filter((f) => {
    const v = versionOf(f, name);
    return v !== null && samePep440(v, version);
  });
  const first = files[0];
  if (first === undefined) {
    const removed = page._removed?.some((r) => {
      const v = versionOf(r, name);
      return v !== null && samePep440(v, version);
    });
    throw new AirlockError('NOT_FOUND', `${name} ${version} is not in ${repo}${removed === true ? ': it was removed' : ''} (${versionsNote(page)})`);
  }
  const found = versionOf(first, name) as string;
  return { files, version: found, versions: [found] };
}

function oneFile(page: Page, name: PypiProjectName, filename: string, repo: string): TargetFiles {
  const file = page.files.find((f) => f.filename === filename);
  if (file === undefined) {
    const gone = removedEntry(page, filename);
    const why = gone === undefined ? ` (${versionsNote(page)})` : `: it was removed on ${gone['removed-at']} by ${gone['removed-by']}`;
    throw new AirlockError('NOT_FOUND', `${filename} is not a file of ${name} in ${repo}${why}`);
  }
  const version = versionOf(file, name);
  return { files: [file], version, versions: version === null ? [] : [version] };
}

function everyFile(page: Page, name: PypiProjectName, repo: string): TargetFiles {
  if (page.files.length === 0) {
    const removed = (page._removed?.length ?? 0) > 0;
    throw new AirlockError('NOT_FOUND', `${name} has no files in ${repo}${removed ? ': every file of it was removed' : ''}`);
  }
  return { files: page.files, version: null, versions: page.versions };
}

/** The page's files the target names; NOT_FOUND, saying what there is, when it names none. */
export function targetFiles(page: Page, name: PypiProjectName, target: ReleaseTarget, repo: string): TargetFiles {
  switch (target.kind) {
    case 'release':
      return releaseFiles(page, name, target.version, repo);
    case 'file':
      return oneFile(page, name, target.filename, repo);
    case 'project':
      return everyFile(page, name, repo);
    default:
      return assertNever(target, 'release target');
  }
}
