/**
 * The admin API's error dialect, chosen in one place: `{"error": "<message>", "code": "<CODE>"}`
 * with the status for the code. Unknown errors become a generic 500 (logged in full with the
 * request id, never shown to the client).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAirlockError, type ErrorCode } from '../core/index.ts';

export function statusForCode(code: ErrorCode): number {
  switch (code) {
    case 'BAD_REQUEST':
    case 'INVALID_NAME':
    case 'INVALID_VERSION':
    case 'INVALID_DIGEST':
    case 'INVALID_PURL':
    case 'CONFIG_INVALID':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
    case 'QUARANTINED':
    case 'BLOCKED':
      return 403;
    case 'NOT_FOUND':
    case 'UPSTREAM_NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'LIMIT_EXCEEDED':
      return 413;
    case 'UPSTREAM_TIMEOUT':
      return 504;
    case 'UNAVAILABLE':
      return 503;
    case 'UPSTREAM_UNAVAILABLE':
    case 'UPSTREAM_BAD_RESPONSE':
      return 502;
    case 'DIGEST_MISMATCH':
    case 'SIZE_MISMATCH':
    case 'POLICY_ERROR':
    case 'STORAGE_ERROR':
    case 'SCAN_ERROR':
    case 'INTERNAL':
      return 500;
  }
}

export function apiErrorHandler(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isAirlockError(err)) {
    const status = statusForCode(err.code);
    if (status >= 500) {
      request.log.error({ err }, 'api request failed');
      return reply.code(status).send({ error: 'internal error', code: 'INTERNAL', requestId: request.id });
    }
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="airlock"');
    return reply.code(status).send({ error: err.message, code: err.code });
  }
  const fe = err as FastifyError;
  if (fe.validation !== undefined) {
    return reply.code(400).send({ error: `invalid request: ${fe.message}`, code: 'BAD_REQUEST' });
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return reply.code(fe.statusCode).send({ error: fe.message, code: fe.statusCode === 413 ? 'LIMIT_EXCEEDED' : 'BAD_REQUEST' });
  }
  request.log.error({ err }, 'api request failed');
  return reply.code(500).send({ error: 'internal error', code: 'INTERNAL', requestId: request.id });
}
