/**
 * A failure budget per upstream: after `threshold` consecutive failures the circuit opens and
 * requests fail at once (no connection attempt, no waiting for time-outs) for `openMs`; then a
 * single trial request is let through (half-open). Its success closes the circuit, its failure
 * opens it again.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  readonly threshold: number;
  readonly openMs: number;
  readonly now?: () => number;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #openMs: number;
  readonly #now: () => number;
  #failures = 0;
  #openedAt = 0;
  #state: CircuitState = 'closed';
  #trialInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    this.#threshold = options.threshold;
    this.#openMs = options.openMs;
    this.#now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#openMs) return 'half-open';
    return this.#state;
  }

  /** Milliseconds until an open circuit lets a trial request through (0 when not open). */
  retryInMs(): number {
    if (this.#state !== 'open') return 0;
    return Math.max(0, this.#openMs - (this.#now() - this.#openedAt));
  }

  /**
   * Whether a request may go out now. In the half-open state only one trial request is
   * admitted at a time; the caller must report its outcome with `success` or `failure`.
   */
  admit(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.#trialInFlight) return false;
    this.#trialInFlight = true;
    this.#state = 'half-open';
    return true;
  }

  success(): void {
    this.#failures = 0;
    this.#state = 'closed';
    this.#trialInFlight = false;
  }

  failure(): void {
    this.#trialInFlight = false;
    if (this.#state === 'half-open') {
      this.#open();
      return;
    }
    this.#failures += 1;
    if (this.#failures >= this.#threshold) this.#open();
  }

  #open(): void {
    this.#state = 'open';
    this.#openedAt = this.#now();
    this.#failures = 0;
  }
}
