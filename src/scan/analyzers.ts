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
import { analyzer as safetensorsAnalyzer } from './formats/safetensors/index.ts';
import { analyzer as ggufAnalyzer } from './formats/gguf/index.ts';
import { analyzer as hdf5Analyzer } from './formats/hdf5/index.ts';
import { analyzer as numpyAnalyzer } from './formats/numpy/index.ts';
import { analyzer as onnxAnalyzer } from './formats/onnx/index.ts';
import { analyzer as tensorflowAnalyzer } from './formats/tensorflow/index.ts';
import { analyzer as jsonAnalyzer } from './formats/keras/index.ts';

/** Unambiguous magic bytes at fixed offsets. */
const STRONG_MAGIC: readonly FormatAnalyzer[] = [
  zipAnalyzer,
  gzipAnalyzer,
  bzip2Analyzer,
  xzAnalyzer,
  sevenZipAnalyzer,
  tarAnalyzer,
  ggufAnalyzer,
  hdf5Analyzer,
  numpyAnalyzer,
  // A u64 header length whose upper bytes are zero, then '{': before the pickle sniffers, since
  // a header length such as 0x0280 starts with the bytes of a pickle PROTO opcode.
  safetensorsAnalyzer,
];

/** Pickle-family formats: legacy PyTorch (magic-number pickle first), protocol 2+ pickles. */
const PICKLE_FAMILY: readonly FormatAnalyzer[] = [legacyTorchAnalyzer, pickleAnalyzer];

/** Formats without a magic number, recognised by structure. */
const HEURISTIC: readonly FormatAnalyzer[] = [
  textPickleAnalyzer,
  zlibAnalyzer,
  lzmaAnalyzer,
  // Protobufs: ONNX needs ir_version 3–64 first, TensorFlow messages are told apart by schema.
  onnxAnalyzer,
  tensorflowAnalyzer,
  // JSON objects (Keras configs, tokenizer configs) in any encoding Python's json accepts.
  jsonAnalyzer,
];

export const DEFAULT_ANALYZERS: readonly FormatAnalyzer[] = Object.freeze([
  ...STRONG_MAGIC,
  ...PICKLE_FAMILY,
  ...HEURISTIC,
]);

/**
 * Second opinions at the top level: a file identified as another format that also decodes as a
 * pickle is judged as a pickle too (loaders that do not recognise a format fall back to
 * unpickling it). The decoding sniffer (any protocol, with a stack model) is used rather than
 * the PROTO magic, so bytes that merely start like a pickle (a safetensors header length of
 * 0x0280) are not taken for one.
 */
export const POLYGLOT_ANALYZERS: readonly FormatAnalyzer[] = Object.freeze([textPickleAnalyzer]);
