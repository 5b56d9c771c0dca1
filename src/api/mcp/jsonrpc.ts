/**
 * JSON-RPC 2.0 framing for the MCP endpoint: the body's text parsed under a byte cap, each
 * message checked for shape (MCP's ids are strings or integers, never null; params are an
 * object), and replies built. Nothing here knows MCP's methods; a message that cannot be read
 * says exactly why, with the id when it had a usable one.
 */

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
/** Implementation-defined (the -32000…-32099 range): refused credentials or origin. */
export const ACCESS_DENIED = -32001;

export type JsonRpcId = string | number;
export type Params = Readonly<Record<string, unknown>>;

export type JsonRpcMessage =
  | { readonly kind: 'request'; readonly id: JsonRpcId; readonly method: string; readonly params: Params }
  | { readonly kind: 'notification'; readonly method: string; readonly params: Params }
  /** A reply to a request of ours: this server sends none, so it is accepted and dropped. */
  | { readonly kind: 'response'; readonly id: JsonRpcId };

export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
}

export type JsonRpcReply =
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId; readonly result: unknown }
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId | null; readonly error: JsonRpcErrorObject };

/** A JSON-RPC error a handler raises; `id` is the request's when it is known. */
export class RpcError extends Error {
  readonly code: number;
  readonly id: JsonRpcId | null;

  constructor(code: number, message: string, id: JsonRpcId | null = null) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.id = id;
  }
}

export const MAX_METHOD_LENGTH = 128;
export const MAX_ID_LENGTH = 256;

export function result(id: JsonRpcId, value: unknown): JsonRpcReply {
  return { jsonrpc: '2.0', id, result: value };
}

export function failure(id: JsonRpcId | null, code: number, message: string): JsonRpcReply {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/** The body's JSON, or a parse error (the text is never echoed back). */
export function parseJson(text: string): unknown {
  if (text.trim() === '') throw new RpcError(PARSE_ERROR, 'parse error: the request body is empty; send one JSON-RPC message');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // V8's message quotes the text; only the position is said back.
    const at = err instanceof SyntaxError ? /position (\d+)/.exec(err.message)?.[1] : undefined;
    throw new RpcError(PARSE_ERROR, `parse error: the request body is not JSON${at === undefined ? '' : ` (at character ${at})`}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The message's id when it is a usable one (for the error reply), else null. */
function usableId(v: unknown): JsonRpcId | null {
  if (typeof v === 'string' && v.length <= MAX_ID_LENGTH) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  return null;
}

/** One JSON-RPC message read from a parsed value; throws INVALID_REQUEST saying what is wrong. */
export function readMessage(v: unknown): JsonRpcMessage {
  if (!isObject(v)) throw new RpcError(INVALID_REQUEST, `invalid request: a JSON-RPC message is an object, not ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
  const id = usableId(v['id']);
  if (v['jsonrpc'] !== '2.0') throw new RpcError(INVALID_REQUEST, 'invalid request: "jsonrpc" must be "2.0"', id);
  const hasId = 'id' in v;
  if (hasId && id === null) {
    throw new RpcError(INVALID_REQUEST, `invalid request: "id" must be a string (at most ${MAX_ID_LENGTH} characters) or an integer; MCP allows no null id`);
  }
  if (!('method' in v)) {
    if (hasId && ('result' in v || 'error' in v)) return { kind: 'response', id: id as JsonRpcId };
    throw new RpcError(INVALID_REQUEST, 'invalid request: no "method"', id);
  }
  const method = v['method'];
  if (typeof method !== 'string' || method === '' || method.length > MAX_METHOD_LENGTH) {
    throw new RpcError(INVALID_REQUEST, `invalid request: "method" must be a non-empty string of at most ${MAX_METHOD_LENGTH} characters`, id);
  }
  const params = v['params'];
  if (params !== undefined && !isObject(params)) throw new RpcError(INVALID_REQUEST, `invalid request: "params" of ${method.slice(0, 64)} must be an object`, id);
  const p: Params = params ?? {};
  return hasId ? { kind: 'request', id: id as JsonRpcId, method, params: p } : { kind: 'notification', method, params: p };
}
