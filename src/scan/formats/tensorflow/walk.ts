/**
 * Walks TensorFlow protobufs with the bounded reader: SavedModel → MetaGraphDef → GraphDef
 * (nodes and the function library), asset file names, the object graph's Keras metadata; frozen
 * GraphDefs; Keras `keras_metadata.pb`. Keeps, per graph or function, the nodes whose op matters
 * and the string constants they may take a path from. Tensor contents are skipped unread except
 * for the short string values of constants.
 */
import type { ProtoField, ProtoReader } from '../common/protobuf.ts';
import { WIRE_LEN } from '../common/protobuf.ts';
import { isNamespacedCustomOp, opRule } from './ops.ts';

export interface TfNode {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly attrs: ReadonlyMap<string, readonly string[]>;
  readonly offset: number;
}

export interface TfGraph {
  readonly where: string;
  readonly nodes: TfNode[];
  /** Const nodes with string values: name → first value. */
  readonly strings: Map<string, string>;
}

export interface TfModel {
  readonly graphs: TfGraph[];
  readonly opCounts: Map<string, number>;
  readonly assets: Array<{ filename: string; offset: number }>;
  readonly kerasMetadata: Array<{ json: string; where: string; offset: number }>;
}

const MAX_CONST_STRING = 4096;
const INTERESTING_ATTRS = new Set(['output_stream', 'debug_urls', 'dump_root', 'descriptor_source', 'memory_region_name', 'value']);

export function newModel(): TfModel {
  return { graphs: [], opCounts: new Map(), assets: [], kerasMetadata: [] };
}

async function each(r: ProtoReader, f: ProtoField, fn: (g: ProtoField) => Promise<void> | void): Promise<void> {
  r.expectWire(f, WIRE_LEN, `field ${f.num}`);
  for (let p = f.start; p < f.end; ) {
    const g = await r.field(p, f.end);
    await fn(g);
    p = g.end;
  }
}

export async function walkSavedModel(r: ProtoReader, end: number, m: TfModel): Promise<void> {
  for (let p = 0; p < end; ) {
    const f = await r.field(p, end);
    if (f.num === 2) await walkMetaGraph(r, f, m, 1);
    p = f.end;
  }
}

async function walkMetaGraph(r: ProtoReader, f: ProtoField, m: TfModel, depth: number): Promise<void> {
  r.checkDepth(depth, f.offset);
  await each(r, f, async (g) => {
    if (g.num === 2) await walkGraphDef(r, g, m, 'graph', depth + 1);
    else if (g.num === 6) {
      await each(r, g, async (h) => {
        if (h.num === 2) m.assets.push({ filename: await r.string(h, 'asset filename'), offset: h.offset });
      });
    } else if (g.num === 7) await walkObjectGraph(r, g, m, depth + 1);
  });
}

export async function walkGraphDefTop(r: ProtoReader, end: number, m: TfModel): Promise<void> {
  await walkGraphDef(r, { num: 0, wire: WIRE_LEN, offset: 0, start: 0, end, varint: 0n }, m, 'graph', 1);
}

async function walkGraphDef(r: ProtoReader, f: ProtoField, m: TfModel, where: string, depth: number): Promise<void> {
  r.checkDepth(depth, f.offset);
  const graph: TfGraph = { where, nodes: [], strings: new Map() };
  m.graphs.push(graph);
  await each(r, f, async (g) => {
    if (g.num === 1) await walkNode(r, g, m, graph, depth + 1);
    else if (g.num === 2) {
      await each(r, g, async (h) => {
        if (h.num === 1) await walkFunction(r, h, m, depth + 2);
      });
    }
  });
}

async function walkFunction(r: ProtoReader, f: ProtoField, m: TfModel, depth: number): Promise<void> {
  r.checkDepth(depth, f.offset);
  const nodes: ProtoField[] = [];
  let name = '';
  await each(r, f, async (g) => {
    if (g.num === 1) {
      await each(r, g, async (h) => {
        if (h.num === 1) name = await r.string(h, 'function name');
      });
    } else if (g.num === 3) nodes.push(g);
  });
  const graph: TfGraph = { where: `function ${name}`, nodes: [], strings: new Map() };
  m.graphs.push(graph);
  for (const n of nodes) await walkNode(r, n, m, graph, depth + 1);
}

async function walkNode(r: ProtoReader, f: ProtoField, m: TfModel, graph: TfGraph, depth: number): Promise<void> {
  r.checkDepth(depth, f.offset);
  let name = '';
  let op = '';
  const inputs: string[] = [];
  const attrFields: ProtoField[] = [];
  await each(r, f, async (g) => {
    if (g.num === 1) name = await r.string(g, 'node name');
    else if (g.num === 2) op = await r.string(g, 'op');
    else if (g.num === 3) inputs.push(await r.string(g, 'input'));
    else if (g.num === 5) attrFields.push(g);
  });
  m.opCounts.set(op, (m.opCounts.get(op) ?? 0) + 1);
  const keep = opRule(op) !== undefined || isNamespacedCustomOp(op) || op === 'Const';
  if (!keep) return;
  const attrs = new Map<string, string[]>();
  for (const a of attrFields) {
    let key = '';
    let value: ProtoField | undefined;
    await each(r, a, async (g) => {
      if (g.num === 1) key = await r.string(g, 'attr key');
      else if (g.num === 2) value = g;
    });
    if (value !== undefined && INTERESTING_ATTRS.has(key)) attrs.set(key, await attrStrings(r, value, depth + 2));
  }
  if (op === 'Const') {
    const v = attrs.get('value')?.[0];
    if (v !== undefined) graph.strings.set(name, v);
    return;
  }
  graph.nodes.push({ name, op, inputs, attrs, offset: f.offset });
}

/** Strings in an AttrValue: `s`, `list.s`, or a tensor's `string_val` (first few, short ones). */
async function attrStrings(r: ProtoReader, f: ProtoField, depth: number): Promise<string[]> {
  r.checkDepth(depth, f.offset);
  const out: string[] = [];
  const take = async (g: ProtoField): Promise<void> => {
    if (out.length < 16 && g.end - g.start <= MAX_CONST_STRING) out.push(await r.string(g, 'attribute string'));
  };
  await each(r, f, async (g) => {
    if (g.num === 2) await take(g);
    else if (g.num === 1) {
      await each(r, g, async (h) => {
        if (h.num === 2) await take(h);
      });
    } else if (g.num === 8) {
      await each(r, g, async (h) => {
        if (h.num === 8) await take(h);
      });
    }
  });
  return out;
}

async function walkObjectGraph(r: ProtoReader, f: ProtoField, m: TfModel, depth: number): Promise<void> {
  r.checkDepth(depth, f.offset);
  let index = 0;
  await each(r, f, async (g) => {
    if (g.num !== 1) return;
    const node = index++;
    await each(r, g, async (h) => {
      if (h.num !== 4) return;
      await each(r, h, async (u) => {
        if (u.num === 3 && u.end > u.start) m.kerasMetadata.push({ json: await r.string(u, 'user object metadata'), where: `object ${node}`, offset: u.offset });
      });
    });
  });
}

/** `keras_metadata.pb`: SavedMetadata { repeated SavedObject nodes = 1 } with JSON in field 5. */
export async function walkKerasMetadata(r: ProtoReader, end: number, m: TfModel): Promise<void> {
  for (let p = 0; p < end; ) {
    const f = await r.field(p, end);
    if (f.num === 1) {
      let path = '';
      let json: { text: string; offset: number } | undefined;
      await each(r, f, async (g) => {
        if (g.num === 3) path = await r.string(g, 'node path');
        else if (g.num === 5) json = { text: await r.string(g, 'metadata'), offset: g.offset };
      });
      if (json !== undefined) m.kerasMetadata.push({ json: json.text, where: path === '' ? 'keras object' : path, offset: json.offset });
    }
    p = f.end;
  }
}

/** Walks every field of a message (fingerprint.pb) just to prove it is well-formed. */
export async function walkOpaque(r: ProtoReader, end: number): Promise<void> {
  for (let p = 0; p < end; ) p = (await r.field(p, end)).end;
}
