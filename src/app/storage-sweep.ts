/**
 * `airlock serve`'s own sweep of the blobs nothing refers to any more (`storage.sweepEvery`,
 * daily by default): a laptop install that nobody runs `airlock storage sweep` on from cron
 * does not grow with every packument that changes upstream. The first sweep runs one interval
 * after start-up, never during it.
 *
 * A sweep (this one and `airlock storage sweep`, through sweepStorage) first collects the
 * records of the hosted oci repositories (their uploads no manifest named within the grace),
 * then removes the blobs no record names: the storage layer knows no protocol, so the pass that
 * reads manifests is the oci adapter's, run from here.
 */
import { PeriodicTask } from '../core/index.ts';
import type { HostedImagesCollected } from '../ecosystems/oci/index.ts';
import { sweepBlobs, type SweepOptions, type SweepReport } from '../storage/index.ts';
import type { StorageHandle } from './services.ts';
import type { AirlockMetrics } from './metrics/airlock-metrics.ts';

export interface StorageSweepReport {
  /** What the hosted oci records stopped naming (or, in a dry run, would). */
  readonly images: HostedImagesCollected;
  readonly blobs: SweepReport;
}

/** The hosted oci records collected, then the blobs nothing names removed; `graceMs` is both passes' grace. */
export async function sweepStorage(storage: Pick<StorageHandle, 'metadata' | 'blobs'>, options: SweepOptions): Promise<StorageSweepReport> {
  const { collectHostedImages } = await import('../ecosystems/oci/index.ts');
  const images = await collectHostedImages({ store: storage.metadata, blobs: storage.blobs, clock: () => options.now }, { graceMs: options.graceMs, dryRun: options.dryRun });
  const blobs = await sweepBlobs(storage.metadata, storage.blobs, options);
  return { images, blobs };
}

export interface SweepLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class ScheduledSweep {
  readonly #storage: StorageHandle;
  readonly #log: SweepLogger;
  readonly #clock: () => Date;
  readonly #metrics: Pick<AirlockMetrics, 'sweep'> | null;
  readonly #graceMs: number;
  readonly #artifactRetentionMs: number | null;
  readonly #task: PeriodicTask<SweepReport | null>;

  constructor(deps: { readonly storage: StorageHandle; readonly log: SweepLogger; readonly clock: () => Date; readonly metrics?: Pick<AirlockMetrics, 'sweep'> }, options: { readonly everyMs: number; readonly graceMs: number; readonly artifactRetentionMs: number | null }) {
    this.#storage = deps.storage;
    this.#log = deps.log;
    this.#clock = deps.clock;
    this.#metrics = deps.metrics ?? null;
    this.#task = new PeriodicTask(() => this.#once(), options.everyMs);
    this.#graceMs = options.graceMs;
    this.#artifactRetentionMs = options.artifactRetentionMs;
  }

  start(): void {
    this.#task.start();
  }

  /** One sweep (joined when one is running); null when it failed (logged). */
  run(): Promise<SweepReport | null> {
    return this.#task.run();
  }

  async #once(): Promise<SweepReport | null> {
    try {
      const swept = await sweepStorage(this.#storage, {
        graceMs: this.#graceMs,
        now: this.#clock(),
        dryRun: false,
        artifactRetentionMs: this.#artifactRetentionMs,
      });
      const report = swept.blobs;
      this.#log.info(
        {
          imageBlobsDropped: swept.images.blobs,
          removed: report.removed.count,
          removedBytes: report.removed.bytes,
          evicted: report.evicted.count,
          evictedBytes: report.evicted.bytes,
          kept: report.referenced.count + report.young.count,
        },
        this.#artifactRetentionMs === null ? 'swept the blobs nothing refers to' : 'swept the blobs nothing refers to and the artifacts unused past the retention',
      );
      this.#metrics?.sweep(report);
      return report;
    } catch (err) {
      this.#metrics?.sweep(null);
      this.#log.error({ err }, 'could not sweep the blobs nothing refers to; trying again at the next interval');
      return null;
    }
  }

  /** Stops the timer and waits for a sweep under way. */
  close(): Promise<void> {
    return this.#task.stop();
  }
}
