/**
 * A token bucket per client address: each address may spend `burst` requests at once, refilled
 * at `perMinute`; a request that finds its bucket empty is told how long until the next one. The
 * addresses tracked are capped (least recently seen dropped first), so memory stays bounded
 * whoever asks: an address dropped comes back with a full bucket, which an attacker with that
 * many addresses has anyway. `rateLimitHook` puts a limiter in front of routes: 429 with
 * Retry-After, from `onRequest`, before the body is read.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Lru } from '../core/index.ts';

export interface RateLimit {
  /** Requests refilled per minute, per client address. */
  readonly perMinute: number;
  /** Requests an address may make at once (the bucket's size). */
  readonly burst: number;
  /** Client addresses tracked at most. */
  readonly clients: number;
}

/**
 * A refusal says whether it is the client's first since it was last allowed one (`first`): one log
 * line at warn per client and spell of refusals, not one per refused request, which a client that
 * keeps asking (the case a limit is for) would turn into a flood.
 */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number; readonly first: boolean };

interface Bucket {
  tokens: number;
  at: number;
  /** Refused since its last allowed request. */
  refused: boolean;
}

export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #clock: () => number;
  readonly #buckets: Lru<string, Bucket>;

  constructor(limit: RateLimit, clock: () => number = Date.now) {
    this.#limit = limit;
    this.#clock = clock;
    this.#buckets = new Lru<string, Bucket>(limit.clients);
  }

  /**
   * Spend `cost` requests (default one; at most the burst) of `client`'s bucket, or say how long
   * (whole seconds, at least 1) until it may; a refused request spends nothing.
   */
  take(client: string, cost = 1): RateDecision {
    const now = this.#clock();
    const perMs = this.#limit.perMinute / 60_000;
    const b = this.#buckets.get(client) ?? { tokens: this.#limit.burst, at: now, refused: false };
    b.tokens = Math.min(this.#limit.burst, b.tokens + Math.max(0, now - b.at) * perMs);
    b.at = now;
    if (this.#buckets.peek(client) === undefined) this.#buckets.set(client, b);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      b.refused = false;
      return { allowed: true };
    }
    const first = !b.refused;
    b.refused = true;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - b.tokens) / perMs / 1000)), first };
  }

  /** Addresses tracked now. */
  get tracked(): number {
    return this.#buckets.size;
  }
}

/** The level a refusal is logged at: warn for the first of a spell, debug for the rest. */
export function refusalLevel(refusal: { readonly first: boolean }): 'warn' | 'debug' {
  return refusal.first ? 'warn' : 'debug';
}

/**
 * An `onRequest` hook spending one of `request.ip`'s requests from `limiter` (none: every request
 * passes); past it, logs `log` (at warn for a spell's first refusal, else at debug) and answers
 * 429 with Retry-After and `{error: "too many <what> from <ip>; …", code: 'RATE_LIMITED',
 * retryAfter}`, before the body is read.
 */
export function rateLimitHook(limiter: RateLimiter | null, what: string, log: string): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    const decision = limiter?.take(request.ip) ?? { allowed: true };
    if (decision.allowed) return;
    const retryAfter = decision.retryAfterSeconds;
    request.log[refusalLevel(decision)]({ client: request.ip, retryAfter }, log);
    await reply
      .code(429)
      .header('retry-after', String(retryAfter))
      .header('cache-control', 'no-store')
      .send({ error: `too many ${what} from ${request.ip}; try again in ${retryAfter} s`, code: 'RATE_LIMITED', retryAfter });
  };
}
