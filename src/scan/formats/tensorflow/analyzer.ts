/**
 * TensorFlow protobufs, recognised by structure (there is no magic number): SavedModel
 * `saved_model.pb`, frozen GraphDef `.pb`, Keras `keras_metadata.pb`, `fingerprint.pb`. Every
 * node of the graph and of every library function is looked at:
 *
 * - Python callbacks (`PyFunc`, `EagerPyFunc` …) and file writes (`WriteFile`,
 *   `DatasetToTFRecord`, `PrintV2` to a file …) are malicious; file reads, listing, memory-mapped
 *   files, summary/debug writers are suspicious;
 * - checkpoint ops (`SaveV2`, `RestoreV2` …) exist in every SavedModel; they are judged by the
 *   constant path they are wired to (outside the model directory → malicious for writes,
 *   suspicious for reads);
 * - ops from extension libraries (`Addons>…`) need native code: suspicious, low;
 * - asset file names that leave the assets directory are suspicious;
 * - Keras layer metadata (SavedModel object graph, keras_metadata.pb) gets the Keras analysis.
 */
import type { ByteSource, FormatAnalyzer, ScanContext } from '../../types.ts';
import { guardAnalysis, report } from '../common/findings.ts';
import { pathEscape } from '../common/path-safety.ts';
import { ProtoReader, sniffMessage } from '../common/protobuf.ts';
import { FormatParseError } from '../common/errors.ts';
import { SourceWindow } from '../common/source-window.ts';
import { analyzeKerasJsonText } from '../keras/json-config.ts';
import { isNamespacedCustomOp, opRule } from './ops.ts';
import { FINGERPRINT, GRAPH_DEF, KERAS_METADATA, SAVED_MODEL } from './sniff-schema.ts';
import type { TfGraph, TfModel, TfNode } from './walk.ts';
import { newModel, walkGraphDefTop, walkKerasMetadata, walkOpaque, walkSavedModel } from './walk.ts';

export type TfKind = 'saved-model' | 'graph-def' | 'keras-metadata' | 'fingerprint';

/** Which TensorFlow message the head looks like, if any. */
export function tfKind(head: Uint8Array): TfKind | undefined {
  if (head.length < 4) return undefined;
  const b0 = head[0];
  if (b0 === 0x08 && head[1] === 0x01 && head[2] === 0x12 && sniffMessage(head, SAVED_MODEL) >= 4) return 'saved-model';
  if (b0 === 0x08 && sniffMessage(head, FINGERPRINT) >= 4 && head[1] !== undefined && head[1] >= 0x80) return 'fingerprint';
  if (b0 === 0x0a) {
    const keras = sniffMessage(head, KERAS_METADATA);
    const graph = sniffMessage(head, GRAPH_DEF);
    if (keras >= 3 && keras >= graph) return 'keras-metadata';
    if (graph >= 3) return 'graph-def';
  }
  if ((b0 === 0x12 || b0 === 0x22) && sniffMessage(head, GRAPH_DEF) >= 4) return 'graph-def';
  return undefined;
}

function detect(head: Uint8Array): boolean {
  return tfKind(head) !== undefined;
}

async function analyze(source: ByteSource, ctx: ScanContext): Promise<void> {
  await guardAnalysis(ctx, async () => {
    const head = await source.read(0, Math.min(4096, source.size));
    const kind = tfKind(head);
    const r = new ProtoReader(new SourceWindow(source, 'tensorflow'), 'tensorflow', ctx.limits.maxHeaderBytes);
    const m = newModel();
    switch (kind) {
      case 'saved-model':
        await walkSavedModel(r, source.size, m);
        break;
      case 'graph-def':
        await walkGraphDefTop(r, source.size, m);
        break;
      case 'keras-metadata':
        await walkKerasMetadata(r, source.size, m);
        break;
      case 'fingerprint':
        await walkOpaque(r, source.size);
        return;
      default:
        throw new FormatParseError('tensorflow.structure', 'not a recognised TensorFlow protobuf', 0);
    }
    if (m.opCounts.size > 0) {
      const ops = [...m.opCounts].sort((a, b) => b[1] - a[1]);
      report(ctx, 'tensorflow.ops', 'info', `${kind} with ${m.graphs.length} graph(s)/function(s) using ${ops.length} op types`, {
        ops: Object.fromEntries(ops.slice(0, 128)),
      });
    }
    for (const g of m.graphs) for (const n of g.nodes) judgeNode(ctx, g, n);
    customOps(ctx, m);
    for (const a of m.assets) {
      const escape = pathEscape(a.filename);
      if (escape !== undefined) {
        report(ctx, 'tensorflow.asset.path', 'suspicious', `asset file ${JSON.stringify(a.filename)} is outside the assets directory (${escape})`, { offset: a.offset, path: a.filename }, 'high');
      }
    }
    for (const k of m.kerasMetadata) {
      try {
        if (analyzeKerasJsonText(ctx, k.json, `Keras metadata of ${k.where}`)) ctx.refineFormat('keras');
      } catch (err) {
        if (!(err instanceof FormatParseError)) throw err;
        report(ctx, 'tensorflow.keras-metadata.json', 'invalid', `Keras metadata of ${k.where} is not valid JSON: ${err.message}`, { offset: k.offset });
      }
    }
  });
}

function judgeNode(ctx: ScanContext, g: TfGraph, n: TfNode): void {
  const rule = opRule(n.op);
  if (rule === undefined) return;
  const evidence = { offset: n.offset, op: n.op, node: n.name, graph: g.where };
  switch (rule.kind) {
    case 'fixed':
      report(ctx, `tensorflow.op.${rule.cls === 'malicious' ? 'dangerous' : 'io'}`, rule.cls, `${n.op} node ${JSON.stringify(n.name)} in ${g.where} ${rule.why}`, evidence, rule.severity);
      return;
    case 'checkpoint': {
      // The path is input 0 (prefix/filename); MergeV2Checkpoints also writes to input 1.
      const inputs = n.inputs.slice(0, n.op === 'MergeV2Checkpoints' ? 2 : 1);
      for (const input of inputs) {
        const value = g.strings.get(input.replace(/^\^/, '').split(':')[0] ?? '');
        if (value === undefined) continue;
        const escape = pathEscape(value);
        if (escape === undefined) continue;
        report(
          ctx,
          'tensorflow.checkpoint.path',
          rule.writes ? 'malicious' : 'suspicious',
          `${n.op} node ${JSON.stringify(n.name)} in ${g.where} ${rule.writes ? 'writes' : 'reads'} checkpoint data at ${JSON.stringify(value)} (${escape})`,
          { ...evidence, path: value },
          rule.writes ? 'critical' : 'high',
        );
      }
      return;
    }
    case 'attr': {
      if (rule.attr === 'output_stream') {
        const stream = n.attrs.get('output_stream')?.[0] ?? 'stderr';
        if (stream.startsWith('file://')) {
          report(ctx, 'tensorflow.op.dangerous', 'malicious', `PrintV2 node ${JSON.stringify(n.name)} in ${g.where} appends to the file ${JSON.stringify(stream)}`, { ...evidence, path: stream });
        } else if (!['stderr', 'stdout', 'log(info)', 'log(warning)', 'log(error)'].includes(stream)) {
          report(ctx, 'tensorflow.op.io', 'suspicious', `PrintV2 node ${JSON.stringify(n.name)} in ${g.where} prints to ${JSON.stringify(stream)}`, evidence);
        }
      } else if (rule.attr === 'debug') {
        const targets = [...(n.attrs.get('debug_urls') ?? []), ...(n.attrs.get('dump_root') ?? [])].filter((t) => t.length > 0);
        if (targets.length > 0) {
          // Dumping to a file or a remote debug server writes or sends every tensor it sees, like PrintV2 to a file.
          const writes = targets.some((t) => /^(file|grpc):\/\//i.test(t) || t.startsWith('/') || /^[A-Za-z]:[\\/]/.test(t));
          report(ctx, writes ? 'tensorflow.op.dangerous' : 'tensorflow.op.io', writes ? 'malicious' : 'suspicious',
            `${n.op} node ${JSON.stringify(n.name)} in ${g.where} dumps tensors to ${targets.map((t) => JSON.stringify(t)).join(', ')}`,
            { ...evidence, targets }, writes ? 'critical' : 'high');
        }
      } else {
        const source = n.attrs.get('descriptor_source')?.[0] ?? 'local://';
        if (source !== 'local://' && source !== '') {
          report(ctx, 'tensorflow.op.io', 'suspicious', `${n.op} node ${JSON.stringify(n.name)} in ${g.where} loads protobuf descriptors from ${JSON.stringify(source)}`, { ...evidence, path: source });
        }
      }
    }
  }
}

function customOps(ctx: ScanContext, m: TfModel): void {
  const custom = [...m.opCounts.keys()].filter(isNamespacedCustomOp);
  if (custom.length > 0) {
    report(ctx, 'tensorflow.op.custom', 'suspicious', `graph uses ops from extension libraries (${custom.slice(0, 16).join(', ')}), which load native code`, { ops: custom.slice(0, 64) }, 'low');
  }
}

export const tensorflowAnalyzer: FormatAnalyzer = { format: 'tensorflow', detect, analyze };
