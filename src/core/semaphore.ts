import { Admission, type Release } from './admission.ts';

/**
 * At most `width` holders at a time; others wait in FIFO order, however many: an `Admission`
 * whose queue has no bound (so it turns no one away), around a piece of work.
 */
export class Semaphore {
  readonly #admission: Admission;

  constructor(width: number) {
    this.#admission = new Admission(Math.max(1, Math.floor(width)), Number.POSITIVE_INFINITY);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // Never null: the queue has no bound, and no signal is given.
    const release = (await this.#admission.enter()) as Release;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
