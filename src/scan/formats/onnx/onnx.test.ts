import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzer } from './index.ts';
import { concat, runAnalyzer, utf8 } from '../common/testing.ts';

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/scan/onnx');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

// A minimal protobuf writer for hand-made models.
function varint(n: number | bigint): Uint8Array {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return new Uint8Array(out);
}
const fv = (num: number, v: number): Uint8Array => concat(varint(num << 3), varint(v));
const fl = (num: number, payload: Uint8Array): Uint8Array => concat(varint((num << 3) | 2), varint(payload.length), payload);
const fs = (num: number, s: string): Uint8Array => fl(num, utf8(s));

for (const name of ['mlp.onnx', 'subgraph-function-ml.onnx', 'torch-export-conv-gru.onnx']) {
  test(`ONNX with standard operators is safe: ${name}`, async () => {
    const bytes = fixture(name);
    assert.equal(analyzer.detect(bytes.subarray(0, 4096), bytes.length), true);
    const r = await runAnalyzer(analyzer, bytes);
    assert.equal(r.verdict, 'safe', JSON.stringify(r.findings));
  });
}

test('external data next to the model is info, and its location is listed', async () => {
  const r = await runAnalyzer(analyzer, fixture('external-data-local.onnx'));
  assert.equal(r.verdict, 'safe');
  const f = r.findings.find((x) => x.rule === 'onnx.external-data');
  assert.deepEqual(f?.evidence['locations'], ['model.onnx.data']);
});

test('CVE-2022-25882: external data location with .. is malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('cve-2022-25882-dotdot.onnx'));
  assert.equal(r.verdict, 'malicious');
  assert.ok(r.has('onnx.external-data.path-traversal', 'malicious'));
});

test('CVE-2024-27318: absolute external data location is malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('cve-2024-27318-absolute.onnx'));
  assert.ok(r.has('onnx.external-data.path-traversal', 'malicious'));
  assert.equal(r.findings.find((f) => f.class === 'malicious')?.evidence['location'], '/etc/passwd');
});

test('CVE-2024-27318: traversal hidden in a subgraph attribute tensor (Windows separators) is malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('cve-2024-27318-subgraph.onnx'));
  assert.ok(r.has('onnx.external-data.path-traversal', 'malicious'), r.rules().join(', '));
});

test('custom operator domains are suspicious; declared-but-unused ones are info', async () => {
  const r = await runAnalyzer(analyzer, fixture('custom-domain.onnx'));
  assert.equal(r.verdict, 'suspicious');
  const domains = r.findings.filter((f) => f.rule === 'onnx.operator.custom-domain').map((f) => f.evidence['domain']);
  assert.deepEqual(domains.sort(), ['ai.onnx.contrib', 'com.example.ops']);
});

test('truncated model is invalid', async () => {
  const r = await runAnalyzer(analyzer, fixture('truncated.onnx'));
  assert.equal(r.verdict, 'invalid', JSON.stringify(r.findings));
});

test('path escapes in every form are caught', async () => {
  for (const loc of ['C:\\Windows\\win.ini', '\\\\server\\share\\x', 'file:///etc/passwd', 'https://example.invalid/w', '~/.ssh/id_rsa', 'a/../../b', 'weights\u0000.bin', '.. /x', '$HOME/x']) {
    const tensor = concat(fs(8, 'w'), fv(14, 1), fl(13, concat(fs(1, 'location'), fs(2, loc))));
    const graph = concat(fl(5, tensor), fs(2, 'g'));
    const model = concat(fv(1, 8), fs(2, 'x'), fl(7, graph), fl(8, concat(fs(1, ''), fv(2, 13))));
    const r = await runAnalyzer(analyzer, model);
    assert.ok(r.has('onnx.external-data.path-traversal', 'malicious'), loc);
  }
});

test('several location entries: every one is judged', async () => {
  const tensor = concat(fs(8, 'w'), fv(14, 1), fl(13, concat(fs(1, 'location'), fs(2, 'ok.bin'))), fl(13, concat(fs(1, 'location'), fs(2, '/etc/shadow'))));
  const model = concat(fv(1, 8), fl(7, fl(5, tensor)));
  assert.ok((await runAnalyzer(analyzer, model)).has('onnx.external-data.path-traversal', 'malicious'));
});

test('inline tensor bytes are skipped, not read (memory independent of size)', async () => {
  // A 1 GiB raw_data initializer declared in the header; the backing bytes are sparse zeros.
  const tensorHead = concat(fs(8, 'big'), fv(2, 1), varint((9 << 3) | 2), varint(1 << 30));
  const tensorLen = tensorHead.length + (1 << 30);
  const graphHead = concat(varint((5 << 3) | 2), varint(tensorLen), tensorHead);
  const graphLen = graphHead.length + (1 << 30);
  const head = concat(fv(1, 8), fs(2, 'big'), varint((7 << 3) | 2), varint(graphLen), graphHead);
  const r = await runAnalyzer(analyzer, head, { size: head.length + (1 << 30) });
  assert.equal(r.verdict, 'safe', JSON.stringify(r.findings));
});

test('deeply nested subgraphs hit the depth limit as unscannable', async () => {
  let g = concat(fs(2, 'leaf'));
  for (let i = 0; i < 120; i++) {
    const attr = concat(fs(1, 'then_branch'), fl(6, g));
    g = fl(1, concat(fs(4, 'If'), fl(5, attr)));
  }
  const model = concat(fv(1, 8), fl(7, g));
  const r = await runAnalyzer(analyzer, model);
  assert.ok(r.has('onnx.limit.depth', 'unscannable'), r.rules().join(', '));
});

test('detection: ONNX yes; SavedModel, text and other protobufs no', () => {
  assert.equal(analyzer.detect(fixture('mlp.onnx'), 209), true);
  assert.equal(analyzer.detect(new Uint8Array([0x08, 0x01, 0x12, 0x04, 0x0a, 0x02, 0x0a, 0x00]), 8), false);
  assert.equal(analyzer.detect(utf8('\x08\x08hello world this is text'), 30), false);
  assert.equal(analyzer.detect(concat(fv(1, 7), fv(99, 1)), 10), false);
});
