/**
 * The `pickle` format: any protocol, plain or stacked (joblib dumps are refined to `joblib`).
 * Two entries for the registry: protocol 2+ has magic bytes (PROTO), protocols 0/1 are only
 * recognised by decoding, so that sniffer runs after every format with a real magic number.
 */
import type { FormatAnalyzer } from '../../types.ts';
import { looksLikeBinaryPickle, looksLikeTextPickle } from './probe.ts';
import { scanPickles } from './stream.ts';

export const pickleAnalyzer: FormatAnalyzer = {
  format: 'pickle',
  detect: looksLikeBinaryPickle,
  async analyze(source, ctx) {
    await scanPickles(source, 0, ctx, { torch: false });
  },
};

export const textPickleAnalyzer: FormatAnalyzer = {
  format: 'pickle',
  detect: looksLikeTextPickle,
  analyze: pickleAnalyzer.analyze,
};
