/**
 * Admission to costly work that anyone may ask for: at most `width` at work at once, at most
 * `maxWaiting` waiting their turn (first come, first served), and past that a caller is turned
 * away at once instead of queueing without bound. However many callers come at the same moment,
 * the work holds the memory of `width` of them, and the waiting hold nothing but their place.
 * A waiter that leaves (its signal aborts) gives its place up. With no bound on the queue
 * (`Infinity`), it turns no one away: `Semaphore` is that, around a piece of work.
 */

/** Ends one admitted caller's turn; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  readonly admit: (release: Release) => void;
}

export class Admission {
  readonly #width: number;
  readonly #maxWaiting: number;
  #busy = 0;
  #turnedAway = 0;
  /** In arrival order (a Set keeps insertion order, and a waiter that leaves is removed in O(1)). */
  readonly #waiting = new Set<Waiter>();

  constructor(width: number, maxWaiting: number) {
    if (!Number.isSafeInteger(width) || width < 1) throw new RangeError(`admission width must be a whole number of at least 1, got ${width}`);
    if (maxWaiting !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(maxWaiting) || maxWaiting < 0)) {
      throw new RangeError(`admission queue must be a whole number of at least 0, or Infinity, got ${maxWaiting}`);
    }
    this.#width = width;
    this.#maxWaiting = maxWaiting;
  }

  /**
   * Resolves with the caller's release once it is its turn; with null when it is turned away
   * (`width` at work and `maxWaiting` waiting) or when `signal` aborts first.
   */
  enter(signal?: AbortSignal): Promise<Release | null> {
    if (signal?.aborted === true) return Promise.resolve(null);
    if (this.#busy < this.#width) {
      this.#busy++;
      return Promise.resolve(this.#release());
    }
    if (this.#waiting.size >= this.#maxWaiting) {
      this.#turnedAway++;
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      const leave = (): void => {
        if (this.#waiting.delete(waiter)) resolve(null);
      };
      const waiter: Waiter = {
        admit: (release) => {
          signal?.removeEventListener('abort', leave);
          resolve(release);
        },
      };
      this.#waiting.add(waiter);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }

  /** Callers at work at most. */
  get width(): number {
    return this.#width;
  }

  /** Callers waiting at most. */
  get maxWaiting(): number {
    return this.#maxWaiting;
  }

  /** Callers at work now. */
  get busy(): number {
    return this.#busy;
  }

  /** Callers waiting their turn now. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Callers turned away so far (not those that left while waiting). */
  get turnedAway(): number {
    return this.#turnedAway;
  }

  /** A release that hands the turn to the first waiter, or frees the place. */
  #release(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#waiting.values().next();
      if (next.done === true) {
        this.#busy--;
        return;
      }
      this.#waiting.delete(next.value);
      next.value.admit(this.#release());
    };
  }
}
