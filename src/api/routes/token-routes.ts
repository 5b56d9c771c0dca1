/** API tokens (admin only): create (the secret is in the response, once), list (newest first, cursor paging), revoke. */
import type { FastifyInstance } from 'fastify';
import { parseExpiry } from '../../gate/duration.ts';
import { actorOf, requireRole } from '../../gate/identity.ts';
import { scopeRequest, type TokenService } from '../auth/token-service.ts';
import { idParams, pageQuery, unknownRepository } from './common.ts';

interface CreateBody {
  readonly role: string;
  readonly label?: string;
  readonly expires?: string | null;
  readonly scope?: unknown;
}

export function tokenRoutes(app: FastifyInstance, deps: { tokens: TokenService; clock: () => Date; repositories: readonly { readonly name: string }[] }): void {
  const known = deps.repositories.map((r) => r.name);
  app.get<{ Querystring: { readonly limit: number; readonly cursor?: string } }>(
    '/tokens',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } } } },
    async (request) => {
      requireRole(request.identity, 'admin');
      const { limit, cursor } = request.query;
      return deps.tokens.listPage(cursor === undefined ? { limit } : { limit, cursor });
    },
  );

  app.post<{ Body: CreateBody }>(
    '/tokens',
    {
      schema: {
        body: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: {
            role: { type: 'string', enum: ['reader', 'publisher', 'approver', 'admin'] },
            label: { type: 'string', maxLength: 200 },
            expires: { type: ['string', 'null'], maxLength: 64 },
            // Checked by scopeRequest, which refuses what it does not know: the schema's validator
            // would drop an unknown field silently, and a misspelt limit would then limit nothing.
            scope: { type: ['object', 'null'] },
          },
        },
      },
    },
    async (request, reply) => {
      requireRole(request.identity, 'admin');
      const b = request.body;
      const expiresAt = b.expires === undefined || b.expires === null ? null : parseExpiry(b.expires, deps.clock());
      const scope = scopeRequest(b.scope);
      for (const repo of scope?.repos ?? []) {
        if (!known.includes(repo)) throw unknownRepository(repo, known);
      }
      const created = await deps.tokens.create({ role: b.role, label: b.label ?? '', expiresAt, actor: actorOf(request.identity), scope });
      return reply.code(201).send(created);
    },
  );

  app.delete<{ Params: { id: string } }>('/tokens/:id', { schema: { params: idParams } }, async (request, reply) => {
    requireRole(request.identity, 'admin');
    await deps.tokens.revoke(request.params.id, actorOf(request.identity));
    return reply.code(204).send();
  });
}
