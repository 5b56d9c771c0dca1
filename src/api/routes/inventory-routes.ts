/**
 * `GET /-/api/inventory`: every file Airlock holds as a CycloneDX 1.6 SBOM (JSON), streamed as it
 * is read — with `repo=` one repository's, with `usedSince=` (an ISO 8601 instant, or a duration
 * back from now such as 90d, as the CLI takes) only files stored or downloaded since. Reader role, as the vulnerability exposure report. A `repo=` that
 * is neither configured nor holds a file (a repository removed from the configuration still
 * lists the files it holds) is a 400 naming the configured ones, not an empty SBOM.
 */
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { requireRole } from '../../gate/identity.ts';
import { CYCLONEDX_MEDIA_TYPE, cycloneDxInventory, holdsFilesIn, type InventoryDeps } from '../../gate/index.ts';
import { parseWhen } from '../../gate/audit-evidence/index.ts';
import { unknownRepository } from './common.ts';

interface InventoryRequest {
  readonly format: 'cyclonedx';
  readonly repo?: string;
  readonly usedSince?: string;
}

export function inventoryRoutes(app: FastifyInstance, deps: { inventory: InventoryDeps; repositories: readonly { readonly name: string }[] }): void {
  const known = deps.repositories.map((r) => r.name);
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
      if (q.repo !== undefined && !known.includes(q.repo) && !(await holdsFilesIn(deps.inventory.artifacts, q.repo))) {
        throw unknownRepository(q.repo, known, ', and no file held is in a repository of that name');
      }
      const query = { ...(q.repo === undefined ? {} : { repo: q.repo }), ...(q.usedSince === undefined ? {} : { usedSince: parseWhen(q.usedSince, deps.inventory.clock(), 'usedSince') }) };
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
