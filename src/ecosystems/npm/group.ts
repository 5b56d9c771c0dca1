/**
 * A group repository (`kind: group`): one URL in front of several npm repositories, typically a
 * hosted repository and a proxy, so clients need one registry setting. Each package name is
 * served by the first member, in the configured order, that has it, and by that member alone:
 * versions are never merged across members. So a public package can neither add versions to nor
 * replace a package of the same name published to a hosted member listed before the proxy
 * (dependency confusion needs a merge, or a resolver that picks the highest version anywhere).
 * The member serves the request as it would at its own URL (its gate, caches, records and
 * refusals), with the URLs in its answers under the group's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AirlockError, assertNever, isAirlockError, parseNpmPackageName, type Admission, type NpmPackageName } from '../../core/index.ts';
import type { PackageSources } from '../../gate/index.ts';
import type { Json, RequestContext } from '../../storage/ports/index.ts';
import { requestContextOf } from '../../gate/identity.ts';
import { isHostedWrite, npmRoutes, npmWire, queryOf, repositoryUrl, wantsWritable, writeName } from './plugin.ts';
import { auditAdmission } from './audit.ts';
import type { NpmRoute } from './routes.ts';
import { MAX_SEARCH_SIZE, parseSearchQuery, searchQueryString, type SearchResults } from './search.ts';
import { groupLookup, type GroupOptions } from '../shared/group-owners.ts';
import { groupPackageSource } from '../shared/group-source.ts';

/** A repository as a group sees it (the npm plugin gives it through `expose`). */
export interface NpmMember {
  readonly repo: string;
  readonly kind: 'proxy' | 'hosted';
  /** How long this member's answers about a package hold before it asks its origin again. */
  readonly maxAgeMs: number;
  /** A hosted member's publish body limit; null for a proxy. */
  readonly maxWriteBytes: number | null;
  /**
   * Whether the member's origin has the package (its document, from the member's cache while
   * fresh). False only when the origin answered that it has none; any other failure throws, so
   * a group never passes a name on to the next member because the first could not be reached.
   * The name is not reported as missing (the group does that when no member has it).
   */
  has(name: NpmPackageName): Promise<boolean>;
  /** Serves a route as at the member's own URL, with the URLs in the answer under `base`. */
  serve(request: FastifyRequest, reply: FastifyReply, route: NpmRoute, base: string): Promise<FastifyReply>;
  /** `npm search` (the query string) as at the member's own URL, through its gate. */
  search(request: FastifyRequest, query: string): Promise<SearchResults>;
  /** For a write this member takes: checks the publisher (throws) and answers true; false otherwise. */
  authorizeWrite(request: FastifyRequest, route: NpmRoute): boolean;
  /** Tells `listener` of each package name written to the member. */
  onWrite(listener: (name: string) => void): void;
}

export interface NpmGroupOptions extends GroupOptions<NpmMember> {
  /** Where the group registers itself as a package source (the pre-flight check), beside its members. */
  readonly sources?: PackageSources;
  /** Audits at work and waiting, shared by the gateway's npm repositories (default: the group's own). */
  readonly audits?: Admission;
}

function refuse(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(405).header('cache-control', 'no-store').send({ error: message });
}

export async function npmGroupPlugin(fastify: FastifyInstance, options: NpmGroupOptions): Promise<void> {
  const { repo, members, publishTo } = options;
  const { owners, firstProxy, memberNames } = groupLookup(options);
  const prefix = fastify.prefix;
  /** No member has the package: reported as a client's request for a missing name, then refused. */
  const missing = async (name: string, request: RequestContext): Promise<never> => {
    // Only a proxy's upstream can make a name exist for anyone; names not published to a hosted member are nobody's hallucination.
    if (firstProxy !== null) await options.gate.reportMissing('npm', name, request);
    throw new AirlockError('UPSTREAM_NOT_FOUND', `${name} is not in any repository of the group ${repo} (${memberNames})`);
  };
  if (options.sources !== undefined) {
    options.sources.register(groupPackageSource({ repo, ecosystem: 'npm', canonicalName: (name) => parseNpmPackageName(name), owners, sources: options.sources, missing }));
  }

  /** A package's routes go to the member that has the package, and only to it. */
  const byOwner = async (request: FastifyRequest, reply: FastifyReply, route: NpmRoute, name: NpmPackageName): Promise<FastifyReply> => {
    const base = repositoryUrl(options.publicUrl, repo, prefix, request);
    // `npm publish` first reads the packument it is about to add a version to (and refuses to
    // tag a version below one already published `latest`), and npm deprecate and npm unpublish
    // read the one they change (`?write=true`): that is publishTo's, not whichever member serves
    // the name to installs, such as the public package of an internal name.
    if (publishTo !== null && route.kind === 'packument' && (request.headers['npm-command'] === 'publish' || wantsWritable(request))) {
      if (await publishTo.has(name)) return publishTo.serve(request, reply, route, base);
      throw new AirlockError('NOT_FOUND', `${name} has not been published to ${publishTo.repo}`);
    }
    const { member, remembered } = await owners.owner(name);
    if (member === null) return missing(name, requestContextOf(request));
    try {
      return await member.serve(request, reply, route, base);
    } catch (err) {
      // A remembered member that no longer has the package: look again, once.
      if (!remembered || !isAirlockError(err, 'UPSTREAM_NOT_FOUND') || route.kind !== 'packument') throw err;
      owners.forget(name);
      const again = await owners.owner(name);
      if (again.member === null || again.member === member) throw err;
      return again.member.serve(request, reply, route, base);
    }
  };

  /**
   * `npm search` through the group: the hosted members' results, then the first proxy's, each
   * name once and only from the member an install of it would come from (the first that has it):
   * a proxy's result for a name a hosted member has (the public package of an internal name) is
   * left out. Each is asked
   * for the first `from + size` results; the page is cut from the merged list.
   */
  const search = async (request: FastifyRequest, reply: FastifyReply, query: string): Promise<FastifyReply> => {
    const q = parseSearchQuery(query);
    const sources = [...members.filter((m) => m.kind === 'hosted'), ...(firstProxy === null ? [] : [firstProxy])];
    const sub = searchQueryString({ ...q, from: 0, size: Math.min(q.from + q.size, MAX_SEARCH_SIZE) });
    const answers = await Promise.all(
      sources.map(async (m) => {
        try {
          return await m.search(request, sub);
        } catch (err) {
          // An upstream without search leaves the hosted members' results.
          if (m.kind === 'proxy' && sources.length > 1 && isAirlockError(err, 'NOT_FOUND')) return null;
          throw err;
        }
      }),
    );
    const shown = new Set<string>();
    const objects: Json[] = [];
    let total = 0;
    for (const [i, answer] of answers.entries()) {
      if (answer === null) continue;
      const member = sources[i] as NpmMember;
      total += answer.total;
      const names = answer.objects.map((o) => (o as { readonly package: { readonly name: NpmPackageName } }).package.name);
      // Which member has each name (remembered, or asked of the members at once).
      const ownersOf = await Promise.all(names.map((name) => owners.owner(name).then((r) => r.member, () => null)));
      for (const [j, o] of answer.objects.entries()) {
        const name = names[j] as NpmPackageName;
        if (shown.has(name) || ownersOf[j] !== member) {
          total--;
          continue;
        }
        shown.add(name);
        objects.push(o);
      }
    }
    const time = answers.find((a) => a !== null)?.time ?? (options.clock ?? (() => new Date()))().toISOString();
    return reply.headers({ 'content-type': 'application/json', 'cache-control': 'no-cache' }).send({ objects: objects.slice(q.from, q.from + q.size), total: Math.max(total, objects.length), time });
  };

  /** Routes about no package in particular go to the first proxy (its upstream's keys and audit). */
  const byProxy = (request: FastifyRequest, reply: FastifyReply, route: NpmRoute, what: string): Promise<FastifyReply> => {
    if (firstProxy === null) throw new AirlockError('NOT_FOUND', `${what} is not available through the group ${repo}: none of its repositories (${memberNames}) is a proxy`);
    return firstProxy.serve(request, reply, route, repositoryUrl(options.publicUrl, repo, prefix, request));
  };

  const serveRoute = async (request: FastifyRequest, reply: FastifyReply, route: NpmRoute): Promise<FastifyReply> => {
    if (isHostedWrite(route)) {
      if (publishTo === null) return refuse(reply, `${writeName(route)} through the group ${repo} is not set up: publish to a hosted repository, or name one in the group's publishTo`);
      owners.forget(route.name);
      return publishTo.serve(request, reply, route, repositoryUrl(options.publicUrl, repo, prefix, request));
    }
    switch (route.kind) {
      case 'packument':
      case 'version':
      case 'tarball':
      case 'dist-tags':
      case 'attestations':
        return byOwner(request, reply, route, route.name);
      case 'ping':
        return reply.send({});
      case 'whoami':
        return (members[0] as NpmMember).serve(request, reply, route, repositoryUrl(options.publicUrl, repo, prefix, request));
      case 'keys':
        return byProxy(request, reply, route, "the registry's signing keys");
      case 'audit':
        return byProxy(request, reply, route, 'security audit');
      case 'search':
        return search(request, reply, queryOf(request));
      case 'unsupported':
        return refuse(reply, `${route.what} is not supported through the group ${repo}`);
      case 'unknown':
        throw new AirlockError('NOT_FOUND', `not found: ${request.method} ${request.url.split('?')[0]?.slice(0, 200) ?? ''}`);
      default:
        return assertNever(route, 'npm route');
    }
  };

  npmWire(fastify);
  npmRoutes(fastify, {
    serveRoute,
    maxWriteBytes: publishTo?.maxWriteBytes ?? null,
    authorizeWrite: (request, route) => publishTo !== null && isHostedWrite(route) && publishTo.authorizeWrite(request, route),
    audits: options.audits ?? auditAdmission(),
  });
}
