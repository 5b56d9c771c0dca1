/**
 * MCP sessions (`Mcp-Session-Id`) that any gateway reads: the id is the session itself — the
 * protocol revision agreed in `initialize`, the client's name and version, and the token that
 * opened it — as base64url JSON behind an `s1.` prefix. Nothing is kept in memory or in the
 * store, so gateways behind a load balancer need no session affinity, a restart ends nothing,
 * and no number of clients can push another's session out.
 *
 * The id carries no secret and grants nothing: every request still authenticates with its own
 * token, and an id naming another token than the request's is refused as unknown (404, after
 * which the transport initializes again), as is one this server could not have issued. With no
 * state to drop, ending a session is not offered: DELETE answers 405, as the transport allows.
 */
import type { ProtocolVersion } from './protocol.ts';
import { isProtocolVersion } from './protocol.ts';

export interface McpClientInfo {
  readonly name: string;
  readonly version: string;
}

export interface McpSession {
  readonly id: string;
  readonly protocolVersion: ProtocolVersion;
  readonly client: McpClientInfo | null;
  /** The token that opened it. */
  readonly tokenId: string | null;
}

const PREFIX = 's1.';
/** Longer than any id `openSession` makes (client fields of 128 characters and a token id included). */
export const MAX_SESSION_ID = 1024;

/** Visible ASCII as the transport requires, and no longer than the ids this server makes. */
export const SESSION_ID_RE = new RegExp(`^[\\x21-\\x7e]{1,${MAX_SESSION_ID}}$`);

/** The session `initialize` opened, with its id. */
export function openSession(protocolVersion: ProtocolVersion, client: McpClientInfo | null, tokenId: string | null): McpSession {
  const body = { p: protocolVersion, c: client === null ? null : [client.name, client.version], t: tokenId };
  return { id: PREFIX + Buffer.from(JSON.stringify(body), 'utf8').toString('base64url'), protocolVersion, client, tokenId };
}

function text(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}

/**
 * The session `id` names, for the token `tokenId`; null when this server could not have issued
 * it (not `s1.` base64url JSON of the right shape, a revision it does not speak) or another
 * token opened it.
 */
export function readSession(id: string, tokenId: string | null): McpSession | null {
  if (!id.startsWith(PREFIX) || id.length > MAX_SESSION_ID) return null;
  const encoded = id.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return null;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const { p, c, t } = body as Record<string, unknown>;
  if (typeof p !== 'string' || !isProtocolVersion(p)) return null;
  if (t !== null && !text(t, 256)) return null;
  if (t !== tokenId) return null;
  let client: McpClientInfo | null = null;
  if (c !== null) {
    if (!Array.isArray(c) || c.length !== 2 || !text(c[0], 128) || !text(c[1], 128)) return null;
    client = { name: c[0], version: c[1] };
  }
  return { id, protocolVersion: p, client, tokenId: t };
}
