/**
 * The analyzer registry, in identification order: formats with strong magic bytes first,
 * then the pickle family, then sniffers without a magic number (zlib and .lzma headers,
 * protocol 0/1 pickles, protobuf-based ONNX/TensorFlow). The first analyzer whose `detect`
 * accepts a source analyses it.
 *
 * Format folders add one import and one entry each.
 */
import type { FormatAnalyzer } from './types.ts';
import { pickleAnalyzer, textPickleAnalyzer } from './formats/pickle/index.ts';
import { zipAnalyzer } from './formats/zip/analyzer.ts';
import { tarAnalyzer } from './formats/archives/tar-analyzer.ts';
import { sevenZipAnalyzer } from './formats/archives/sevenzip/analyzer.ts';
import { bzip2Analyzer, gzipAnalyzer, lzmaAnalyzer, xzAnalyzer, zlibAnalyzer } from './formats/archives/wrappers.ts';
import { legacyTorchAnalyzer } from './formats/pytorch/legacy.ts';

/** Unambiguous magic bytes at fixed offsets. */
const STRONG_MAGIC: readonly FormatAnalyzer[] = [
  zipAnalyzer,
  gzipAnalyzer,
  bzip2Analyzer,
  xzAnalyzer,
  sevenZipAnalyzer,
  tarAnalyzer,
];

/** Pickle-family formats: legacy PyTorch (magic-number pickle first), protocol 2+ pickles. */
const PICKLE_FAMILY: readonly FormatAnalyzer[] = [legacyTorchAnalyzer, pickleAnalyzer];

/** Formats without a magic number, recognised by structure. */
const HEURISTIC: readonly FormatAnalyzer[] = [textPickleAnalyzer, zlibAnalyzer, lzmaAnalyzer];

export const DEFAULT_ANALYZERS: readonly FormatAnalyzer[] = Object.freeze([
  ...STRONG_MAGIC,
  ...PICKLE_FAMILY,
  ...HEURISTIC,
]);
