/** The `pickle` format: any protocol, plain or stacked (joblib dumps are refined to `joblib`). */
import type { FormatAnalyzer } from '../../types.ts';
import { looksLikeBinaryPickle, looksLikeTextPickle } from './probe.ts';
import { scanPickles } from './stream.ts';

export const pickleAnalyzer: FormatAnalyzer = {
  format: 'pickle',
  detect(head) {
    return looksLikeBinaryPickle(head) || looksLikeTextPickle(head);
  },
  async analyze(source, ctx) {
    await scanPickles(source, 0, ctx, { torch: false });
  },
};
