/**
 * A rate limit setting (`access.oidc.rateLimit`, `access.mcp.rateLimit`): `false` for none;
 * omitted, the section's defaults; else `{perMinute, burst, clients}`, each replaced as given.
 */
import type { RateLimit } from '../../api/rate-limit.ts';
import { integer, join, object } from './checks.ts';

const RATE_LIMIT_KEYS = ['perMinute', 'burst', 'clients'] as const;

/** The setting at `path`: `defaults` with each given key replaced, or null for `false`; a burst below `minBurst` is refused. */
export function rateLimitSetting(v: unknown, path: string, defaults: RateLimit, minBurst = 1): RateLimit | null {
  if (v === false) return null;
  if (v === undefined || v === null) return defaults;
  const o = object(v, path, RATE_LIMIT_KEYS);
  return {
    perMinute: o['perMinute'] === undefined ? defaults.perMinute : integer(o['perMinute'], join(path, 'perMinute'), 1, 60_000),
    burst: o['burst'] === undefined ? defaults.burst : integer(o['burst'], join(path, 'burst'), minBurst, 10_000),
    clients: o['clients'] === undefined ? defaults.clients : integer(o['clients'], join(path, 'clients'), 100, 1_000_000),
  };
}
