/**
 * An npm hosted repository's packages as the npm plugin reads them: the shared hosted origin
 * (`../../shared/hosted-origin.ts`) with npm's layout — a packument at `<name>` (`@scope%2fname`),
 * a tarball at `<name>/-/<file>`, and the repository's search at `-/v1/search`.
 */
import { AirlockError, parseNpmPackageName, type NpmPackageName } from '../../../core/index.ts';
import type { BlobReader, HostedPackageStore } from '../../../storage/ports/index.ts';
import { decodedPath, HostedStoreOrigin, type HostedLayout } from '../../shared/hosted-origin.ts';
import { HostedSearch } from './search-index.ts';

export { hostedBase, hostedEtag, hostedRev, isUnpublished } from '../../shared/hosted-origin.ts';

function npmLayout(repo: string, search: HostedSearch): HostedLayout {
  const nameOf = (path: string): NpmPackageName => parseNpmPackageName(decodedPath(repo, path));
  return {
    contentType: 'application/json',
    async document(url) {
      if (url.pathname === '/-/v1/search') return { kind: 'answer', body: await search.answer(url.search.slice(1)), contentType: 'application/json' };
      const path = url.pathname.slice(1);
      if (path.startsWith('-/')) throw new AirlockError('UPSTREAM_NOT_FOUND', `hosted repository ${repo} has no ${path.slice(0, 100)}`);
      return { kind: 'package', name: nameOf(path) };
    },
    file(path) {
      const at = path.lastIndexOf('/-/');
      if (at <= 0) throw new AirlockError('UPSTREAM_NOT_FOUND', `hosted repository ${repo} has no file at ${path.slice(0, 200)}`);
      return { name: nameOf(path.slice(0, at)), filename: decodedPath(repo, path.slice(at + 3)) };
    },
    saw: (pkg) => search.saw(pkg),
  };
}

export class HostedOrigin extends HostedStoreOrigin {
  constructor(repo: string, store: HostedPackageStore, blobs: BlobReader, clock?: () => Date) {
    super(repo, store, blobs, npmLayout(repo, new HostedSearch(repo, store, clock)));
  }
}
