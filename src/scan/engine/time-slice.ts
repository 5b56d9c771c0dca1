/**
 * Long analyses of bytes already in memory give the event loop a turn now and then. Without one,
 * nothing else runs until they finish: the scan's deadline (`AbortSignal.timeout`, a timer) never
 * fires, so a file scanned from memory ran past `timeoutMs` and was judged on whatever the
 * analysis ended with, and a gateway scanning in its own thread served no other request meanwhile.
 * A turn every few milliseconds costs nothing measurable and lets both happen.
 */

/** Work between two turns of the event loop. */
export const SLICE_MS = 8;

export class TimeSlice {
  #since = performance.now();

  /** True once this slice has run its course: the caller should `yield()` at its next safe point. */
  due(): boolean {
    return performance.now() - this.#since >= SLICE_MS;
  }

  /** One turn of the event loop (timers, I/O, other requests), then a new slice. */
  async yield(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#since = performance.now();
  }
}
