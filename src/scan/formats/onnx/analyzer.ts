/**
 * ONNX models: a protobuf `ModelProto` without magic bytes, recognised by structure (first field
 * `ir_version` 3–64, then only ModelProto fields of the right wire types). The analysis:
 *
 * - external data (`external_data` entries / `data_location = EXTERNAL`) whose `location` leaves
 *   the model's directory — absolute, `..`, drive letters, UNC, URL schemes, `~`, NUL — is
 *   malicious: loaders open that path (CVE-2022-25882, CVE-2024-27318 path traversal to read
 *   arbitrary files). In-directory locations are reported as info (the files must be scanned too);
 * - operators in domains outside the standard set (`ai.onnx`, `ai.onnx.ml`, `ai.onnx.training`,
 *   `ai.onnx.preview.training`, `com.microsoft`) that are not model-local functions are
 *   suspicious: running them means loading a custom-operator library (native code) or, with
 *   onnxruntime-extensions, Python callbacks (`PyOp`);
 * - structure: a missing/implausible `ir_version` or a model without a graph is invalid.
 */
import type { ByteSource, FormatAnalyzer, ScanContext } from '../../types.ts';
import { guardAnalysis, report } from '../common/findings.ts';
import { pathEscape } from '../common/path-safety.ts';
import { ProtoReader, sniffMessage } from '../common/protobuf.ts';
import { SourceWindow } from '../common/source-window.ts';
import { MODEL_SCHEMA } from './sniff-schema.ts';
import type { OnnxModel } from './walk.ts';
import { walkModel } from './walk.ts';

const STANDARD_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'ai.onnx.training', 'ai.onnx.preview.training', 'com.microsoft', 'com.microsoft.nchwc']);

function detect(head: Uint8Array): boolean {
  if (head.length < 4 || head[0] !== 0x08) return false;
  const ir = head[1] ?? 0;
  if (ir < 3 || ir > 64) return false;
  return sniffMessage(head, MODEL_SCHEMA) >= 3;
}

async function analyze(source: ByteSource, ctx: ScanContext): Promise<void> {
  await guardAnalysis(ctx, async () => {
    const r = new ProtoReader(new SourceWindow(source, 'onnx'), 'onnx', ctx.limits.maxHeaderBytes);
    const m = await walkModel(r, source.size);
    if (m.irVersion === undefined || m.irVersion < 1 || m.irVersion > 64) {
      report(ctx, 'onnx.ir-version', 'invalid', `ir_version ${String(m.irVersion)} is missing or implausible`, { offset: 0 });
    }
    if (m.graphs === 0) report(ctx, 'onnx.graph.missing', 'invalid', 'model has no graph', { offset: 0 });
    const ops = new Map<string, number>();
    for (const op of m.ops) {
      const key = op.domain === '' || op.domain === 'ai.onnx' ? op.opType : `${op.domain}.${op.opType}`;
      ops.set(key, (ops.get(key) ?? 0) + 1);
    }
    report(ctx, 'onnx.ops', 'info', `ONNX IR ${String(m.irVersion)}, ${m.nodes} nodes, ${ops.size} operator types`, {
      opsets: Object.fromEntries(m.opsets),
      ops: Object.fromEntries([...ops].sort((a, b) => b[1] - a[1]).slice(0, 128)),
    });
    externalData(ctx, m);
    customDomains(ctx, m);
  });
}

function externalData(ctx: ScanContext, m: OnnxModel): void {
  const inside = new Set<string>();
  for (const x of m.external) {
    if (x.locations.length === 0) {
      report(ctx, 'onnx.external-data.location', 'invalid', `tensor ${JSON.stringify(x.tensor)} stores its data externally but names no location`, {
        offset: x.offset,
        tensor: x.tensor,
      });
      continue;
    }
    for (const loc of x.locations) {
      const escape = pathEscape(loc);
      if (escape !== undefined) {
        report(
          ctx,
          'onnx.external-data.path-traversal',
          'malicious',
          `tensor ${JSON.stringify(x.tensor)} (${x.where}) reads external data from ${JSON.stringify(loc)}: ${escape} (CVE-2024-27318, CVE-2022-25882)`,
          { offset: x.offset, tensor: x.tensor, location: loc },
        );
      } else inside.add(loc);
    }
    for (const k of ['offset', 'length']) {
      const v = x.keys.get(k);
      if (v !== undefined && !/^\d+$/.test(v)) {
        report(ctx, 'onnx.external-data.field', 'invalid', `tensor ${JSON.stringify(x.tensor)} external ${k} ${JSON.stringify(v)} is not a number`, { offset: x.offset });
      }
    }
  }
  if (inside.size > 0) {
    report(ctx, 'onnx.external-data', 'info', `weights are stored in ${inside.size} external file(s) next to the model, which must be scanned too`, {
      locations: [...inside].slice(0, 64),
    });
  }
}

function customDomains(ctx: ScanContext, m: OnnxModel): void {
  const byDomain = new Map<string, { ops: Set<string>; offset: number; where: string }>();
  for (const op of m.ops) {
    if (STANDARD_DOMAINS.has(op.domain) || m.functions.has(`${op.domain}\u0000${op.opType}`)) continue;
    const e = byDomain.get(op.domain) ?? { ops: new Set<string>(), offset: op.offset, where: op.where };
    e.ops.add(op.opType);
    byDomain.set(op.domain, e);
  }
  for (const [domain, e] of byDomain) {
    report(
      ctx,
      'onnx.operator.custom-domain',
      'suspicious',
      `operators from custom domain ${JSON.stringify(domain)} (${[...e.ops].slice(0, 16).join(', ')}) need a custom-operator library to run`,
      { offset: e.offset, domain, operators: [...e.ops].slice(0, 64), where: e.where },
    );
  }
  for (const [domain] of m.opsets) {
    if (!STANDARD_DOMAINS.has(domain) && !byDomain.has(domain) && ![...m.functions].some((f) => f.startsWith(`${domain}\u0000`))) {
      report(ctx, 'onnx.opset.custom-domain', 'info', `opset import of custom domain ${JSON.stringify(domain)} (no operator uses it)`, { domain });
    }
  }
}

export const onnxAnalyzer: FormatAnalyzer = { format: 'onnx', detect, analyze };
