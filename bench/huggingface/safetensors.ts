/**
 * Valid safetensors files for the benchmark: the 8-byte little-endian header length, a JSON
 * header (space-padded so the data section starts 8-aligned, as writers do) and one F32 tensor
 * whose bytes fill the data section exactly (the scanner's header rules: src/scan/formats/safetensors/header.ts).
 */
import { randomFillSync } from 'node:crypto';

const F32 = 4;

/**
 * A file whose data section is one `[rows, cols]` F32 tensor (`rows × cols × 4` bytes): random
 * bytes (`fill: 'random'`, every file different) or zeros.
 */
export function safetensorsFile(rows: number, cols: number, fill: 'random' | 'zero'): Buffer {
  const dataSize = rows * cols * F32;
  const json = JSON.stringify({ __metadata__: { format: 'pt' }, weight: { dtype: 'F32', shape: [rows, cols], data_offsets: [0, dataSize] } });
  const headerLength = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const file = Buffer.alloc(8 + headerLength + dataSize);
  file.writeBigUInt64LE(BigInt(headerLength), 0);
  file.write(json.padEnd(headerLength, ' '), 8, 'utf8');
  if (fill === 'random') randomFillSync(file, 8 + headerLength);
  return file;
}
