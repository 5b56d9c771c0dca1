/**
 * Requests the router cannot take at all — a path whose percent-encoding is broken (`/v2/%zz`), a
 * path segment longer than a route parameter may be — are refused before any route decides, so
 * neither a repository plugin nor its error format sees them. Under the registry API (`/v2/`, and
 * the token endpoint under `/-/oci/`) a registry client reads only `{"errors":[{code, message}]}`:
 * they are answered 400 in that format (`UNSUPPORTED`, the code the registry answers a request it
 * does not take with), saying what was wrong; anywhere else in Airlock's own `{error, code}`.
 * The composition root's other refusals before routing (a forwarded scheme it will not build URLs
 * with), a request no route takes (404, `NAME_UNKNOWN`) and an error no plugin's own handler takes
 * (a body over the limit: 413, `SIZE_INVALID`; another client error: `UNSUPPORTED`; a 500,
 * `UNKNOWN`) are answered the same way.
 *
 * Small on purpose: the composition root hands it to Fastify when the server is built, before any
 * repository plugin is loaded.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isRegistryPath } from '../../core/index.ts';

/** The header every registry API answer carries. */
export const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' } as const;

/** A registry error body: `{"errors":[{"code","message","detail"}]}`, the message prefixed as Airlock's. */
export function registryErrorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message: `Airlock: ${message}`, detail: null }] });
}

/** What was wrong with a request the router refused, in words a person can act on. */
function unroutableMessage(err: Pick<FastifyError, 'code'>): string {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return 'a segment of the path is longer than Airlock takes';
  if (err.code === 'FST_ERR_BAD_URL') return 'the path is not valid percent-encoding (a % must be followed by two hex digits)';
  return 'the request could not be routed';
}

/** Fastify's `frameworkErrors`: a request the router refused, answered 400 in the format of the API it was sent to. */
export function sendUnroutable(err: Pick<FastifyError, 'code'>, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.info({ code: err.code, url: request.url.slice(0, 200) }, 'request refused before routing');
  return sendBadRequest(request, reply, unroutableMessage(err));
}

/** A request refused before any route decides (400, `message` saying why), in the format of the API it was sent to. */
export function sendBadRequest(request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply {
  return sendRefusal(request, reply, 400, { registry: 'UNSUPPORTED', airlock: 'BAD_REQUEST' }, message);
}

/**
 * A request no route takes (Fastify's not-found handler): 404, in the format of the API it was
 * sent to.
 */
export function sendNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const message = `not found: ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`;
  return sendRefusal(request, reply, 404, { registry: 'NAME_UNKNOWN', airlock: 'NOT_FOUND' }, message);
}

/**
 * The composition root's error handler, for errors no plugin's own handler takes: a body the
 * not-found route would not read (over the limit, of a type it has no parser for), a root route's
 * failure. A client's (4xx) keeps its status and message; anything else is a generic 500, logged
 * with the request id. Both in the format of the API the request was sent to, where Fastify's
 * own `{statusCode, error, message}` is no API's.
 */
export function sendUncaught(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  if (status === 500) {
    request.log.error({ err }, 'request failed');
    return sendRefusal(request, reply, 500, { registry: 'UNKNOWN', airlock: 'INTERNAL' }, `internal error in Airlock (request ${request.id})`);
  }
  const codes = status === 413 ? { registry: 'SIZE_INVALID', airlock: 'LIMIT_EXCEEDED' } : { registry: 'UNSUPPORTED', airlock: 'BAD_REQUEST' };
  return sendRefusal(request, reply, status, codes, err.message);
}

function sendRefusal(request: FastifyRequest, reply: FastifyReply, status: number, codes: { readonly registry: string; readonly airlock: string }, message: string): FastifyReply {
  reply.code(status).headers({ 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' });
  if (!isRegistryPath(request.url)) return reply.send(JSON.stringify({ error: message, code: codes.airlock }));
  reply.headers(API_VERSION);
  return request.method === 'HEAD' ? reply.send() : reply.send(registryErrorBody(codes.registry, message));
}
