/**
 * safetensors: an 8-byte little-endian header length, a JSON header, then raw tensor bytes. The
 * format cannot carry code, so the analysis is strict structural validation (see `header.ts`):
 * a loader that trusts a malformed header reads out of bounds or misinterprets data, and
 * readers disagree on malformed headers. Only the header is read, never the tensor bytes.
 */
import type { ByteSource, FormatAnalyzer, ScanContext } from '../../types.ts';
import { guardAnalysis, report } from '../common/findings.ts';
import { REFERENCE_MAX_HEADER, validateHeader } from './header.ts';

// A BOM is kept (and then rejected by the JSON parser), as serde_json rejects it.
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const JSON_AFTER_BRACE = new Set([0x22, 0x7d, 0x20, 0x0a, 0x0d, 0x09]);

/**
 * Eight bytes of header length followed by the start of a JSON object (`{"name"`, `{}`, `{`
 * and whitespace), optionally behind a UTF-8 BOM. The length is not judged here (only a length
 * spelled in printable text is taken for text):
 * a zero, tiny or absurd length on a file that is otherwise safetensors is reported as an
 * invalid header rather than as an unknown format.
 */
function detect(head: Uint8Array, size: number): boolean {
  if (size < 10 || head.length < 10) return false;
  const objectAt = (i: number): boolean => head[i] === 0x7b && JSON_AFTER_BRACE.has(head[i + 1] ?? -1);
  // A length field of printable characters is text that happens to contain JSON, not a header.
  if (head.subarray(0, 8).every((b) => b >= 0x20 && b <= 0x7e)) return false;
  if (objectAt(8)) return true;
  return head[8] === 0xef && head[9] === 0xbb && head[10] === 0xbf && objectAt(11);
}

async function analyze(source: ByteSource, ctx: ScanContext): Promise<void> {
  await guardAnalysis(ctx, async () => {
    const prefix = await source.read(0, 8);
    if (prefix.length < 8) {
      report(ctx, 'safetensors.header.length', 'invalid', 'file is shorter than the 8-byte header length', { offset: 0 });
      return;
    }
    const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
    const max = Math.min(REFERENCE_MAX_HEADER, ctx.limits.maxHeaderBytes);
    if (n < 2n) {
      report(ctx, 'safetensors.header.length', 'invalid', `header length ${n} is too small for a JSON object`, { offset: 0 });
      return;
    }
    if (n > BigInt(source.size - 8)) {
      report(ctx, 'safetensors.header.length', 'invalid', `header length ${n} runs past the end of the ${source.size}-byte file`, { offset: 0 });
      return;
    }
    if (n > BigInt(max)) {
      const cls = n > BigInt(REFERENCE_MAX_HEADER) ? 'invalid' : 'unscannable';
      report(ctx, 'safetensors.header.length', cls, `header length ${n} exceeds the ${max}-byte limit`, { offset: 0 });
      return;
    }
    const headerLength = Number(n);
    const bytes = await source.read(8, headerLength);
    if (bytes.length !== headerLength) {
      report(ctx, 'safetensors.header.length', 'invalid', 'header is truncated', { offset: 8 });
      return;
    }
    let text: string;
    try {
      text = UTF8_STRICT.decode(bytes);
    } catch {
      report(ctx, 'safetensors.header.utf8', 'invalid', 'header is not valid UTF-8', { offset: 8 });
      return;
    }
    const result = validateHeader(text, source.size - 8 - headerLength);
    if ('rule' in result) {
      report(ctx, result.rule, 'invalid', result.message, result.tensor === undefined ? { offset: 8 } : { offset: 8, tensor: result.tensor });
      return;
    }
  });
}

export const safetensorsAnalyzer: FormatAnalyzer = { format: 'safetensors', detect, analyze };
