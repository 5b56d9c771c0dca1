/**
 * The worker pool model files are scanned in (`services.modelScanPool`), sized for a gateway: a
 * core is left to the event loop. The heap limit is above what the scanner's own limits let a file
 * of up to 32 MiB (ModelScans' in-memory cap) need (~0.9 GiB at most, for a pickle of 4 million
 * memoised objects): it stops a blow-up nothing foresaw, not a file the scanner can read.
 * `bench:scan`'s `pool` mode builds its pool from the same options.
 */
import { availableParallelism } from 'node:os';
import type { ScanPoolOptions } from '../scan/worker/index.ts';

export function modelScanPoolOptions(): ScanPoolOptions {
  return { size: Math.max(1, Math.min(2, availableParallelism() - 1)), maxHeapMb: 1024 };
}
