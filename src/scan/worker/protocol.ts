/** Messages between the scan worker pool and its worker threads (structured-clone safe). */
import type { FileScanResult, FindingClass, FormatId, ScanLimits } from '../types.ts';

/** The serialisable subset of `ScanOptions` a worker accepts. */
export interface WorkerScanOptions {
  readonly limits?: Partial<ScanLimits>;
  readonly expectedFormats?: readonly FormatId[];
  readonly unexpectedFormat?: FindingClass;
  readonly unknownFormat?: FindingClass;
}

export type WorkerRequest =
  /** `file`: where the bytes are; `path`: the name they are scanned and reported under. */
  | { readonly id: number; readonly kind: 'file'; readonly path: string; readonly file: string; readonly options: WorkerScanOptions }
  | {
      readonly id: number;
      readonly kind: 'bytes';
      readonly path: string;
      readonly bytes: Uint8Array;
      readonly options: WorkerScanOptions;
    }
  /**
   * Bytes only the pool's thread can read (a remote store's object): the worker asks for each
   * range it needs with a `read` message and gets a `range` answer.
   */
  | { readonly id: number; readonly kind: 'source'; readonly path: string; readonly size: number; readonly options: WorkerScanOptions };

/** The pool's answer to a worker's `read`: the bytes (handed over), or why they could not be read. */
export type RangeAnswer =
  | { readonly id: number; readonly kind: 'range'; readonly seq: number; readonly ok: true; readonly bytes: Uint8Array }
  | { readonly id: number; readonly kind: 'range'; readonly seq: number; readonly ok: false; readonly error: string };

export type ToWorker = WorkerRequest | RangeAnswer;

export type WorkerResponse =
  /** The worker has loaded the scanner and takes requests (sent once, first). */
  | { readonly kind: 'ready' }
  | { readonly id: number; readonly kind: 'done'; readonly ok: true; readonly result: FileScanResult }
  | { readonly id: number; readonly kind: 'done'; readonly ok: false; readonly error: string }
  /** The worker's scan of a `source` request needs `length` bytes at `offset`. */
  | { readonly id: number; readonly kind: 'read'; readonly seq: number; readonly offset: number; readonly length: number };
