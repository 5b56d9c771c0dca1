/**
 * End to end through the engine and the default registry: every committed fixture of the
 * non-pickle formats is identified by content and gets the expected verdict (and, where it
 * matters, the expected rule). Containers (.keras, .npz) go through the zip analyzer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanSource } from '../../engine/engine.ts';
import { DEFAULT_ANALYZERS } from '../../analyzers.ts';
import { MemorySource } from '../../sources/memory-source.ts';
import type { FileVerdict, FormatId } from '../../types.ts';

const ROOT = join(import.meta.dirname, '../../../../test/fixtures/scan');

type Row = readonly [path: string, format: FormatId, verdict: FileVerdict, rule?: string];

const ROWS: readonly Row[] = [
  ['safetensors/torch-state-dict.safetensors', 'safetensors', 'safe'],
  ['safetensors/numpy-mixed-dtypes.safetensors', 'safetensors', 'safe'],
  ['safetensors/bad-header-length.safetensors', 'safetensors', 'invalid', 'safetensors.header.length'],
  ['safetensors/bad-span.safetensors', 'safetensors', 'invalid', 'safetensors.header.size'],
  ['safetensors/overlap.safetensors', 'safetensors', 'invalid', 'safetensors.header.overlap'],
  ['numpy/float32-matrix.npy', 'numpy', 'safe'],
  ['numpy/structured.npy', 'numpy', 'safe'],
  ['numpy/object-array-benign.npy', 'numpy', 'safe'],
  ['numpy/object-array-malicious.npy', 'numpy', 'malicious', 'pickle.callable.malicious'],
  ['numpy/arrays.npz', 'numpy-npz', 'safe'],
  ['numpy/object-member-malicious.npz', 'numpy-npz', 'malicious', 'pickle.callable.malicious'],
  ['numpy/truncated.npy', 'numpy', 'invalid', 'numpy.payload.truncated'],
  ['gguf/chat-llama31-tools.gguf', 'gguf', 'safe'],
  ['gguf/chat-qwen25-tools.gguf', 'gguf', 'safe'],
  ['gguf/cve-2024-34359.gguf', 'gguf', 'malicious', 'gguf.chat-template.python-internals'],
  ['gguf/obfuscated-template.gguf', 'gguf', 'malicious', 'gguf.chat-template.python-internals'],
  ['gguf/duplicate-key.gguf', 'gguf', 'invalid', 'gguf.key.duplicate'],
  ['onnx/torch-export-conv-gru.onnx', 'onnx', 'safe'],
  ['onnx/subgraph-function-ml.onnx', 'onnx', 'safe'],
  ['onnx/external-data-local.onnx', 'onnx', 'safe'],
  ['onnx/cve-2022-25882-dotdot.onnx', 'onnx', 'malicious', 'onnx.external-data.path-traversal'],
  ['onnx/cve-2024-27318-absolute.onnx', 'onnx', 'malicious', 'onnx.external-data.path-traversal'],
  ['onnx/cve-2024-27318-subgraph.onnx', 'onnx', 'malicious', 'onnx.external-data.path-traversal'],
  ['onnx/custom-domain.onnx', 'onnx', 'suspicious', 'onnx.operator.custom-domain'],
  ['keras/sequential.keras', 'keras', 'safe'],
  ['keras/cve-2024-3660-lambda.keras', 'keras', 'malicious', 'keras.lambda.bytecode'],
  ['keras/cve-2025-1550.keras', 'keras', 'malicious', 'keras.reference.dangerous'],
  ['keras/cve-2025-9906-config.json', 'keras', 'malicious', 'keras.reference.dangerous'],
  ['keras/tokenizer_config-benign.json', 'json', 'safe'],
  ['keras/tokenizer_config-malicious.json', 'json', 'malicious', 'json.chat-template.python-internals'],
  ['hdf5/tf-keras2-model.h5', 'keras', 'safe'],
  ['hdf5/keras3-weights.h5', 'hdf5', 'safe'],
  ['hdf5/cve-2025-9905-lambda.h5', 'keras', 'malicious', 'keras.lambda.bytecode'],
  ['hdf5/pickled-attribute.h5', 'hdf5', 'malicious', 'pickle.callable.malicious'],
  ['hdf5/pytables-objects-benign.h5', 'hdf5', 'safe'],
  ['hdf5/pytables-objects-malicious.h5', 'hdf5', 'malicious', 'pickle.callable.malicious'],
  ['hdf5/vlen-objects-compressed.h5', 'hdf5', 'unscannable', 'hdf5.dataset.objects-unreadable'],
  ['tensorflow/tf1-saved_model.pb', 'tensorflow', 'safe'],
  ['tensorflow/frozen-graph.pb', 'tensorflow', 'safe'],
  ['tensorflow/fingerprint.pb', 'tensorflow', 'safe'],
  ['tensorflow/tf2-keras-saved_model.pb', 'keras', 'safe'],
  ['tensorflow/pyfunc-saved_model.pb', 'tensorflow', 'malicious', 'tensorflow.op.dangerous'],
  ['tensorflow/keras_metadata-lambda.pb', 'keras', 'malicious', 'keras.lambda.bytecode'],
];

for (const [path, format, verdict, rule] of ROWS) {
  test(`engine: ${path} → ${format}, ${verdict}`, async () => {
    const bytes = new Uint8Array(readFileSync(join(ROOT, path)));
    const r = await scanSource(new MemorySource(bytes), path, DEFAULT_ANALYZERS);
    assert.equal(r.verdict, verdict, JSON.stringify(r.findings));
    assert.equal(r.format, format);
    if (rule !== undefined) assert.ok(r.findings.some((f) => f.rule === rule), r.findings.map((f) => f.rule).join(', '));
  });
}
