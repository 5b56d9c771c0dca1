/** Quarantine records: list (filters, cursor paging), show, what changed (and a file's diff), release, reject. */
import type { FastifyInstance } from 'fastify';
import { AirlockError } from '../../core/index.ts';
import { parseExpiry } from '../../gate/duration.ts';
import { actorOf, requestContextOf, requireRole } from '../../gate/identity.ts';
import type { QuarantineService } from '../../gate/quarantine-service.ts';
import type { VersionChanges } from '../../gate/version-changes.ts';
import type { QuarantineFilter, QuarantineState } from '../../storage/ports/index.ts';
import { canonicalPurl, idParams, pageQuery } from './common.ts';

interface ListQuery {
  readonly state?: QuarantineState;
  readonly purl?: string;
  readonly limit: number;
  readonly cursor?: string;
}

interface ReviewBody {
  readonly reason: string;
  readonly expires?: string | null;
}

const reviewBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    expires: { type: ['string', 'null'], maxLength: 64 },
  },
} as const;

export function quarantineRoutes(app: FastifyInstance, deps: { quarantine: QuarantineService; changes: VersionChanges; clock: () => Date }): void {
  app.get<{ Querystring: ListQuery }>(
    '/quarantine',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { state: { type: 'string', enum: ['quarantined', 'released', 'rejected'] }, purl: { type: 'string', maxLength: 1024 }, ...pageQuery },
        },
      },
    },
    async (request) => {
      requireRole(request.identity, 'reader');
      const q = request.query;
      const filter: QuarantineFilter = {
        limit: q.limit,
        ...(q.state === undefined ? {} : { state: q.state }),
        ...(q.purl === undefined ? {} : { purl: canonicalPurl(q.purl) }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      };
      return deps.quarantine.list(filter);
    },
  );

  app.get<{ Params: { id: string } }>('/quarantine/:id', { schema: { params: idParams } }, async (request) => {
    requireRole(request.identity, 'reader');
    return deps.quarantine.get(request.params.id);
  });

  // What the held version changed since the package's version before it: files and install scripts.
  app.get<{ Params: { id: string } }>('/quarantine/:id/changes', { schema: { params: idParams } }, async (request) => {
    requireRole(request.identity, 'reader');
    return deps.changes.of(await deps.quarantine.get(request.params.id), requestContextOf(request));
  });

  // One file's line diff against the version before (`path` as the changes list names it).
  app.get<{ Params: { id: string }; Querystring: { path: string } }>(
    '/quarantine/:id/changes/diff',
    { schema: { params: idParams, querystring: { type: 'object', required: ['path'], additionalProperties: false, properties: { path: { type: 'string', minLength: 1, maxLength: 1024 } } } } },
    async (request) => {
      requireRole(request.identity, 'reader');
      return deps.changes.diff(await deps.quarantine.get(request.params.id), request.query.path, requestContextOf(request));
    },
  );

  app.post<{ Params: { id: string }; Body: ReviewBody }>(
    '/quarantine/:id/release',
    { schema: { params: idParams, body: reviewBody } },
    async (request) => {
      requireRole(request.identity, 'approver');
      const { reason, expires } = request.body;
      const expiresAt = expires === undefined || expires === null ? null : parseExpiry(expires, deps.clock());
      return deps.quarantine.release(request.params.id, { actor: actorOf(request.identity), reason, expiresAt });
    },
  );

  app.post<{ Params: { id: string }; Body: ReviewBody }>(
    '/quarantine/:id/reject',
    { schema: { params: idParams, body: reviewBody } },
    async (request) => {
      requireRole(request.identity, 'approver');
      if (request.body.expires !== undefined && request.body.expires !== null) {
        throw new AirlockError('BAD_REQUEST', 'a rejection does not expire');
      }
      return deps.quarantine.reject(request.params.id, { actor: actorOf(request.identity), reason: request.body.reason });
    },
  );
}
