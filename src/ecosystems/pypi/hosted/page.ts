/**
 * A hosted pypi project's page as the metadata store keeps it: the PEP 691 JSON a proxy would read
 * from an index, with what Airlock adds under keys starting with `_` (PEP 691 leaves those to the
 * server): who uploaded each file, and the file names removed, which are never used again.
 */
import type { HostedPackage } from '../../../storage/ports/index.ts';
import { pep440Order } from '../project-service.ts';

export interface PageFile {
  readonly filename: string;
  readonly url: string;
  readonly hashes: { readonly sha256: string };
  /** PEP 714: a wheel's METADATA, served at the file's URL + `.metadata` (kept as the file `<filename>.metadata`). */
  readonly 'core-metadata'?: { readonly sha256: string };
  readonly 'requires-python'?: string;
  readonly size: number;
  readonly 'upload-time': string;
  /** PEP 592: false, true, or the reason it was yanked. */
  readonly yanked: boolean | string;
  /** Who uploaded it (the token's label). */
  readonly '_uploaded-by': string;
}

/** A file removed from the project: its name stays taken (PyPI's rule: a file name is used once). */
export interface RemovedFile {
  readonly filename: string;
  readonly sha256: string;
  readonly 'removed-at': string;
  readonly 'removed-by': string;
}

export interface Page {
  readonly meta: { readonly 'api-version': '1.1' };
  readonly name: string;
  readonly versions: readonly string[];
  readonly files: readonly PageFile[];
  readonly _removed?: readonly RemovedFile[];
}

/** The kept page of a project, or an empty one for a project nothing was uploaded to yet. */
export function readPage(pkg: HostedPackage | null, name: string): Page {
  if (pkg === null) return { meta: { 'api-version': '1.1' }, name, versions: [], files: [] };
  return JSON.parse(pkg.document) as Page;
}

/** The page with `files` as its files (and what was removed), its versions those the files have, in PEP 440 order. */
export function pageWith(page: Page, files: readonly PageFile[], versions: Iterable<string>, removed: readonly RemovedFile[] = page._removed ?? []): Page {
  return {
    meta: { 'api-version': '1.1' },
    name: page.name,
    versions: [...new Set(versions)].sort(pep440Order),
    files,
    ...(removed.length === 0 ? {} : { _removed: removed }),
  };
}

/** The entry of a file name that was removed, if it was. */
export function removedEntry(page: Page, filename: string): RemovedFile | undefined {
  return page._removed?.find((r) => r.filename === filename);
}
