export { ScanWorkerPool, type ScanPoolOptions } from './pool.ts';
export type { WorkerScanOptions } from './protocol.ts';
