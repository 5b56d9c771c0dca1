/**
 * A pypi group repository (`kind: group`): one index URL in front of several pypi repositories,
 * typically a hosted repository and a proxy, so pip needs one `--index-url` and no
 * `--extra-index-url` (whose best-version-wins merge is dependency confusion, pypi.md §11). Each
 * project is served by the first member, in the configured order, that has it, and by that member
 * alone: files are never merged across members, so a public project can neither add files to nor
 * replace a project of the same name uploaded to a hosted member listed before the proxy. The
 * member serves the request as at its own URL (its gate, caches, records and refusals), with the
 * file URLs on its page under the group's, and files are routed by their project the same way.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AirlockError, normalizePypiName, type PypiProjectName } from '../../core/index.ts';
import type { PackageSources } from '../../gate/index.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import { requestContextOf } from '../../gate/identity.ts';
import { repositoryUrl } from '../shared/base-url.ts';
import { groupLookup, type GroupOptions } from '../shared/group-owners.ts';
import { groupPackageSource } from '../shared/group-source.ts';
import type { PypiMember } from './member.ts';
import { pypiRoutes, sendRoot } from './routes.ts';

export interface PypiGroupOptions extends GroupOptions<PypiMember> {
  /** Where the group registers itself as a package source (the pre-flight check), beside its members. */
  readonly sources?: PackageSources;
}

export async function pypiGroupPlugin(fastify: FastifyInstance, options: PypiGroupOptions): Promise<void> {
  const { repo, members, publishTo } = options;
  const { owners, firstProxy, memberNames } = groupLookup(options);
  const hasProxy = firstProxy !== null;
  const base = (request: FastifyRequest): string => repositoryUrl(options.publicUrl, repo, fastify.prefix, request);

  /** No member has the project: reported as a client's request for a missing name (when a proxy could have had it), then refused. */
  const missing = async (name: string, request: RequestContext): Promise<never> => {
    // Only a proxy's upstream can make a name exist for anyone; names not uploaded to a hosted member are nobody's hallucination.
    if (hasProxy) await options.gate.reportMissing('pypi', name, request);
    throw new AirlockError('UPSTREAM_NOT_FOUND', `${name} is not in any repository of the group ${repo} (${memberNames})`);
  };
  /** The member serving the project. */
  const ownerOf = async (request: FastifyRequest, name: PypiProjectName): Promise<{ readonly member: PypiMember; readonly remembered: boolean }> => {
    const { member, remembered } = await owners.owner(name);
    return member !== null ? { member, remembered } : missing(name, requestContextOf(request));
  };
  if (options.sources !== undefined) {
    options.sources.register(groupPackageSource({ repo, ecosystem: 'pypi', canonicalName: (name) => normalizePypiName(name), owners, sources: options.sources, missing }));
  }

  pypiRoutes(fastify, {
    base,
    async root(request, reply) {
      // A proxy lists no projects: a list of the hosted members' alone would pass for the whole index.
      if (hasProxy) throw new AirlockError('NOT_FOUND', `the group ${repo} does not list every project (its proxies list none); ask for a project page, /simple/<project>/`);
      const names = new Set<string>();
      for (const m of members) for (const n of (await m.projects()) ?? []) names.add(n);
      return sendRoot(request, reply, [...names].sort());
    },
    async page(request, reply, name) {
      const { member, remembered } = await ownerOf(request, name);
      try {
        return await member.page(request, reply, name, base(request));
      } catch (err) {
        // A remembered member that no longer has the project: look again, once.
        if (!remembered || !(err instanceof AirlockError) || err.code !== 'UPSTREAM_NOT_FOUND') throw err;
        owners.forget(name);
        const again = await ownerOf(request, name);
        if (again.member === member) throw err;
        return again.member.page(request, reply, name, base(request));
      }
    },
    async file(request, reply, route) {
      const { member } = await ownerOf(request, route.name);
      return member.file(request, reply, route);
    },
    upload:
      publishTo === null
        ? async () => {
            throw Object.assign(new Error(`uploads through the group ${repo} are not set up: upload to a hosted repository, or name one in the group's publishTo`), { statusCode: 405 });
          }
        : (request, reply) => publishTo.upload(request, reply),
    // Releases are changed where they were uploaded: the repository the group publishes to.
    release:
      publishTo === null
        ? async () => {
            throw Object.assign(new Error(`releases cannot be changed through the group ${repo}: it has no publishTo; change them at the hosted repository`), { statusCode: 405 });
          }
        : (request, reply, route) => publishTo.release(request, reply, route),
  });
}
