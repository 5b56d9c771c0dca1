/** Policy exceptions (time-boxed waivers of quarantine rules): list (reader), create/delete (approver). */
import type { FastifyInstance } from 'fastify';
import type { Ecosystem } from '../../core/index.ts';
import { parseExpiry } from '../../gate/duration.ts';
import type { ExceptionService } from '../../gate/exception-service.ts';
import { actorOf, requireRole } from '../../gate/identity.ts';
import { idParams, pageQuery } from './common.ts';

interface CreateBody {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version?: string | null;
  readonly rules?: string[];
  readonly reason: string;
  readonly expires?: string | null;
}

export function exceptionRoutes(app: FastifyInstance, deps: { exceptions: ExceptionService; clock: () => Date }): void {
  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/exceptions',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } } } },
    async (request) => {
      requireRole(request.identity, 'reader');
      const q = request.query;
      return deps.exceptions.list({ limit: q.limit, ...(q.cursor === undefined ? {} : { cursor: q.cursor }) });
    },
  );

  app.post<{ Body: CreateBody }>(
    '/exceptions',
    {
      schema: {
        body: {
          type: 'object',
          required: ['ecosystem', 'name', 'reason'],
          additionalProperties: false,
          properties: {
            ecosystem: { type: 'string', enum: ['npm', 'pypi', 'oci', 'huggingface'] },
            name: { type: 'string', minLength: 1, maxLength: 256 },
            version: { type: ['string', 'null'], maxLength: 256 },
            rules: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 200 } },
            reason: { type: 'string', minLength: 1, maxLength: 2000 },
            expires: { type: ['string', 'null'], maxLength: 64 },
          },
        },
      },
    },
    async (request, reply) => {
      requireRole(request.identity, 'approver');
      const b = request.body;
      const rec = await deps.exceptions.create({
        ecosystem: b.ecosystem,
        name: b.name,
        version: b.version ?? null,
        rules: b.rules ?? [],
        reason: b.reason,
        expiresAt: b.expires === undefined || b.expires === null ? null : parseExpiry(b.expires, deps.clock()),
        actor: actorOf(request.identity),
      });
      return reply.code(201).send(rec);
    },
  );

  app.delete<{ Params: { id: string } }>('/exceptions/:id', { schema: { params: idParams } }, async (request, reply) => {
    requireRole(request.identity, 'approver');
    await deps.exceptions.delete(request.params.id, actorOf(request.identity));
    return reply.code(204).send();
  });
}
