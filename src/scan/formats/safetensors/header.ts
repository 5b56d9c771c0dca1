/**
 * Strict validation of a safetensors header, following the reference reader
 * (huggingface/safetensors `SafeTensors::read_metadata` + `Metadata::validate`):
 *
 * - 8-byte little-endian header length N, 2 ≤ N ≤ min(100 MB, limits.maxHeaderBytes) and
 *   N ≤ file size − 8;
 * - the header is UTF-8, starts with `{` (trailing space padding is allowed, as writers align the
 *   data section to 8 bytes) and is one JSON object without duplicate keys;
 * - `__metadata__`, when present, maps strings to strings;
 * - every other key is a tensor `{dtype, shape, data_offsets}` and nothing else: a known dtype,
 *   a shape of non-negative integers, `data_offsets` = [begin, end] with begin ≤ end and
 *   end − begin = element count × dtype size (computed with BigInt, sub-byte dtypes must fill
 *   whole bytes);
 * - sorted by offsets, the tensors tile the data section exactly: the first begins at 0, each
 *   begins where the previous ended (no gap, no overlap; zero-sized tensors may share an offset)
 *   and the last ends at the end of the file (no trailing bytes).
 *
 * Findings are `invalid` with the failing tensor named. Differences from the reference, all
 * stricter: duplicate keys and unknown tensor fields are rejected (serde silently accepts them).
 */
import type { JsonValue } from '../common/strict-json.ts';
import { isJsonObject, parseStrictJson } from '../common/strict-json.ts';
import { SAFETENSORS_DTYPE_BITS } from './dtypes.ts';

/** The reference implementation's hard cap on the header size. */
export const REFERENCE_MAX_HEADER = 100_000_000;

export interface TensorEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface HeaderProblem {
  readonly rule: string;
  readonly message: string;
  readonly tensor?: string;
}

export interface ParsedHeader {
  readonly tensors: readonly TensorEntry[];
  readonly metadata: ReadonlyMap<string, string>;
}

const TENSOR_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);

/** Validates the header JSON text against a data section of `dataSize` bytes. */
export function validateHeader(text: string, dataSize: number): ParsedHeader | HeaderProblem {
  if (!text.startsWith('{')) {
    return { rule: 'safetensors.header.start', message: 'header does not start with "{"' };
  }
  let root: JsonValue;
  try {
    root = parseStrictJson(text, { rule: 'safetensors.header.json', maxDepth: 64, maxValues: 50_000_000, duplicates: 'reject', integersOnly: true });
  } catch (err) {
    return { rule: 'safetensors.header.json', message: err instanceof Error ? err.message : String(err) };
  }
  if (!isJsonObject(root)) return { rule: 'safetensors.header.json', message: 'header is not a JSON object' };

  const metadata = new Map<string, string>();
  const tensors: TensorEntry[] = [];
  for (const [name, value] of root) {
    if (name === '__metadata__') {
      if (!isJsonObject(value)) return { rule: 'safetensors.header.metadata', message: '__metadata__ is not an object of strings' };
      for (const [k, v] of value) {
        if (typeof v !== 'string') {
          return { rule: 'safetensors.header.metadata', message: `__metadata__ value for ${JSON.stringify(k)} is not a string` };
        }
        metadata.set(k, v);
      }
      continue;
    }
    const entry = tensorEntry(name, value);
    if ('rule' in entry) return entry;
    tensors.push(entry);
  }
  return checkLayout(tensors, dataSize) ?? { tensors, metadata };
}

function tensorEntry(name: string, value: JsonValue): TensorEntry | HeaderProblem {
  const bad = (message: string, rule = 'safetensors.header.tensor'): HeaderProblem => ({ rule, message: `tensor ${JSON.stringify(name)}: ${message}`, tensor: name });
  if (!isJsonObject(value)) return bad('entry is not an object');
  for (const k of value.keys()) if (!TENSOR_FIELDS.has(k)) return bad(`unknown field ${JSON.stringify(k)}`);
  const dtype = value.get('dtype');
  if (typeof dtype !== 'string') return bad('dtype is missing or not a string');
  const bits = SAFETENSORS_DTYPE_BITS.get(dtype);
  if (bits === undefined) return bad(`unknown dtype ${JSON.stringify(dtype)}`, 'safetensors.header.dtype');
  const shapeValue = value.get('shape');
  if (!Array.isArray(shapeValue)) return bad('shape is missing or not an array');
  const shape: number[] = [];
  for (const d of shapeValue) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return bad(`shape entry ${JSON.stringify(d)} is not a non-negative integer`, 'safetensors.header.shape');
    shape.push(d);
  }
  const offsets = value.get('data_offsets');
  if (!Array.isArray(offsets) || offsets.length !== 2) return bad('data_offsets is not a [begin, end] pair', 'safetensors.header.offsets');
  const [begin, end] = offsets;
  if (typeof begin !== 'number' || typeof end !== 'number' || !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < 0) {
    return bad('data_offsets are not non-negative integers', 'safetensors.header.offsets');
  }
  if (end < begin) return bad(`data_offsets end ${end} is before begin ${begin}`, 'safetensors.header.offsets');
  let elements = 1n;
  for (const d of shape) elements *= BigInt(d);
  const totalBits = elements * BigInt(bits);
  if (totalBits % 8n !== 0n) return bad(`${elements} elements of ${dtype} do not fill whole bytes`, 'safetensors.header.size');
  const bytes = totalBits / 8n;
  if (bytes !== BigInt(end - begin)) {
    return bad(`dtype ${dtype} × shape [${shape.join(', ')}] is ${bytes} bytes but data_offsets span ${end - begin}`, 'safetensors.header.size');
  }
  return { name, dtype, shape, begin, end };
}

function checkLayout(tensors: TensorEntry[], dataSize: number): HeaderProblem | undefined {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: TensorEntry | undefined;
  for (const t of sorted) {
    if (t.begin < cursor) {
      return {
        rule: 'safetensors.header.overlap',
        message: `tensor ${JSON.stringify(t.name)} [${t.begin}, ${t.end}) overlaps ${JSON.stringify(previous?.name ?? '')} ending at ${cursor}`,
        tensor: t.name,
      };
    }
    if (t.begin > cursor) {
      return {
        rule: 'safetensors.header.gap',
        message: `${t.begin - cursor} unreferenced bytes before tensor ${JSON.stringify(t.name)} (data offset ${cursor})`,
        tensor: t.name,
      };
    }
    if (t.end > dataSize) {
      return {
        rule: 'safetensors.header.bounds',
        message: `tensor ${JSON.stringify(t.name)} ends at data offset ${t.end}, past the ${dataSize}-byte data section`,
        tensor: t.name,
      };
    }
    cursor = t.end;
    previous = t;
  }
  if (cursor !== dataSize) {
    return {
      rule: 'safetensors.header.trailing',
      message: `tensors cover ${cursor} bytes but the data section has ${dataSize}: ${dataSize - cursor} trailing bytes are not described by the header`,
    };
  }
  return undefined;
}
