/**
 * Risk-signal reports: `GET /-/api/signals/missing` — the names clients asked for that the
 * upstream did not have (the hallucination tripwire), most requested first, with who asked.
 */
import type { FastifyInstance } from 'fastify';
import type { Ecosystem } from '../../core/index.ts';
import { requireRole } from '../../gate/identity.ts';
import type { MissingNameLedger } from '../../storage/ports/index.ts';

interface MissingQuery {
  readonly ecosystem?: Ecosystem;
  readonly includeAppeared?: boolean;
  readonly limit: number;
}

export function signalRoutes(app: FastifyInstance, deps: { missing: MissingNameLedger }): void {
  app.get<{ Querystring: MissingQuery }>(
    '/signals/missing',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ecosystem: { type: 'string', enum: ['npm', 'pypi', 'oci', 'huggingface'] },
            includeAppeared: { type: 'boolean', default: true },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (request) => {
      requireRole(request.identity, 'reader');
      const q = request.query;
      const items = await deps.missing.topMissing({
        limit: q.limit,
        includeAppeared: q.includeAppeared ?? true,
        ...(q.ecosystem === undefined ? {} : { ecosystem: q.ecosystem }),
      });
      return {
        items: items.map((r) => ({
          ecosystem: r.ecosystem,
          name: r.name,
          count: r.count,
          firstAskedAt: r.firstAskedAt,
          lastAskedAt: r.lastAskedAt,
          appearedAt: r.appearedAt,
          askers: r.askers,
        })),
      };
    },
  );
}
