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
    };

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly result: FileScanResult }
  | { readonly id: number; readonly ok: false; readonly error: string };
