/**
 * MCP sessions (`Mcp-Session-Id`), in this process's memory: one per `initialize`, holding the
 * protocol revision agreed and who the client said it is. A session belongs to the token that
 * opened it (another token naming its id is told it does not exist), ends on DELETE or after
 * `idleMs` without a request, and at most `maxSessions` are kept: past that, the least recently
 * used goes first (its client gets 404 and, as the transport requires, initializes again).
 */
import { randomBytes } from 'node:crypto';
import type { ProtocolVersion } from './protocol.ts';

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
  lastSeen: number;
  /** `notifications/initialized` received. */
  initialized: boolean;
}

export interface SessionOptions {
  readonly maxSessions: number;
  readonly idleMs: number;
}

export const SESSION_DEFAULTS: SessionOptions = Object.freeze({ maxSessions: 1000, idleMs: 30 * 60_000 });

/** Visible ASCII as the transport requires, and no longer than the ids this store makes need. */
export const SESSION_ID_RE = /^[\x21-\x7e]{1,128}$/;

export class McpSessions {
  /** In least-recently-used order: a touched session is moved to the end. */
  readonly #sessions = new Map<string, McpSession>();
  readonly #clock: () => Date;
  readonly #options: SessionOptions;

  constructor(deps: { clock?: () => Date }, options: Partial<SessionOptions> = {}) {
    this.#clock = deps.clock ?? (() => new Date());
    this.#options = Object.freeze({ ...SESSION_DEFAULTS, ...options });
  }

  get size(): number {
    return this.#sessions.size;
  }

  create(protocolVersion: ProtocolVersion, client: McpClientInfo | null, tokenId: string | null): McpSession {
    const now = this.#clock().getTime();
    this.#sweep(now);
    while (this.#sessions.size >= this.#options.maxSessions) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done === true) break;
      this.#sessions.delete(oldest.value);
    }
    const session: McpSession = { id: randomBytes(24).toString('base64url'), protocolVersion, client, tokenId, lastSeen: now, initialized: false };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session `id` of the token `tokenId`, touched; null when there is none (unknown, ended, expired, or another token's). */
  get(id: string, tokenId: string | null): McpSession | null {
    const now = this.#clock().getTime();
    const s = this.#sessions.get(id);
    if (s === undefined) return null;
    if (now - s.lastSeen > this.#options.idleMs) {
      this.#sessions.delete(id);
      return null;
    }
    if (s.tokenId !== tokenId) return null;
    s.lastSeen = now;
    this.#sessions.delete(id);
    this.#sessions.set(id, s);
    return s;
  }

  /** Ends the session; false when `get` would not have found it. */
  end(id: string, tokenId: string | null): boolean {
    if (this.get(id, tokenId) === null) return false;
    this.#sessions.delete(id);
    return true;
  }

  /** Drops the idle sessions at the front (least recently used first, so the first live one ends the walk). */
  #sweep(now: number): void {
    for (const [id, s] of this.#sessions) {
      if (now - s.lastSeen <= this.#options.idleMs) return;
      this.#sessions.delete(id);
    }
  }
}
