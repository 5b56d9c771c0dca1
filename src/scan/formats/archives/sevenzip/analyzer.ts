/** 7z archives: listed and scanned (placeholder until the decoder lands: unscannable). */
import type { FormatAnalyzer } from '../../../types.ts';
import { ScanUnscannableError } from '../../../engine/errors.ts';

const MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

export const sevenZipAnalyzer: FormatAnalyzer = {
  format: '7z',
  detect: (head) => MAGIC.every((b, i) => head[i] === b),
  analyze() {
    return Promise.reject(new ScanUnscannableError('7z.codec.unsupported', '7z archives are not decoded yet'));
  },
};
