/**
 * safetensors: an 8-byte little-endian header length, a JSON header, then raw tensor bytes. The
 * format cannot carry code, so the analysis is strict structural validation (see `header.ts`):
 * a loader that trusts a malformed header reads out of bounds or misinterprets data, and
 * readers disagree on malformed headers. Only the header is read, never the tensor bytes.
 */
import type { ByteSource, FormatAnalyzer, ScanContext } from '../../types.ts';
import { guardAnalysis, report } from '../common/findings.ts';
import { REFERENCE_MAX_HEADER, validateHeader } from './header.ts';

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

/**
 * A u64 header length whose upper half is zero followed by `{` (or JSON whitespace before it,
 * which the analysis then rejects). Malformed lengths are still claimed so they are reported.
 */
function detect(head: Uint8Array, size: number): boolean {
  if (size < 10 || head.length < 10) return false;
  if (head[4] !== 0 || head[5] !== 0 || head[6] !== 0 || head[7] !== 0) return false;
  const n = (head[0] ?? 0) + (head[1] ?? 0) * 0x100 + (head[2] ?? 0) * 0x10000 + (head[3] ?? 0) * 0x1000000;
  if (n < 2) return false;
  if (head[8] !== 0x7b) return false; // '{'
  const next = head[9];
  // `{"name"` or `{}` or whitespace: what serde_json output and hand-written headers look like.
  return next === 0x22 || next === 0x7d || next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09;
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
