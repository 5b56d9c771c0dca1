/** At most `width` holders at a time; others wait in FIFO order. */
export class Semaphore {
  readonly #width: number;
  #held = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(width: number) {
    this.#width = Math.max(1, width);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#held >= this.#width) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#held++;
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#held--;
    }
  }
}
