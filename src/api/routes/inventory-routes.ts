/**
 * `GET /-/api/inventory`: every file Airlock holds as a CycloneDX 1.6 SBOM (JSON), streamed as it
 * is read — with `repo=` one repository's, with `usedSince=` (an ISO 8601 instant) only files
 * stored or downloaded since. Reader role, as the vulnerability exposure report.
 */
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { requireRole } from '../../gate/identity.ts';
import { CYCLONEDX_MEDIA_TYPE, cycloneDxInventory, type InventoryDeps } from '../../gate/index.ts';
import { parseInstant } from '../../gate/audit-evidence/index.ts';

interface InventoryRequest {
  readonly format: 'cyclonedx';
  readonly repo?: string;
  readonly usedSince?: string;
}

export function inventoryRoutes(app: FastifyInstance, deps: { inventory: InventoryDeps }): void {
  app.get<{ Querystring: InventoryRequest }>(
    '/inventory',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            format: { type: 'string', enum: ['cyclonedx'], default: 'cyclonedx' },
            repo: { type: 'string', minLength: 1, maxLength: 64 },
            usedSince: { type: 'string', minLength: 1, maxLength: 40 },
          },
        },
      },
    },
    async (request, reply) => {
      requireRole(request.identity, 'reader');
      const q = request.query;
      const query = { ...(q.repo === undefined ? {} : { repo: q.repo }), ...(q.usedSince === undefined ? {} : { usedSince: parseInstant(q.usedSince, 'usedSince') }) };
      const pieces = cycloneDxInventory(deps.inventory, query);
      // The first piece before the status is sent: a store that cannot be read answers an error, not a cut SBOM.
      const first = await pieces.next();
      async function* all(): AsyncGenerator<string> {
        if (first.done !== true) yield first.value;
        yield* pieces;
      }
      return reply.type(CYCLONEDX_MEDIA_TYPE).header('cache-control', 'no-store').send(Readable.from(all()));
    },
  );
}
