/**
 * A token bucket: `take()` succeeds while tokens remain; they refill at a steady rate up to the
 * burst size. Used to bound how fast requests for missing names (anyone can invent millions)
 * can grow the missing-name ledger.
 */
export class TokenBucket {
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #at: number;

  constructor(options: { readonly burst: number; readonly perSecond: number }, now: number) {
    this.#burst = options.burst;
    this.#perMs = options.perSecond / 1000;
    this.#tokens = options.burst;
    this.#at = now;
  }

  take(now: number): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#at) * this.#perMs);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
