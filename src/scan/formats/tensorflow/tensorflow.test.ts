import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzer, tfKind } from './index.ts';
import { analyzer as onnxAnalyzer } from '../onnx/index.ts';
import { runAnalyzer } from '../common/testing.ts';

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/scan/tensorflow');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

const BENIGN: ReadonlyArray<readonly [string, string]> = [
  ['tf1-saved_model.pb', 'saved-model'],
  ['tf2-keras-saved_model.pb', 'saved-model'],
  ['frozen-graph.pb', 'graph-def'],
  ['keras_metadata.pb', 'keras-metadata'],
  ['fingerprint.pb', 'fingerprint'],
];

for (const [name, kind] of BENIGN) {
  test(`benign TensorFlow file is detected and safe: ${name}`, async () => {
    const bytes = fixture(name);
    assert.equal(tfKind(bytes.subarray(0, 4096)), kind);
    assert.equal(analyzer.detect(bytes.subarray(0, 4096), bytes.length), true);
    const r = await runAnalyzer(analyzer, bytes);
    assert.equal(r.verdict, 'safe', JSON.stringify(r.findings));
  });
}

test('no TensorFlow fixture is mistaken for ONNX, nor an ONNX model for TensorFlow', () => {
  for (const name of readdirSync(FIXTURES)) {
    const b = fixture(name);
    assert.equal(onnxAnalyzer.detect(b.subarray(0, 4096), b.length), false, name);
  }
  const onnx = new Uint8Array(readFileSync(join(FIXTURES, '../onnx/mlp.onnx')));
  assert.equal(analyzer.detect(onnx.subarray(0, 4096), onnx.length), false);
});

test('Python callbacks (PyFunc in a SavedModel function, EagerPyFunc in a frozen graph) are malicious', async () => {
  for (const name of ['pyfunc-saved_model.pb', 'eager-pyfunc-frozen.pb']) {
    const r = await runAnalyzer(analyzer, fixture(name));
    assert.equal(r.verdict, 'malicious', name);
    assert.ok(r.has('tensorflow.op.dangerous', 'malicious'));
  }
  const fn = (await runAnalyzer(analyzer, fixture('pyfunc-saved_model.pb'))).findings.find((f) => f.class === 'malicious');
  assert.equal(fn?.evidence['graph'], 'function __inference_serving_default_120');
});

test('WriteFile is malicious; ReadFile and MatchingFiles are suspicious', async () => {
  assert.equal((await runAnalyzer(analyzer, fixture('writefile-graph.pb'))).verdict, 'malicious');
  const r = await runAnalyzer(analyzer, fixture('readfile-graph.pb'));
  assert.equal(r.verdict, 'suspicious');
  assert.deepEqual(r.findings.filter((f) => f.class !== 'info').map((f) => f.evidence['op']).sort(), ['MatchingFiles', 'ReadFile']);
  const summary = r.findings.find((f) => f.rule === 'tensorflow.ops');
  assert.equal((summary?.evidence['ops'] as Record<string, number>)['ReadFile'], 1);
});

test('checkpoint save to a constant path outside the model is malicious; the normal saver is not', async () => {
  const r = await runAnalyzer(analyzer, fixture('save-odd-path-saved_model.pb'));
  assert.equal(r.verdict, 'malicious');
  const f = r.findings.find((x) => x.rule === 'tensorflow.checkpoint.path');
  assert.equal(f?.evidence['node'], 'evil/SaveV2');
});

test('PrintV2 to a file is malicious', async () => {
  assert.ok((await runAnalyzer(analyzer, fixture('printv2-file-graph.pb'))).has('tensorflow.op.dangerous', 'malicious'));
});

test('extension-library ops are suspicious (low)', async () => {
  const r = await runAnalyzer(analyzer, fixture('custom-op-saved_model.pb'));
  assert.equal(r.verdict, 'suspicious');
  assert.equal(r.findings.find((f) => f.rule === 'tensorflow.op.custom')?.severity, 'low');
});

test('CVE-2024-3660: Keras Lambda bytecode in keras_metadata.pb and in the SavedModel object graph is malicious', async () => {
  for (const name of ['keras_metadata-lambda.pb', 'lambda-in-object-graph-saved_model.pb']) {
    const r = await runAnalyzer(analyzer, fixture(name));
    assert.ok(r.has('keras.lambda.bytecode', 'malicious'), `${name}: ${JSON.stringify(r.findings)}`);
    assert.equal(r.format, 'keras');
  }
});

test('truncated SavedModel is invalid', async () => {
  const b = fixture('tf2-keras-saved_model.pb');
  const r = await runAnalyzer(analyzer, b.subarray(0, b.length - 40));
  assert.equal(r.verdict, 'invalid', JSON.stringify(r.findings));
});
