/** Field layout of ONNX messages for content sniffing (see `sniffMessage`). */
import type { SniffSchema } from '../common/protobuf.ts';

const STR = { wire: 2, kind: 'string' } as const;
const BYTES = { wire: 2, kind: 'bytes' } as const;
const VARINT = { wire: 0 } as const;
const SCALARS = { wire: 'scalars' } as const;
const msg = (schema: () => SniffSchema) => ({ wire: 2, kind: 'message', schema }) as const;

const ENTRY: SniffSchema = { 1: STR, 2: STR };
const OPSET: SniffSchema = { 1: STR, 2: VARINT };
const TENSOR: SniffSchema = {
  1: SCALARS, 2: VARINT, 3: BYTES, 4: SCALARS, 5: SCALARS, 6: BYTES, 7: SCALARS, 8: STR, 9: BYTES, 10: SCALARS, 11: SCALARS, 12: STR,
  13: msg(() => ENTRY), 14: VARINT, 16: BYTES,
};
const ATTRIBUTE: SniffSchema = {
  1: STR, 2: { wire: 5 }, 3: VARINT, 4: BYTES, 5: msg(() => TENSOR), 6: msg(() => GRAPH), 7: SCALARS, 8: SCALARS, 9: BYTES,
  10: msg(() => TENSOR), 11: msg(() => GRAPH), 13: STR, 14: BYTES, 15: BYTES, 20: VARINT, 21: STR, 22: BYTES, 23: BYTES,
};
const NODE: SniffSchema = { 1: STR, 2: STR, 3: STR, 4: STR, 5: msg(() => ATTRIBUTE), 6: STR, 7: STR, 8: STR, 9: BYTES, 10: BYTES };
const GRAPH: SniffSchema = {
  1: msg(() => NODE), 2: STR, 5: msg(() => TENSOR), 10: STR, 11: BYTES, 12: BYTES, 13: BYTES, 14: BYTES, 15: BYTES, 16: BYTES,
};

export const MODEL_SCHEMA: SniffSchema = {
  1: VARINT, 2: STR, 3: STR, 4: STR, 5: VARINT, 6: STR, 7: msg(() => GRAPH), 8: msg(() => OPSET), 14: msg(() => ENTRY),
  20: BYTES, 25: BYTES, 26: BYTES,
};
