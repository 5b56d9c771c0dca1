/**
 * One timer that fires at the earliest of the moments it is asked to wake at — used by the gate
 * to move its generation on when something it applied (a release, an exception) expires, so
 * filtered views and the ETags clients hold change at that moment, not at the next periodic
 * re-evaluation.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WakeTimer {
  readonly #fire: () => void;
  #timer: NodeJS.Timeout | null = null;
  #at = Number.POSITIVE_INFINITY;

  constructor(fire: () => void) {
    this.#fire = fire;
  }

  /** Fire at `at` (epoch ms) unless an earlier wake-up is already set. */
  wakeAt(at: number, now: number): void {
    if (at >= this.#at) return;
    this.cancel();
    this.#at = at;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#at = Number.POSITIVE_INFINITY;
      this.#fire();
    }, Math.min(Math.max(0, at - now) + 5, MAX_TIMER_MS));
    this.#timer.unref();
  }

  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#at = Number.POSITIVE_INFINITY;
  }
}
