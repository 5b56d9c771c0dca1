/**
 * A pypi hosted repository's projects as the pypi plugin reads them: the shared hosted origin
 * with PyPI's layout — a project's page (PEP 691 JSON, as the upload service keeps it) at
 * `<project>/`, its files at `<project>/<filename>`. So an uploaded file takes the proxy's whole
 * path to pip: page parsed and judged, file verified against the page's sha256, inspected and
 * judged before its first byte is served. A wheel's core metadata (PEP 658), kept at upload as the
 * file `<filename>.metadata`, is a document at `<project>/<filename>.metadata`: the proxy fetches
 * it as it fetches an index's, checks it against the page's `core-metadata` sha256 and serves it
 * for a version the gate allows.
 */
import { AirlockError, normalizePypiName, type PypiProjectName } from '../../../core/index.ts';
import type { BlobReader, HostedPackageStore } from '../../../storage/ports/index.ts';
import { decodedPath, hostedBase, HostedStoreOrigin, type HostedLayout } from '../../shared/hosted-origin.ts';
import { SIMPLE_JSON } from '../simple-page.ts';

/** Where a hosted project's file is, on the origin's own base. */
export function hostedFileUrl(repo: string, name: PypiProjectName, filename: string): string {
  return new URL(`${name}/${encodeURIComponent(filename)}`, hostedBase(repo)).href;
}

function pypiLayout(repo: string, store: HostedPackageStore, blobs: BlobReader): HostedLayout {
  const nothing = (path: string): never => {
    throw new AirlockError('UPSTREAM_NOT_FOUND', `hosted repository ${repo} has nothing at ${path.slice(0, 200)}`);
  };
  const project = (raw: string, path: string): PypiProjectName => {
    const name = decodedPath(repo, raw);
    try {
      const normalized = normalizePypiName(name);
      if (normalized === name) return normalized;
    } catch {
      // not a project name
    }
    return nothing(path);
  };
  const file = (path: string): { name: PypiProjectName; filename: string } => {
    const slash = path.indexOf('/');
    if (slash <= 0 || path.indexOf('/', slash + 1) !== -1) return nothing(path);
    return { name: project(path.slice(0, slash), path), filename: decodedPath(repo, path.slice(slash + 1)) };
  };
  return {
    contentType: SIMPLE_JSON,
    async document(url) {
      const path = url.pathname.slice(1);
      if (path.endsWith('.metadata')) {
        const { name, filename } = file(path);
        const pkg = await store.getHostedPackage(repo, name);
        const kept = pkg !== null && Object.hasOwn(pkg.files, filename) ? pkg.files[filename] : undefined;
        if (kept === undefined) return nothing(path);
        const body = await blobs.read(kept.blob, { maxBytes: kept.size });
        if (body === null) throw new AirlockError('STORAGE_ERROR', `${filename} of ${name}, kept by ${repo}, is missing from the blob store`);
        return { kind: 'answer', body, contentType: 'application/octet-stream' };
      }
      if (!path.endsWith('/') || path.indexOf('/') !== path.length - 1) return nothing(path);
      return { kind: 'package', name: project(path.slice(0, -1), path) };
    },
    file,
  };
}

export class PypiHostedOrigin extends HostedStoreOrigin {
  constructor(repo: string, store: HostedPackageStore, blobs: BlobReader) {
    super(repo, store, blobs, pypiLayout(repo, store, blobs));
  }
}
