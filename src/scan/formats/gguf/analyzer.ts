/**
 * GGUF (llama.cpp models): the header, every metadata key/value and every tensor info are parsed
 * and checked the way llama.cpp's loader checks them (version 1–3, no duplicate keys or tensor
 * names, ≤ 4 dimensions, known tensor types, rows a whole number of blocks, tensors laid out in
 * order at aligned offsets inside the file). Chat templates (`tokenizer.chat_template` and its
 * named variants) are analysed for Jinja template injection (CVE-2024-34359); other string
 * values that contain template syntax are analysed too, reported at most as suspicious. Tensor
 * data is never read.
 */
import type { ByteSource, FormatAnalyzer, ScanContext } from '../../types.ts';
import { FormatParseError } from '../common/errors.ts';
import { guardAnalysis, report } from '../common/findings.ts';
import { SourceWindow } from '../common/source-window.ts';
import { GGML_MAX_DIMS, GGML_TYPES } from './ggml-types.ts';
import type { GgufKv } from './reader.ts';
import { GGUF_TYPE, GgufReader, typeName } from './reader.ts';
import { reportTemplate } from './template-findings.ts';

const MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"
const DEFAULT_ALIGNMENT = 32;
/** String values worth reading in full to look for template syntax. */
const MAX_INSPECTED_STRING = 1 << 20;

function detect(head: Uint8Array): boolean {
  return head.length >= 8 && MAGIC.every((b, i) => head[i] === b);
}

function isChatTemplateKey(key: string): boolean {
  return key === 'tokenizer.chat_template' || key.startsWith('tokenizer.chat_template.');
}

async function analyze(source: ByteSource, ctx: ScanContext): Promise<void> {
  await guardAnalysis(ctx, async () => {
    const win = new SourceWindow(source, 'gguf');
    await win.ensure(0, Math.min(24, source.size), 'header');
    if (source.size < 16) throw new FormatParseError('gguf.truncated', 'file is too short for a GGUF header', 0);
    let le = true;
    let version = win.u32(4, true);
    if (version < 1 || version > 3) {
      const be = win.u32(4, false);
      if (be >= 1 && be <= 3) {
        le = false;
        version = be;
      } else {
        report(ctx, 'gguf.version', 'invalid', `unsupported GGUF version ${version}`, { offset: 4 });
        return;
      }
    }
    const r = new GgufReader(win, 8, le, version, ctx.limits.maxHeaderBytes);
    const tensorCount = await r.count('tensor count', version === 1 ? 16 : 24);
    const kvCount = await r.count('metadata count', version === 1 ? 9 : 13);

    const keys = new Set<string>();
    let alignment = DEFAULT_ALIGNMENT;
    for (let i = 0; i < kvCount; i++) {
      const offset = r.pos;
      const key = (await r.string('metadata key', true, 1 << 16)) ?? '';
      if (key.length === 0) throw new FormatParseError('gguf.key', 'empty or oversized metadata key', offset);
      if (keys.has(key)) throw new FormatParseError('gguf.key.duplicate', `duplicate metadata key ${JSON.stringify(key)}`, offset);
      keys.add(key);
      const type = await r.u32('value type');
      const keep = type === GGUF_TYPE.STRING || (type === GGUF_TYPE.ARRAY && isChatTemplateKey(key));
      const kv: GgufKv = { key, type, offset, ...(await r.value(type, keep)) };
      if (key === 'general.alignment') alignment = checkAlignment(kv);
      inspect(ctx, kv);
    }

    // Tensor infos.
    const names = new Set<string>();
    const tensors: Array<{ name: string; offset: bigint; bytes: bigint; at: number }> = [];
    for (let i = 0; i < tensorCount; i++) {
      const at = r.pos;
      const name = (await r.string('tensor name', true, 1 << 16)) ?? '';
      if (names.has(name)) throw new FormatParseError('gguf.tensor.duplicate', `duplicate tensor name ${JSON.stringify(name)}`, at);
      names.add(name);
      const nDims = await r.u32('tensor dimension count');
      if (nDims > GGML_MAX_DIMS) throw new FormatParseError('gguf.tensor.dims', `tensor ${JSON.stringify(name)} has ${nDims} dimensions (max ${GGML_MAX_DIMS})`, at);
      const dims: bigint[] = [];
      for (let d = 0; d < nDims; d++) dims.push(version === 1 ? BigInt(await r.u32('dimension')) : await r.u64('dimension'));
      const type = await r.u32('tensor type');
      const offset = await r.u64('tensor offset');
      const t = GGML_TYPES.get(type);
      if (t === undefined) throw new FormatParseError('gguf.tensor.type', `tensor ${JSON.stringify(name)} has unknown or removed ggml type ${type}`, at);
      let elements = 1n;
      for (const d of dims) {
        if (d > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatParseError('gguf.tensor.dims', `tensor ${JSON.stringify(name)} dimension ${d} is out of range`, at);
        elements *= d;
      }
      if (elements > 2n ** 63n - 1n) throw new FormatParseError('gguf.tensor.dims', `tensor ${JSON.stringify(name)} has too many elements`, at);
      const row = dims[0] ?? 1n;
      if (row % BigInt(t.blockSize) !== 0n) {
        throw new FormatParseError('gguf.tensor.block', `tensor ${JSON.stringify(name)} row of ${row} is not a multiple of the ${t.name} block size ${t.blockSize}`, at);
      }
      tensors.push({ name, offset, bytes: (elements / BigInt(t.blockSize)) * BigInt(t.typeSize), at });
    }

    // Data section: aligned after the infos; tensors back to back, each padded to the alignment.
    const dataStart = BigInt(align(r.pos, alignment));
    let expected = 0n;
    for (const t of tensors) {
      if (t.offset !== expected) {
        throw new FormatParseError('gguf.tensor.offset', `tensor ${JSON.stringify(t.name)} is at data offset ${t.offset}, expected ${expected}`, t.at);
      }
      expected += padded(t.bytes, alignment);
    }
    // Without tensors there is no data section (vocabulary-only files end after the metadata;
    // llama.cpp seeks to the aligned start and reads nothing).
    const dataEnd = tensors.length === 0 ? 0n : dataStart + (tensors.at(-1)?.offset ?? 0n) + (tensors.at(-1)?.bytes ?? 0n);
    if (dataEnd > BigInt(source.size)) {
      throw new FormatParseError('gguf.tensor.bounds', `tensor data ends at byte ${dataEnd}, past the end of the ${source.size}-byte file`);
    }
  });
}

function checkAlignment(kv: GgufKv): number {
  const v = kv.value;
  if (kv.type !== GGUF_TYPE.UINT32 || typeof v !== 'number' || v === 0 || (v & (v - 1)) !== 0) {
    throw new FormatParseError('gguf.alignment', `general.alignment must be a power-of-two u32, got ${typeName(kv.type)} ${String(v)}`, kv.offset);
  }
  return v;
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function padded(n: bigint, a: number): bigint {
  const A = BigInt(a);
  return ((n + A - 1n) / A) * A;
}

/** Chat templates and template-looking strings get the Jinja analysis. */
function inspect(ctx: ScanContext, kv: GgufKv): void {
  const chat = isChatTemplateKey(kv.key);
  if (typeof kv.value === 'string') {
    if (chat) reportTemplate(ctx, 'gguf', kv.key, kv.value, true);
    else if (kv.value.length <= MAX_INSPECTED_STRING && /\{[{%]/.test(kv.value)) reportTemplate(ctx, 'gguf', kv.key, kv.value, false);
    return;
  }
  if (chat && kv.type === GGUF_TYPE.STRING) {
    report(ctx, 'gguf.chat-template.size', 'unscannable', `${kv.key} is too large to analyse`, { offset: kv.offset });
    return;
  }
  if (chat && kv.type !== GGUF_TYPE.ARRAY) {
    report(ctx, 'gguf.chat-template.type', 'invalid', `${kv.key} is a ${typeName(kv.type)}, expected a string`, { offset: kv.offset });
  }
  if (chat && kv.strings !== undefined) {
    kv.strings.forEach((s, i) => {
      if (/\{[{%]/.test(s)) reportTemplate(ctx, 'gguf', `${kv.key}[${i}]`, s, true);
    });
  }
}

export const ggufAnalyzer: FormatAnalyzer = { format: 'gguf', detect, analyze };
