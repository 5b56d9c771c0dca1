/**
 * The analyzer registry, in identification order: formats with strong magic bytes first,
 * heuristic sniffers (protobuf-based ONNX/TensorFlow, text pickles) last. The first analyzer
 * whose `detect` accepts a source analyses it.
 *
 * Format folders add one import and one entry each.
 */
import type { FormatAnalyzer } from './types.ts';
import { pickleAnalyzer } from './formats/pickle/index.ts';

/** Unambiguous magic bytes at fixed offsets. */
const STRONG_MAGIC: readonly FormatAnalyzer[] = [];

/** Pickle-family formats (protocol 2+ magic, legacy PyTorch) and the text-protocol sniffer. */
const PICKLE_FAMILY: readonly FormatAnalyzer[] = [pickleAnalyzer];

/** Formats without a magic number, recognised by structure. */
const HEURISTIC: readonly FormatAnalyzer[] = [];

export const DEFAULT_ANALYZERS: readonly FormatAnalyzer[] = Object.freeze([
  ...STRONG_MAGIC,
  ...PICKLE_FAMILY,
  ...HEURISTIC,
]);
