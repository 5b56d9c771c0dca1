/**
 * An oci group repository (`kind: group`): one registry path in front of several oci
 * repositories, typically a hosted repository and a proxy of Docker Hub, so that internal images
 * and public ones are both `<host>/<group>/<image>` (Artifactory's virtual docker repositories,
 * Harbor's projects). Each image repository name (`team/app`, `library/alpine`) is served by the
 * first member, in the configured order, that has it, and by that member alone — every manifest,
 * tag list, referrer and blob of it: a public image can neither add tags to nor stand in for an
 * image of the same name pushed to a hosted member listed before the proxy (dependency
 * confusion). The member serves the request as at its own URL (its gate, its admitted images, its
 * refusals): a blob goes out only as part of an image that member admitted under that name.
 * Pushes, uploads and deletes go to `publishTo`.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AirlockError, isAirlockError } from '../../core/index.ts';
import { requestContextOf } from '../../gate/identity.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import type { PackageSources } from '../../gate/index.ts';
import { groupLookup, type GroupOptions } from '../shared/group-owners.ts';
import { ociGroupSource } from './check-source.ts';
import { rawTarget } from '../shared/http.ts';
import type { OciMember } from './member.ts';
import { ociErrorHandler, sendOciError } from './plugin.ts';
import { parseTarget, type Target } from './references.ts';

function isNameUnknown(err: unknown): boolean {
  return isAirlockError(err) && err.details['ociCode'] === 'NAME_UNKNOWN';
}

export interface OciGroupOptions extends GroupOptions<OciMember> {
  /** Where the group registers itself as a package source (the pre-flight check), beside its members. */
  readonly sources?: PackageSources;
}

export async function ociGroupPlugin(fastify: FastifyInstance, options: OciGroupOptions): Promise<void> {
  const { repo, publishTo } = options;
  const { owners, firstProxy, memberNames } = groupLookup(options);
  if (options.sources !== undefined) {
    // Only a proxy's upstream can make a name exist for anyone (as `missing` below).
    const reportMissing = async (name: string, request: RequestContext): Promise<void> => (firstProxy === null ? undefined : options.gate.reportMissing('oci', name, request));
    options.sources.register(ociGroupSource({ repo, owners, sources: options.sources, memberNames, reportMissing }));
  }
  const prefix = fastify.prefix;
  // A push's bodies stream to publishTo's blob store; a refused one's are drained.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  /** No member has the image repository: reported as a client's request for a missing name (when a proxy could have had it), then refused. */
  async function missing(request: FastifyRequest, name: string): Promise<never> {
    // Only a proxy's upstream can make a name exist for anyone; names not pushed to a hosted member are nobody's hallucination.
    if (firstProxy !== null) await options.gate.reportMissing('oci', name, requestContextOf(request));
    throw new AirlockError('NOT_FOUND', `the image repository ${name} is not in any repository of the group ${repo} (${memberNames})`, { details: { ociCode: 'NAME_UNKNOWN' } });
  }

  /** A read of an image repository goes to the member that has it, and only to it. */
  async function read(request: FastifyRequest, reply: FastifyReply, target: Target, query: URLSearchParams): Promise<FastifyReply> {
    if (target.kind === 'upload') return write(request, reply, target, query);
    const { member, remembered } = await owners.owner(target.name);
    if (member === null) {
      // What a pushing client asks before it pushes a new image (has the blob been uploaded? which
      // referrers are there?) is publishTo's to answer; it never serves an image it does not have.
      if (publishTo !== null && (target.kind === 'blob' || target.kind === 'referrers')) return publishTo.read(request, reply, target, query, prefix);
      if (target.kind === 'blob') throw new AirlockError('NOT_FOUND', `${target.name}: no repository of the group ${repo} has this image repository, so it serves none of its blobs`, { details: { ociCode: 'BLOB_UNKNOWN' } });
      return missing(request, target.name);
    }
    try {
      return await member.read(request, reply, target, query, prefix);
    } catch (err) {
      // A remembered member that no longer has the image repository: look again, once.
      if (!remembered || !isNameUnknown(err)) throw err;
      owners.forget(target.name);
      const again = await owners.owner(target.name);
      if (again.member === member) throw err;
      if (again.member === null) return missing(request, target.name);
      return again.member.read(request, reply, target, query, prefix);
    }
  }

  /** Pushes, uploads and deletes go to publishTo, whichever member serves the name to pulls. */
  async function write(request: FastifyRequest, reply: FastifyReply, target: Target, query: URLSearchParams): Promise<FastifyReply> {
    if (publishTo === null) {
      throw new AirlockError('BAD_REQUEST', `pushing through the group ${repo} is not set up: push to a hosted oci repository, or name one in the group's publishTo`, { details: { ociCode: 'UNSUPPORTED', ociStatus: 405 } });
    }
    return publishTo.write(request, reply, target, query, prefix);
  }

  ociErrorHandler(fastify);
  fastify.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/*',
    handler: async (request, reply) => {
      let kind: Target['kind'] | null = null;
      try {
        const { path, query } = rawTarget(request, prefix);
        const target = parseTarget(path);
        kind = target.kind;
        if (request.method === 'GET' || request.method === 'HEAD') return await read(request, reply, target, query);
        return await write(request, reply, target, query);
      } catch (err) {
        // The body a refused write did not read is drained, so the connection can be used again.
        if (request.body instanceof Readable) request.body.resume();
        return sendOciError(request, reply, err, kind);
      }
    },
  });
}
