/**
 * `GET /v2/_catalog` (a Docker extension of the distribution API, protocols: oci.md §1): the image
 * repositories of the hosted oci repositories, as clients name them (`<repository>/<image>`),
 * sorted, in pages (`n`, `last`, `Link: <…>; rel="next"`). A proxy lists nothing: its upstream's
 * catalog is not Airlock's to list (and most registries refuse it). A page holds at most
 * `MAX_CATALOG_PAGE` names, and each listing keeps no more of a repository's names than that
 * page needs.
 */
import { requireRepositoryInScope, type Identity } from '../../gate/identity.ts';
import { pageSize } from './backend.ts';

/** A repository whose image repositories the catalog lists: a hosted one's names, null for a proxy's. */
export interface CatalogSource {
  readonly repo: string;
  names(): Promise<readonly string[]> | null;
}

/** Names in a page when the client does not say (distribution's default). */
export const DEFAULT_CATALOG_PAGE = 100;
/** Names in a page, at most. */
export const MAX_CATALOG_PAGE = 1000;
/** How far `last` is read (a repository and an image name). */
const MAX_LAST = 64 + 1 + 255;

export interface CatalogPage {
  readonly repositories: readonly string[];
  /** The `Link` header of the next page; null: this is the last. */
  readonly next: string | null;
}

/** The page size and the name to start after, from the query (`n`, `last`). */
export function catalogQuery(query: URLSearchParams): { readonly n: number; readonly last: string | null } {
  const last = query.get('last');
  return { n: pageSize(query, MAX_CATALOG_PAGE) ?? DEFAULT_CATALOG_PAGE, last: last === null ? null : last.slice(0, MAX_LAST) };
}

/**
 * The page of `<repo>/<name>` entries after `last` (sorted by code unit, as the spec's lexical
 * order), at most `n`, from each repository's names. Only the first `n + 1` of each repository
 * past `last` are kept while the page is cut.
 */
export function catalogPage(lists: readonly { readonly repo: string; readonly names: readonly string[] }[], n: number, last: string | null, path: string): CatalogPage {
  const after = (s: string): boolean => last === null || s > last;
  const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const candidates: string[] = [];
  for (const { repo, names } of lists) {
    const full = names.map((name) => `${repo}/${name}`).filter(after).sort(byCodeUnit);
    candidates.push(...full.slice(0, n + 1));
  }
  candidates.sort(byCodeUnit);
  const repositories = candidates.slice(0, n);
  const more = candidates.length > repositories.length && repositories.length > 0;
  const next = more ? `<${path}?${new URLSearchParams({ n: String(n), last: repositories[repositories.length - 1] as string }).toString()}>; rel="next"` : null;
  return { repositories, next };
}

/** The catalog page the identity may see: the hosted repositories its token's scope reaches. */
export async function listCatalog(sources: readonly CatalogSource[], identity: Identity, query: URLSearchParams, path: string): Promise<CatalogPage> {
  const { n, last } = catalogQuery(query);
  const lists: { repo: string; names: readonly string[] }[] = [];
  for (const source of sources) {
    if (!inScope(identity, source.repo)) continue;
    const names = await source.names();
    if (names !== null) lists.push({ repo: source.repo, names });
  }
  return catalogPage(lists, n, last, path);
}

function inScope(identity: Identity, repo: string): boolean {
  try {
    requireRepositoryInScope(identity, repo);
    return true;
  } catch {
    return false;
  }
}
