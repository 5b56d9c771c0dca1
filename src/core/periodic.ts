/**
 * Background work run now and then: at most one run at a time (a call while one is under way
 * joins it, so a timer tick and an explicit call never overlap), repeated every `everyMs` once
 * started (0 or less: only when called), and never keeping the process alive. `run` is expected
 * to report its own failures (log and resolve); a rejection is passed to whoever called.
 */
export class PeriodicTask<T> {
  readonly #run: () => Promise<T>;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<T> | null = null;

  constructor(run: () => Promise<T>, everyMs: number) {
    this.#run = run;
    this.#everyMs = everyMs;
  }

  /** Starts the interval (the first timed run is one interval away). */
  start(): void {
    if (this.#everyMs <= 0 || this.#timer !== null) return;
    this.#timer = setInterval(() => void this.run(), this.#everyMs);
    this.#timer.unref();
  }

  /** One run, or the one under way. */
  run(): Promise<T> {
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Stops the interval; resolves when a run under way has ended. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }
}
