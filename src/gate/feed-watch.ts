/**
 * Notices feed imports — made by this process or by `airlock feeds import` in another one
 * sharing the store — through the store's feed revision, and announces them so cached facts
 * and verdicts are dropped at once (the gate's generation moves on, so filtered metadata and
 * the ETags clients hold change too).
 */
import { PeriodicTask } from '../core/index.ts';
import type { FeedStore } from '../storage/ports/index.ts';

export interface FeedWatchDeps {
  readonly feeds: Pick<FeedStore, 'feedRevision'>;
  /** Called once per observed change of the revision. */
  readonly onChange: (revision: number) => void;
  readonly log?: { error(obj: object, msg: string): void };
}

export class FeedWatch {
  readonly #deps: FeedWatchDeps;
  readonly #task: PeriodicTask<boolean>;
  #revision: number | null = null;

  constructor(deps: FeedWatchDeps, options: { readonly intervalMs: number }) {
    this.#deps = deps;
    this.#task = new PeriodicTask(() => this.#pollOnce(), options.intervalMs);
  }

  async start(): Promise<void> {
    this.#revision = await this.#deps.feeds.feedRevision();
    this.#task.start();
  }

  /** The revision last seen (null before start). */
  get revision(): number | null {
    return this.#revision;
  }

  /** Reads the revision; true when it changed (and the change was announced). */
  poll(): Promise<boolean> {
    return this.#task.run();
  }

  async #pollOnce(): Promise<boolean> {
    try {
      const revision = await this.#deps.feeds.feedRevision();
      if (revision === this.#revision) return false;
      this.#revision = revision;
      this.#deps.onChange(revision);
      return true;
    } catch (err) {
      this.#deps.log?.error({ err }, 'could not read the feed revision; retrying at the next interval');
      return false;
    }
  }

  close(): Promise<void> {
    return this.#task.stop();
  }
}
