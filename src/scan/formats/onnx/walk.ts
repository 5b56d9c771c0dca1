/**
 * Walks an ONNX ModelProto with the bounded protobuf reader and collects what the analysis
 * judges: opset imports, the domain and type of every operator (in the main graph, in subgraphs
 * held by attributes — `If`/`Loop`/`Scan` bodies —, in training graphs and in model-local
 * functions), and every tensor whose data lives outside the file (`external_data`). Tensor
 * payloads (`raw_data`, `float_data` …) are skipped by length, never read.
 */
import { FormatParseError } from '../common/errors.ts';
import type { ProtoField, ProtoReader } from '../common/protobuf.ts';
import { WIRE_LEN, WIRE_VARINT } from '../common/protobuf.ts';

export interface ExternalRef {
  readonly tensor: string;
  /** Every `location` entry (readers disagree on which of several wins, so all are judged). */
  readonly locations: readonly string[];
  readonly keys: ReadonlyMap<string, string>;
  readonly dataLocation: number;
  readonly offset: number;
  readonly where: string;
}

export interface OpUse {
  readonly domain: string;
  readonly opType: string;
  readonly where: string;
  readonly offset: number;
}

export interface OnnxModel {
  irVersion: number | undefined;
  graphs: number;
  readonly opsets: Map<string, number>;
  readonly ops: OpUse[];
  /** `domain\u0000name` of model-local functions. */
  readonly functions: Set<string>;
  readonly external: ExternalRef[];
  nodes: number;
}

const MAX_OP_RECORDS = 1_000_000;

export async function walkModel(r: ProtoReader, end: number): Promise<OnnxModel> {
  const m: OnnxModel = { irVersion: undefined, graphs: 0, opsets: new Map(), ops: [], functions: new Set(), external: [], nodes: 0 };
  let pos = 0;
  while (pos < end) {
    const f = await r.field(pos, end);
    switch (f.num) {
      case 1:
        m.irVersion = r.int(f, 'ir_version');
        break;
      case 7:
        m.graphs++;
        await walkGraph(r, f, m, 'graph', 1);
        break;
      case 8:
        await opsetImport(r, f, m.opsets);
        break;
      case 20:
        await walkTraining(r, f, m, 2);
        break;
      case 25:
        await walkFunction(r, f, m, 2);
        break;
      default:
        break;
    }
    pos = f.end;
  }
  return m;
}

async function opsetImport(r: ProtoReader, f: ProtoField, into: Map<string, number>): Promise<void> {
  r.expectWire(f, WIRE_LEN, 'opset_import');
  let domain = '';
  let version = 0;
  for (let p = f.start; p < f.end; ) {
    const g = await r.field(p, f.end);
    if (g.num === 1) domain = await r.string(g, 'opset domain');
    else if (g.num === 2) version = r.int(g, 'opset version');
    p = g.end;
  }
  into.set(domain, version);
}

async function walkGraph(r: ProtoReader, f: ProtoField, m: OnnxModel, where: string, depth: number): Promise<void> {
  r.expectWire(f, WIRE_LEN, 'graph');
  r.checkDepth(depth, f.offset);
  for (let p = f.start; p < f.end; ) {
    const g = await r.field(p, f.end);
    if (g.num === 1) await walkNode(r, g, m, where, depth + 1);
    else if (g.num === 5) await walkTensor(r, g, m, `${where} initializer`, depth + 1);
    else if (g.num === 15) await walkSparse(r, g, m, `${where} sparse initializer`, depth + 1);
    p = g.end;
  }
}

async function walkNode(r: ProtoReader, f: ProtoField, m: OnnxModel, where: string, depth: number): Promise<void> {
  r.expectWire(f, WIRE_LEN, 'node');
  r.checkDepth(depth, f.offset);
  m.nodes++;
  let opType = '';
  let domain = '';
  let name = '';
  const attrs: ProtoField[] = [];
  for (let p = f.start; p < f.end; ) {
    const g = await r.field(p, f.end);
    if (g.num === 4) opType = await r.string(g, 'op_type');
    else if (g.num === 7) domain = await r.string(g, 'domain');
    else if (g.num === 3) name = await r.string(g, 'node name');
    else if (g.num === 5) attrs.push(g);
    p = g.end;
  }
  if (m.ops.length >= MAX_OP_RECORDS) throw new FormatParseError('onnx.limit', `more than ${MAX_OP_RECORDS} operators`, f.offset);
  m.ops.push({ domain, opType, where, offset: f.offset });
  const label = `${where} › ${name === '' ? opType : name}`;
  for (const a of attrs) await walkAttribute(r, a, m, label, depth + 1);
}

async function walkAttribute(r: ProtoReader, f: ProtoField, m: OnnxModel, where: string, depth: number): Promise<void> {
  r.expectWire(f, WIRE_LEN, 'attribute');
  r.checkDepth(depth, f.offset);
  let name = '';
  const nested: ProtoField[] = [];
  for (let p = f.start; p < f.end; ) {
    const g = await r.field(p, f.end);
    if (g.num === 1) name = await r.string(g, 'attribute name');
    else if (g.num === 5 || g.num === 6 || g.num === 10 || g.num === 11 || g.num === 22 || g.num === 23) nested.push(g);
    p = g.end;
  }
  const at = `${where}.${name}`;
  for (const g of nested) {
    if (g.num === 6 || g.num === 11) await walkGraph(r, g, m, at, depth + 1);
    else if (g.num === 5 || g.num === 10) await walkTensor(r, g, m, at, depth + 1);
    else await walkSparse(r, g, m, at, depth + 1);
  }
}

async function walkSparse(r: ProtoReader, f: ProtoField, m: OnnxModel, where: string, depth: number): Promise<void> {
  r.expectWire(f, WIRE_LEN, 'sparse tensor');
  for (let p = f.start; p < f.end; ) {
    const g = await r.field(p, f.end);
    if (g.num === 1 || g.num === 2) await walkTensor(r, g, m, `${where}${g.num === 1 ? ' values' : ' indices'}`, depth + 1);
    p = g.end;
  }
}

async function walkTensor(r: ProtoReader, f: ProtoField, m: OnnxModel, where: string, depth: number): Promise<void> {
  r.expectWire(f, WIRE_LEN, 'tensor');
  r.checkDepth(depth, f.offset);
  let name = '';
  let dataLocation = 0;
  const keys = new Map<string, string>();
  const locations: string[] = [];
  let hasExternalEntries = false;
  for (let p = f.start; p < f.end; ) {
    const g = await r.field(p, f.end);
    if (g.num === 8) name = await r.string(g, 'tensor name');
    else if (g.num === 14 && g.wire === WIRE_VARINT) dataLocation = r.int(g, 'data_location');
    else if (g.num === 13) {
      hasExternalEntries = true;
      const [k, v] = await entry(r, g);
      if (k === 'location') locations.push(v);
      keys.set(k, v);
    }
    p = g.end;
  }
  if (dataLocation === 1 || hasExternalEntries) m.external.push({ tensor: name, locations, keys, dataLocation, offset: f.offset, where });
}

async function entry(r: ProtoReader, f: ProtoField): Promise<[string, string]> {
  r.expectWire(f, WIRE_LEN, 'string entry');
  let k = '';
  let v = '';
  for (let p = f.start; p < f.end; ) {
    const g = await r.field(p, f.end);
    if (g.num === 1) k = await r.string(g, 'entry key');
    else if (g.num === 2) v = await r.string(g, 'entry value');
    p = g.end;
  }
  return [k, v];
}

async function walkTraining(r: ProtoReader, f: ProtoField, m: OnnxModel, depth: number): Promise<void> {
  r.expectWire(f, WIRE_LEN, 'training_info');
  for (let p = f.start; p < f.end; ) {
    const g = await r.field(p, f.end);
    if (g.num === 1) await walkGraph(r, g, m, 'training initialization', depth + 1);
    else if (g.num === 2) await walkGraph(r, g, m, 'training algorithm', depth + 1);
    p = g.end;
  }
}

async function walkFunction(r: ProtoReader, f: ProtoField, m: OnnxModel, depth: number): Promise<void> {
  r.expectWire(f, WIRE_LEN, 'function');
  let name = '';
  let domain = '';
  const nodes: ProtoField[] = [];
  const attrs: ProtoField[] = [];
  for (let p = f.start; p < f.end; ) {
    const g = await r.field(p, f.end);
    if (g.num === 1) name = await r.string(g, 'function name');
    else if (g.num === 10) domain = await r.string(g, 'function domain');
    else if (g.num === 7) nodes.push(g);
    else if (g.num === 11) attrs.push(g);
    else if (g.num === 9) await opsetImport(r, g, new Map());
    p = g.end;
  }
  m.functions.add(`${domain}\u0000${name}`);
  const where = `function ${domain === '' ? '' : `${domain}.`}${name}`;
  for (const n of nodes) await walkNode(r, n, m, where, depth + 1);
  for (const a of attrs) await walkAttribute(r, a, m, `${where} default`, depth + 1);
}
