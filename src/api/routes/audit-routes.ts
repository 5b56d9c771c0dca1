/**
 * The audit trail, ascending by seq: `GET /-/api/audit?after=<seq>&limit=<n>` answers
 * `{items, next}` where `next` is the `after` for the following page (null at the end).
 * `GET /-/api/audit/export?since=&until=&after=&through=`: a period of it as a verifiable
 * segment, JSON Lines (docs/audit-evidence.md), streamed a page at a time up to the head as it
 * was when the export began. `since`/`until` take an ISO 8601 instant or, as the CLI, a duration
 * back from now (30d, 12h), resolved on the server's clock: the segment records the instant.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { requireRole } from '../../gate/identity.ts';
import { SEGMENT_MEDIA_TYPE, openAuditSegment, parseWhen, tokenDirectory } from '../../gate/audit-evidence/index.ts';
import type { AuditLog } from '../../storage/ports/index.ts';
import type { TokenService } from '../auth/token-service.ts';

interface ExportQuery {
  readonly since?: string;
  readonly until?: string;
  readonly after?: number;
  readonly through?: number;
}

export function auditRoutes(app: FastifyInstance, deps: { audit: AuditLog; tokens: TokenService; clock: () => Date }): void {
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

  app.get<{ Querystring: ExportQuery }>(
    '/audit/export',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { type: 'string', maxLength: 64 },
            until: { type: 'string', maxLength: 64 },
            after: { type: 'integer', minimum: 0 },
            through: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    async (request, reply) => {
      requireRole(request.identity, 'approver');
      const q = request.query;
      const now = deps.clock();
      const when = (text: string | undefined, what: string): string | null => (text === undefined ? null : parseWhen(text, now, what).toISOString());
      // Resolved before the first byte: a bad range is a 400, not a cut-off stream.
      const segment = await openAuditSegment(
        deps.audit,
        { since: when(q.since, 'since'), until: when(q.until, 'until'), after: q.after ?? null, through: q.through ?? null },
        { clock: deps.clock, actors: tokenDirectory(() => deps.tokens.list()) },
      );
      // A failure mid-stream aborts the response: the client sees a segment without its trailer.
      return reply
        .type(SEGMENT_MEDIA_TYPE)
        .header('cache-control', 'no-store')
        .send(Readable.from(segment.lines(), { objectMode: false }));
    },
  );
}
