/**
 * `access.mcp`: the MCP endpoint (`/-/mcp`) coding agents call. `rateLimit` bounds its tool
 * calls per token (per client address without one), counted per package checked (a
 * `check_packages` call of 50 packages spends 50), so a batch cannot go around it: a burst
 * must hold the largest batch.
 */
import type { RateLimit } from '../../api/rate-limit.ts';
import { LIMITS } from '../../api/mcp/tool-args.ts';
import { join, optionalObject } from './checks.ts';
import { rateLimitSetting } from './rate-limit.ts';

export const MCP_KEYS = ['rateLimit'] as const;

/** 300 packages at once, then 600 a minute, per token; 10,000 tokens or addresses tracked. */
export const DEFAULT_MCP_RATE_LIMIT: RateLimit = { perMinute: 600, burst: 300, clients: 10_000 };

export interface McpSettings {
  /** Tool calls per token (null: none, `rateLimit: false`). */
  readonly rateLimit: RateLimit | null;
}

export function mcpConfig(v: unknown, path: string): McpSettings {
  const o = optionalObject(v, path, MCP_KEYS);
  return { rateLimit: rateLimitSetting(o['rateLimit'], join(path, 'rateLimit'), DEFAULT_MCP_RATE_LIMIT, LIMITS.batch) };
}
