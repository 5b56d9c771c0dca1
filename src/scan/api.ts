/** Entry points: scan a file by path, bytes in memory, or any `ByteSource`. */
import type { ByteSource, FileScanResult } from './types.ts';
import { DEFAULT_ANALYZERS, POLYGLOT_ANALYZERS } from './analyzers.ts';
import { scanSource, type ScanOptions } from './engine/engine.ts';
import { FileSource } from './sources/file-source.ts';
import { MemorySource } from './sources/memory-source.ts';

export type { ScanOptions } from './engine/engine.ts';

export function scan(source: ByteSource, path: string, options: ScanOptions = {}): Promise<FileScanResult> {
  return scanSource(source, path, DEFAULT_ANALYZERS, options, options.analyzers === undefined ? POLYGLOT_ANALYZERS : []);
}

export function scanBytes(bytes: Uint8Array, path: string, options: ScanOptions = {}): Promise<FileScanResult> {
  return scan(new MemorySource(bytes), path, options);
}

/**
 * Opens the file read-only and scans it; the handle is closed whatever happens. `name` is the
 * name it is scanned and reported under (its own path by default): a stored blob's file is named
 * by its digest, the model file it holds by the repository.
 */
export async function scanFile(path: string, options: ScanOptions = {}, name = path): Promise<FileScanResult> {
  await using source = await FileSource.open(path);
  return await scan(source, name, options);
}
