/** Field layouts of TensorFlow protobufs for content sniffing (see `sniffMessage`). */
import type { SniffSchema } from '../common/protobuf.ts';

const STR = { wire: 2, kind: 'string' } as const;
const BYTES = { wire: 2, kind: 'bytes' } as const;
const VARINT = { wire: 0 } as const;
const SCALARS = { wire: 'scalars' } as const;
const msg = (schema: () => SniffSchema) => ({ wire: 2, kind: 'message', schema }) as const;

const VERSION_DEF: SniffSchema = { 1: VARINT, 2: VARINT, 3: SCALARS };
const NODE_DEF: SniffSchema = { 1: STR, 2: STR, 3: STR, 4: STR, 5: BYTES, 6: BYTES, 7: BYTES };
const OP_DEF: SniffSchema = { 1: STR, 2: BYTES, 3: BYTES, 4: BYTES, 5: STR, 6: STR, 8: BYTES, 16: VARINT, 17: VARINT, 18: VARINT, 19: VARINT, 20: VARINT, 21: BYTES };
const FUNCTION_DEF: SniffSchema = { 1: msg(() => OP_DEF), 2: BYTES, 3: msg(() => NODE_DEF), 4: BYTES, 5: BYTES, 6: BYTES, 7: BYTES, 8: BYTES };
const LIBRARY: SniffSchema = { 1: msg(() => FUNCTION_DEF), 2: BYTES, 3: BYTES };
export const GRAPH_DEF: SniffSchema = { 1: msg(() => NODE_DEF), 2: msg(() => LIBRARY), 3: VARINT, 4: msg(() => VERSION_DEF), 5: BYTES };
const OP_LIST: SniffSchema = { 1: msg(() => OP_DEF) };
const META_INFO: SniffSchema = { 1: STR, 2: msg(() => OP_LIST), 3: BYTES, 4: STR, 5: STR, 6: STR, 7: VARINT, 8: BYTES };
const META_GRAPH: SniffSchema = { 1: msg(() => META_INFO), 2: msg(() => GRAPH_DEF), 3: BYTES, 4: BYTES, 5: BYTES, 6: BYTES, 7: BYTES };
export const SAVED_MODEL: SniffSchema = { 1: VARINT, 2: msg(() => META_GRAPH) };
const KERAS_OBJECT: SniffSchema = { 2: VARINT, 3: STR, 4: STR, 5: STR, 6: msg(() => VERSION_DEF) };
export const KERAS_METADATA: SniffSchema = { 1: msg(() => KERAS_OBJECT) };
export const FINGERPRINT: SniffSchema = { 1: VARINT, 2: VARINT, 3: VARINT, 4: VARINT, 5: VARINT, 6: msg(() => VERSION_DEF), 7: BYTES };
