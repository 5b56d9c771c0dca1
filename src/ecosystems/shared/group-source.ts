/**
 * A group repository as a package source for the pre-flight check: each package as the member
 * that serves it through the group lists it (the first that has it), whatever the format.
 */
import { AirlockError, type Ecosystem } from '../../core/index.ts';
import type { PackageSource, PackageSources } from '../../gate/index.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import type { GroupMember, GroupOwners } from './group-owners.ts';

export interface GroupSourceOptions<M extends GroupMember & { readonly repo: string }> {
  readonly repo: string;
  readonly ecosystem: Ecosystem;
  /** The canonical spelling of a name (throws INVALID_NAME). */
  readonly canonicalName: (name: string) => string;
  readonly owners: GroupOwners<M>;
  /** Where the members registered their sources. */
  readonly sources: PackageSources;
  /** No member has the package: reported as a client's request would be, then UPSTREAM_NOT_FOUND thrown. */
  readonly missing: (name: string, request: RequestContext) => Promise<never>;
}

export function groupPackageSource<M extends GroupMember & { readonly repo: string }>(o: GroupSourceOptions<M>): PackageSource {
  const sourceOf = async (name: string, request: RequestContext): Promise<PackageSource> => {
    const canonical = o.canonicalName(name);
    const { member } = await o.owners.owner(canonical);
    return member === null ? o.missing(canonical, request) : o.sources.find(o.ecosystem, member.repo);
  };
  return {
    repo: o.repo,
    ecosystem: o.ecosystem,
    canonicalName: o.canonicalName,
    async listing(name, request) {
      const source = await sourceOf(name, request);
      if (source.listing === undefined) throw new AirlockError('BAD_REQUEST', `repository ${source.repo} does not list its versions`);
      return source.listing(name, request);
    },
    async files(name, version, request) {
      const source = await sourceOf(name, request);
      if (source.files === undefined) throw new AirlockError('BAD_REQUEST', `repository ${source.repo} cannot list a version's files`);
      return source.files(name, version, request);
    },
    async readFiles(name, version, paths, bounds, request) {
      const source = await sourceOf(name, request);
      if (source.readFiles === undefined) throw new AirlockError('BAD_REQUEST', `repository ${source.repo} cannot read a version's files`);
      return source.readFiles(name, version, paths, bounds, request);
    },
  };
}
