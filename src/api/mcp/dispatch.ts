/**
 * MCP's methods on a session: `initialize` (the revision agreed, the server's capabilities:
 * tools only), `ping`, `tools/list` and `tools/call`; anything else is -32601. A tool's failure
 * the model can act on (a bad argument, an unknown package repository, a missing record) is a
 * tool result with `isError`; a malformed call is a JSON-RPC error with a specific message.
 */
import { AIRLOCK_VERSION, isAirlockError } from '../../core/index.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import { statusForCode } from '../errors.ts';
import type { RateDecision } from '../rate-limit.ts';
import { INVALID_PARAMS, METHOD_NOT_FOUND, RpcError, type Params } from './jsonrpc.ts';
import { featuresOf, negotiate, type ProtocolVersion } from './protocol.ts';
import type { McpClientInfo, McpSession } from './sessions.ts';
import { ArgumentError, LIMITS } from './tool-args.ts';
import { TOOL_DEFINITIONS } from './tool-schemas.ts';
import { TOOLS, type ToolDeps } from './tools.ts';

export const INSTRUCTIONS =
  'Airlock is the package gateway of this organisation: npm, PyPI, Hugging Face and container images are installed through it, and it quarantines or blocks what its policy does not trust. ' +
  'Before you add, install or recommend a dependency, call check_package (check_packages for a list). ' +
  'Never install, create or publish a package whose name check_package reports as not found: the name may be hallucinated. ' +
  'Do not work around a quarantine or block by fetching the package elsewhere.';

const MAX_CLIENT_FIELD = 128;

function clientField(v: unknown): string {
  return typeof v === 'string' ? v.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_CLIENT_FIELD) : '';
}

/** `initialize`: the revision to use and who the client is; throws INVALID_PARAMS on a malformed request. */
export function initialize(id: string | number, params: Params): { version: ProtocolVersion; client: McpClientInfo | null; result: Record<string, unknown> } {
  const requested = params['protocolVersion'];
  if (typeof requested !== 'string' || requested === '' || requested.length > 64) {
    throw new RpcError(INVALID_PARAMS, 'invalid params: initialize needs "protocolVersion", a string such as "2025-11-25"', id);
  }
  const info = params['clientInfo'];
  const client = typeof info === 'object' && info !== null && !Array.isArray(info) ? { name: clientField((info as Params)['name']), version: clientField((info as Params)['version']) } : null;
  const version = negotiate(requested);
  return {
    version,
    client,
    result: { protocolVersion: version, capabilities: { tools: { listChanged: false } }, serverInfo: { name: 'airlock', version: AIRLOCK_VERSION }, instructions: INSTRUCTIONS },
  };
}

function toolList(version: ProtocolVersion): unknown[] {
  const structured = featuresOf(version).structuredContent;
  return TOOL_DEFINITIONS.map((t) => ({
    name: t.name,
    ...(structured ? { title: t.title } : {}),
    description: t.description,
    inputSchema: t.inputSchema,
    ...(structured ? { outputSchema: t.outputSchema } : {}),
    annotations: { title: t.title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  }));
}

function toolError(message: string): Record<string, unknown> {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Spends a tool call's cost from the caller's rate limit (mcp-endpoint.ts keys it per token). */
export type ToolBudget = (cost: number) => RateDecision;

/** What a call spends: a package per package checked (a batch counts its packages, so it cannot go around the limit), else one. */
function toolCost(name: string, args: Params): number {
  const list = name === 'check_packages' ? args['packages'] : undefined;
  return Array.isArray(list) ? Math.min(Math.max(list.length, 1), LIMITS.batch) : 1;
}

async function callTool(id: string | number, params: Params, session: McpSession, deps: ToolDeps, request: RequestContext, budget: ToolBudget | null): Promise<Record<string, unknown>> {
  const name = params['name'];
  if (typeof name !== 'string') throw new RpcError(INVALID_PARAMS, 'invalid params: tools/call needs "name", the tool to call', id);
  const tool = TOOLS.get(name);
  if (tool === undefined) throw new RpcError(INVALID_PARAMS, `unknown tool ${JSON.stringify(name.slice(0, 64))}; the tools are ${[...TOOLS.keys()].join(', ')}`, id);
  const args = params['arguments'] ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new RpcError(INVALID_PARAMS, `invalid params: the "arguments" of ${name} must be an object`, id);
  const cost = toolCost(name, args as Params);
  const spent = budget?.(cost) ?? { allowed: true };
  // A tool result, not an HTTP 429 or a JSON-RPC error: the model reads it and can wait (clients turn a 429 into a transport failure).
  if (!spent.allowed) {
    return toolError(
      `rate limited: too many package checks through Airlock with this token (this call checks ${cost}). Try again in ${spent.retryAfterSeconds} s; until then do not install the packages unchecked or around Airlock.`,
    );
  }
  const features = featuresOf(session.protocolVersion);
  try {
    const out = await tool(args as Params, deps, request);
    if (features.structuredContent) return { content: [{ type: 'text', text: out.text }], structuredContent: out.structured };
    return { content: [{ type: 'text', text: out.text }, { type: 'text', text: JSON.stringify(out.structured) }] };
  } catch (err) {
    if (err instanceof ArgumentError) {
      if (features.argumentErrorsAsToolErrors) return toolError(`invalid arguments: ${err.message}`);
      throw new RpcError(INVALID_PARAMS, `invalid params: ${err.message}`, id);
    }
    if (isAirlockError(err) && statusForCode(err.code) < 500) return toolError(err.message);
    throw err;
  }
}

/** A request on an initialized session (not `initialize`: the endpoint opens sessions). */
export async function dispatch(
  msg: { readonly id: string | number; readonly method: string; readonly params: Params },
  session: McpSession,
  deps: ToolDeps,
  request: RequestContext,
  budget: ToolBudget | null = null,
): Promise<unknown> {
  switch (msg.method) {
    case 'ping':
      return {};
    case 'tools/list':
      if (msg.params['cursor'] !== undefined) throw new RpcError(INVALID_PARAMS, 'invalid params: tools/list has one page; there is no cursor to continue from', msg.id);
      return { tools: toolList(session.protocolVersion) };
    case 'tools/call':
      return callTool(msg.id, msg.params, session, deps, request, budget);
    default:
      throw new RpcError(METHOD_NOT_FOUND, `method not found: ${msg.method}; this server offers initialize, ping, tools/list and tools/call`, msg.id);
  }
}
