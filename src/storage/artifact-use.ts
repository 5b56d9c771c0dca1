/**
 * Downloads of stored artifacts, written behind: what an artifact retention needs to tell the
 * bytes clients still install from those nobody has asked for in months. A download costs a map
 * lookup; each blob is written at most once per `minIntervalMs`, in batches every `flushEveryMs`
 * (and when the batch is full, and at close), stamped with the start of the minute it was noted
 * in. The last use recorded is therefore up to about `minIntervalMs` older than the real one: a
 * retention far longer than that (days) is unaffected, and bytes evicted too early are only
 * fetched and verified again.
 */
import type { Sha256Digest } from '../core/index.ts';
import type { ArtifactIndex } from './ports/index.ts';

const MINUTE = 60_000;

export interface ArtifactUseOptions {
  /** How often noted downloads are written (default a minute). */
  readonly flushEveryMs?: number;
  /** A blob written this recently is not written again (default an hour). */
  readonly minIntervalMs?: number;
  /** Noted blobs that trigger a write at once (default 10,000). */
  readonly maxPending?: number;
  /** Blobs whose last write is remembered (default 100,000, about 10 MB). */
  readonly maxRemembered?: number;
}

export interface ArtifactUseLogger {
  warn(obj: object, msg: string): void;
}

export class ArtifactUse {
  readonly #index: Pick<ArtifactIndex, 'markBlobsUsed'>;
  readonly #clock: () => Date;
  readonly #log: ArtifactUseLogger;
  readonly #flushEveryMs: number;
  readonly #minIntervalMs: number;
  readonly #maxPending: number;
  readonly #maxRemembered: number;
  /** When each blob was last noted for writing (epoch ms), oldest first. */
  readonly #noted = new Map<Sha256Digest, number>();
  /** Blobs noted since the last write, with the minute they were noted in (its start, epoch ms). */
  #pending = new Map<Sha256Digest, number>();
  #writing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: { readonly index: Pick<ArtifactIndex, 'markBlobsUsed'>; readonly clock: () => Date; readonly log: ArtifactUseLogger }, options: ArtifactUseOptions = {}) {
    this.#index = deps.index;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#flushEveryMs = options.flushEveryMs ?? 60_000;
    this.#minIntervalMs = options.minIntervalMs ?? 3_600_000;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#maxRemembered = options.maxRemembered ?? 100_000;
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => void this.flush(), this.#flushEveryMs);
    this.#timer.unref();
  }

  /** A client is being served this blob's bytes. */
  note(blob: Sha256Digest): void {
    const now = this.#clock().getTime();
    const last = this.#noted.get(blob);
    if (last !== undefined && now - last < this.#minIntervalMs) return;
    this.#noted.delete(blob);
    this.#noted.set(blob, now);
    if (this.#noted.size > this.#maxRemembered) {
      const oldest = this.#noted.keys().next();
      if (oldest.done !== true) this.#noted.delete(oldest.value);
    }
    this.#pending.set(blob, Math.floor(now / MINUTE) * MINUTE);
    if (this.#pending.size >= this.#maxPending) void this.flush();
  }

  /** Writes what was noted (one write at a time); a failed write is logged, and its blobs noted again at their next use. */
  flush(): Promise<void> {
    if (this.#pending.size === 0) return this.#writing;
    const byMinute = new Map<number, Sha256Digest[]>();
    for (const [blob, minute] of this.#pending) {
      const group = byMinute.get(minute);
      if (group === undefined) byMinute.set(minute, [blob]);
      else group.push(blob);
    }
    this.#pending = new Map();
    this.#writing = this.#writing.then(async () => {
      for (const [minute, blobs] of byMinute) {
        try {
          await this.#index.markBlobsUsed(blobs, new Date(minute));
        } catch (err) {
          for (const b of blobs) this.#noted.delete(b);
          this.#log.warn({ err, blobs: blobs.length }, 'could not record artifact downloads; they are recorded at their next use');
        }
      }
    });
    return this.#writing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
  }
}
