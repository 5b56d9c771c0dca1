/**
 * The audit trail, ascending by seq: `GET /-/api/audit?after=<seq>&limit=<n>` answers
 * `{items, next}` where `next` is the `after` for the following page (null at the end).
 */
import type { FastifyInstance } from 'fastify';
import { requireRole } from '../../gate/identity.ts';
import type { AuditLog } from '../../storage/ports/index.ts';

export function auditRoutes(app: FastifyInstance, deps: { audit: AuditLog }): void {
  app.get<{ Querystring: { after: number; limit: number } }>(
    '/audit',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (request) => {
      requireRole(request.identity, 'approver');
      const { after, limit } = request.query;
      const items = await deps.audit.listAudit({ afterSeq: after, limit });
      const last = items[items.length - 1];
      return { items, next: items.length === limit && last !== undefined ? last.seq : null };
    },
  );
}
