/**
 * Webhooks (configured in the file): where each one's delivery stands (admin), a test delivery,
 * skipping the event a receiver keeps refusing, and replaying from an earlier event (admin: the
 * receivers are security tooling, and a skip means an event it never got).
 */
import type { FastifyInstance } from 'fastify';
import { actorOf, requireRole } from '../../gate/identity.ts';
import type { Webhooks } from '../../webhooks/index.ts';

const nameParams = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const reason = { type: 'string', minLength: 1, maxLength: 2000 } as const;

export function webhookRoutes(app: FastifyInstance, deps: { readonly webhooks: Webhooks }): void {
  app.get('/webhooks', async (request) => {
    requireRole(request.identity, 'admin');
    return { items: await deps.webhooks.list() };
  });

  app.post<{ Params: { name: string } }>('/webhooks/:name/test', { schema: { params: nameParams } }, async (request) => {
    requireRole(request.identity, 'admin');
    const attempt = await deps.webhooks.test(request.params.name, actorOf(request.identity));
    return attempt.ok ? { delivered: true, status: attempt.status } : { delivered: false, status: attempt.status, error: attempt.error };
  });

  app.post<{ Params: { name: string }; Body: { reason: string } }>(
    '/webhooks/:name/skip',
    { schema: { params: nameParams, body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason } } } },
    async (request) => {
      requireRole(request.identity, 'admin');
      const c = await deps.webhooks.skip(request.params.name, actorOf(request.identity), request.body.reason);
      return { name: c.name, skipped: c.seq, seq: c.seq };
    },
  );

  app.post<{ Params: { name: string }; Body: { fromSeq: number; reason: string } }>(
    '/webhooks/:name/replay',
    {
      schema: {
        params: nameParams,
        body: { type: 'object', required: ['fromSeq', 'reason'], additionalProperties: false, properties: { fromSeq: { type: 'integer', minimum: 1 }, reason } },
      },
    },
    async (request) => {
      requireRole(request.identity, 'admin');
      const c = await deps.webhooks.replay(request.params.name, request.body.fromSeq, actorOf(request.identity), request.body.reason);
      return { name: c.name, seq: c.seq };
    },
  );
}
