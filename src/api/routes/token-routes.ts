/** API tokens (admin only): create (the secret is in the response, once), list, revoke. */
import type { FastifyInstance } from 'fastify';
import { parseExpiry } from '../../gate/duration.ts';
import { actorOf, requireRole } from '../../gate/identity.ts';
import type { TokenService } from '../auth/token-service.ts';
import { idParams } from './common.ts';

interface CreateBody {
  readonly role: string;
  readonly label?: string;
  readonly expires?: string | null;
}

export function tokenRoutes(app: FastifyInstance, deps: { tokens: TokenService; clock: () => Date }): void {
  app.get('/tokens', async (request) => {
    requireRole(request.identity, 'admin');
    return { items: await deps.tokens.list() };
  });

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
          },
        },
      },
    },
    async (request, reply) => {
      requireRole(request.identity, 'admin');
      const b = request.body;
      const expiresAt = b.expires === undefined || b.expires === null ? null : parseExpiry(b.expires, deps.clock());
      const created = await deps.tokens.create({ role: b.role, label: b.label ?? '', expiresAt, actor: actorOf(request.identity) });
      return reply.code(201).send(created);
    },
  );

  app.delete<{ Params: { id: string } }>('/tokens/:id', { schema: { params: idParams } }, async (request, reply) => {
    requireRole(request.identity, 'admin');
    await deps.tokens.revoke(request.params.id, actorOf(request.identity));
    return reply.code(204).send();
  });
}
