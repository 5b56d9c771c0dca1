/**
 * Freshness of a cached upstream response. Within `maxAgeMs` of the last confirmation it is
 * served without asking the upstream; after that it is revalidated, and while the upstream
 * fails or times out it may still be served for `staleIfErrorMs` more (RFC 5861 semantics).
 */
export interface FreshnessPolicy {
  readonly maxAgeMs: number;
  readonly staleIfErrorMs: number;
}

export type Freshness = 'fresh' | 'stale' | 'expired';

export function freshnessOf(confirmedAt: number, now: number, policy: FreshnessPolicy): Freshness {
  const age = now - confirmedAt;
  if (age < policy.maxAgeMs) return 'fresh';
  if (age < policy.maxAgeMs + policy.staleIfErrorMs) return 'stale';
  return 'expired';
}
