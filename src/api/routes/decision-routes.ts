/** Decisions recorded for a package version (newest first). */
import type { FastifyInstance } from 'fastify';
import { requireRole } from '../../gate/identity.ts';
import type { DecisionLog } from '../../storage/ports/index.ts';
import { canonicalPurl, pageQuery } from './common.ts';

export function decisionRoutes(app: FastifyInstance, deps: { decisions: DecisionLog }): void {
  app.get<{ Querystring: { purl?: string; limit: number; cursor?: string } }>(
    '/decisions',
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { purl: { type: 'string', maxLength: 1024 }, ...pageQuery } },
      },
    },
    async (request) => {
      requireRole(request.identity, 'reader');
      const q = request.query;
      return deps.decisions.listDecisions({
        limit: q.limit,
        ...(q.purl === undefined ? {} : { purl: canonicalPurl(q.purl) }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      });
    },
  );
}
