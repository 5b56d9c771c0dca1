/**
 * A pypi hosted repository's projects as the pypi plugin reads them: the shared hosted origin
 * with PyPI's layout — a project's page (PEP 691 JSON, as the upload service keeps it) at
 * `<project>/`, its files at `<project>/<filename>`. So an uploaded file takes the proxy's whole
 * path to pip: page parsed and judged, file verified against the page's sha256, inspected and
 * judged before its first byte is served.
 */
import { AirlockError, normalizePypiName, type PypiProjectName } from '../../../core/index.ts';
import type { BlobReader, HostedPackageStore } from '../../../storage/ports/index.ts';
import { decodedPath, hostedBase, HostedStoreOrigin, type HostedLayout } from '../../shared/hosted-origin.ts';
import { SIMPLE_JSON } from '../simple-page.ts';

/** Where a hosted project's file is, on the origin's own base. */
export function hostedFileUrl(repo: string, name: PypiProjectName, filename: string): string {
  return new URL(`${name}/${encodeURIComponent(filename)}`, hostedBase(repo)).href;
}

function pypiLayout(repo: string): HostedLayout {
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
  return {
    contentType: SIMPLE_JSON,
    async document(url) {
      const path = url.pathname.slice(1);
      if (!path.endsWith('/') || path.indexOf('/') !== path.length - 1) return nothing(path);
      return { kind: 'package', name: project(path.slice(0, -1), path) };
    },
    file(path) {
      const slash = path.indexOf('/');
      if (slash <= 0 || path.indexOf('/', slash + 1) !== -1) return nothing(path);
      return { name: project(path.slice(0, slash), path), filename: decodedPath(repo, path.slice(slash + 1)) };
    },
  };
}

export class PypiHostedOrigin extends HostedStoreOrigin {
  constructor(repo: string, store: HostedPackageStore, blobs: BlobReader) {
    super(repo, store, blobs, pypiLayout(repo));
  }
}
