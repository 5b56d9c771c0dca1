/**
 * The MCP endpoint (`/-/mcp`), Streamable HTTP transport: JSON-RPC over POST answered as
 * `application/json` (no server-to-client messages, so no SSE: GET is 405), a session per
 * `initialize` (`Mcp-Session-Id`, which any gateway reads: sessions.ts; DELETE is 405), the
 * `MCP-Protocol-Version` header checked.
 * The same access as the pre-flight check it exposes: an unscoped reader token. A browser's
 * `Origin` must be a loopback origin or Airlock's public URL (DNS rebinding). Refusals carry a
 * JSON-RPC error without an id.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAirlockError } from '../../core/index.ts';
import { requestContextOf } from '../../gate/identity.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import { requireCheckAccess } from '../check-targets.ts';
import { RateLimiter, refusalLevel, type RateLimit } from '../rate-limit.ts';
import { dispatch, initialize, type ToolBudget } from './dispatch.ts';
import { ACCESS_DENIED, INTERNAL_ERROR, INVALID_REQUEST, failure, parseJson, readMessage, result, RpcError, type JsonRpcReply } from './jsonrpc.ts';
import { featuresOf, isProtocolVersion, PROTOCOL_VERSIONS } from './protocol.ts';
import { openSession, readSession, SESSION_ID_RE, type McpSession } from './sessions.ts';
import type { ToolDeps } from './tools.ts';
import { allowedOrigin } from './origin.ts';

export interface McpEndpointOptions extends ToolDeps {
  readonly clock: () => Date;
  /** Airlock's public URL (`server.publicUrl`), whose origin a browser may call from; null: loopback origins only. */
  readonly publicUrl: string | null;
  /** Request body cap in bytes. */
  readonly bodyLimit?: number;
  /** Messages in one JSON-RPC batch (protocol 2025-03-26 only). */
  readonly maxBatch?: number;
  /** Tool calls per token (per client address without one), a package checked each; its burst must hold a full check_packages call. Absent or null: none. */
  readonly rateLimit?: RateLimit | null;
}

export const MCP_BODY_LIMIT = 256 * 1024;
export const MCP_MAX_BATCH = 20;

function refuse(reply: FastifyReply, status: number, code: number, message: string): FastifyReply {
  return reply.code(status).type('application/json').send(failure(null, code, message));
}

function sessionHeader(request: FastifyRequest): string | null {
  const v = request.headers['mcp-session-id'];
  return typeof v === 'string' ? v : null;
}

/** The identity check as the API's check does it; false when the reply was sent (401/403). */
function admitted(request: FastifyRequest, reply: FastifyReply, publicUrl: string | null): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedOrigin(origin, publicUrl)) {
    refuse(reply, 403, ACCESS_DENIED, `origin ${JSON.stringify(origin.slice(0, 200))} may not call this MCP endpoint: only loopback origins${publicUrl === null ? '' : ' and Airlock\'s public URL'} may (DNS rebinding)`);
    return false;
  }
  try {
    requireCheckAccess(request.identity);
    return true;
  } catch (err) {
    if (!isAirlockError(err)) throw err;
    const status = err.code === 'UNAUTHORIZED' ? 401 : 403;
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="airlock"');
    refuse(reply, status, ACCESS_DENIED, status === 401 ? 'authentication required: send Authorization: Bearer <reader token>' : err.message);
    return false;
  }
}

export async function mcpEndpoint(app: FastifyInstance, options: McpEndpointOptions): Promise<void> {
  const bodyLimit = options.bodyLimit ?? MCP_BODY_LIMIT;
  const maxBatch = options.maxBatch ?? MCP_MAX_BATCH;
  const limiter = options.rateLimit === undefined || options.rateLimit === null ? null : new RateLimiter(options.rateLimit, () => options.clock().getTime());

  /** The caller's budget: its token's, else its address's. */
  function budgetOf(request: FastifyRequest): ToolBudget | null {
    if (limiter === null) return null;
    const identity = request.identity;
    const client = identity.kind === 'token' ? `token:${identity.tokenId}` : `ip:${request.ip}`;
    return (cost) => {
      const decision = limiter.take(client, cost);
      if (!decision.allowed) request.log[refusalLevel(decision)]({ client, cost, retryAfter: decision.retryAfterSeconds }, 'mcp tool calls rate-limited');
      return decision;
    };
  }

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body));
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 413) return refuse(reply, 413, INVALID_REQUEST, `the request body is larger than ${bodyLimit} bytes`);
    if (status === 415) return refuse(reply, 415, INVALID_REQUEST, 'send JSON-RPC as Content-Type: application/json');
    if (status < 500) return refuse(reply, status, INVALID_REQUEST, err.message);
    request.log.error({ err }, 'mcp request failed');
    return refuse(reply, 500, INTERNAL_ERROR, `internal error (request ${String(request.id)})`);
  });

  /** One message, answered: a reply for a request, null for a notification or response. */
  async function answer(value: unknown, session: McpSession, context: RequestContext, request: FastifyRequest): Promise<JsonRpcReply | null> {
    let msg;
    try {
      msg = readMessage(value);
    } catch (err) {
      if (err instanceof RpcError) return failure(err.id, err.code, err.message);
      throw err;
    }
    if (msg.kind === 'response') return null;
    // Notifications (`notifications/initialized` among them) need no answer and change nothing here.
    if (msg.kind === 'notification') return null;
    if (msg.method === 'initialize') return failure(msg.id, INVALID_REQUEST, 'this session is initialized already: initialize opens a new session, sent without Mcp-Session-Id (and never in a batch)');
    try {
      return result(msg.id, await dispatch(msg, session, options, context, budgetOf(request)));
    } catch (err) {
      if (err instanceof RpcError) return failure(msg.id, err.code, err.message);
      request.log.error({ err, method: msg.method }, 'mcp request failed');
      return failure(msg.id, INTERNAL_ERROR, `internal error (request ${String(request.id)})`);
    }
  }

  app.post('/', async (request, reply) => {
    if (!admitted(request, reply, options.publicUrl)) return reply;
    const accept = request.headers.accept;
    if (accept !== undefined && !/application\/json|application\/\*|\*\/\*/i.test(accept)) {
      return refuse(reply, 406, INVALID_REQUEST, 'this endpoint answers application/json: list it in Accept (with text/event-stream)');
    }
    const header = request.headers['mcp-protocol-version'];
    if (typeof header === 'string' && !isProtocolVersion(header)) {
      return refuse(reply, 400, INVALID_REQUEST, `unsupported MCP-Protocol-Version ${JSON.stringify(header.slice(0, 64))}; this server speaks ${PROTOCOL_VERSIONS.join(', ')}`);
    }
    let body: unknown;
    try {
      body = parseJson(typeof request.body === 'string' ? request.body : '');
    } catch (err) {
      if (err instanceof RpcError) return refuse(reply, 400, err.code, err.message);
      throw err;
    }
    const identity = request.identity;
    const tokenId = identity.kind === 'token' ? identity.tokenId : null;
    const sessionId = sessionHeader(request);

    // initialize: a new session (the only message sent without one).
    if (typeof body === 'object' && body !== null && !Array.isArray(body) && (body as Record<string, unknown>)['method'] === 'initialize') {
      if (sessionId !== null) return refuse(reply, 400, INVALID_REQUEST, 'initialize opens a new session: send it without Mcp-Session-Id');
      let msg;
      let init;
      try {
        msg = readMessage(body);
        if (msg.kind !== 'request') return refuse(reply, 400, INVALID_REQUEST, 'initialize is a request: give it an id');
        init = initialize(msg.id, msg.params);
      } catch (err) {
        if (err instanceof RpcError) return refuse(reply, 400, err.code, err.message);
        throw err;
      }
      const session = openSession(init.version, init.client, tokenId);
      request.log.info({ mcpClient: init.client?.name ?? null, protocolVersion: init.version }, 'mcp session opened');
      return reply.header('mcp-session-id', session.id).type('application/json').send(result(msg.id, init.result));
    }

    if (sessionId === null) return refuse(reply, 400, INVALID_REQUEST, 'no Mcp-Session-Id header: send initialize first and the session id it returns with every request');
    if (!SESSION_ID_RE.test(sessionId)) return refuse(reply, 400, INVALID_REQUEST, 'Mcp-Session-Id must be visible ASCII characters, as initialize gave it');
    const session = readSession(sessionId, tokenId);
    if (session === null) return refuse(reply, 404, INVALID_REQUEST, "no such MCP session (not one this server opened, or another token's): initialize a new one");
    if (typeof header === 'string' && header !== session.protocolVersion) {
      return refuse(reply, 400, INVALID_REQUEST, `MCP-Protocol-Version ${header} is not the version this session agreed (${session.protocolVersion})`);
    }
    const base = requestContextOf(request);
    // The agent a missing name is recorded for: the client's header, else the name it gave in initialize.
    const context: RequestContext = base.agent === null && session.client !== null && session.client.name !== '' ? { ...base, agent: session.client.name } : base;

    if (Array.isArray(body)) {
      if (!featuresOf(session.protocolVersion).batching) {
        return refuse(reply, 400, INVALID_REQUEST, `JSON-RPC batches are not part of MCP ${session.protocolVersion}: send one message per request`);
      }
      if (body.length === 0 || body.length > maxBatch) return refuse(reply, 400, INVALID_REQUEST, `a batch holds 1 to ${maxBatch} messages, not ${body.length}`);
      const replies: JsonRpcReply[] = [];
      for (const item of body) {
        const r = await answer(item, session, context, request);
        if (r !== null) replies.push(r);
      }
      return replies.length === 0 ? reply.code(202).send() : reply.type('application/json').send(replies);
    }
    const r = await answer(body, session, context, request);
    if (r === null) return reply.code(202).send();
    // A message that could not be read is the request's fault: 400, as the transport says of refused input.
    const unreadable = 'error' in r && r.error.code === INVALID_REQUEST;
    return reply.code(unreadable ? 400 : 200).type('application/json').send(r);
  });

  app.get('/', async (request, reply) => {
    if (!admitted(request, reply, options.publicUrl)) return reply;
    return refuse(reply.header('allow', 'POST'), 405, INVALID_REQUEST, 'this MCP endpoint offers no SSE stream: POST JSON-RPC messages to it');
  });

  // A session is its id (sessions.ts): there is nothing to end, which the transport lets a server say with 405.
  app.delete('/', async (request, reply) => {
    if (!admitted(request, reply, options.publicUrl)) return reply;
    return refuse(reply.header('allow', 'POST'), 405, INVALID_REQUEST, 'this server keeps no session state, so there is no session to end: stop sending its Mcp-Session-Id');
  });
}
