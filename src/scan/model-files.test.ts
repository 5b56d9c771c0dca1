import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { scanFile } from './api.ts';
import { fixturePath } from './test-support/fixtures.ts';
import { fileExtension, isPickleFormat, modelFileExpectation, PICKLE_FORMATS, scannedPickleBased } from './model-files.ts';
import type { FormatId } from './types.ts';

describe('modelFileExpectation: names', () => {
  const cases: readonly (readonly [path: string, extension: string | null, formats: readonly FormatId[] | null, pickleBased: boolean])[] = [
    ['model.safetensors', '.safetensors', ['safetensors'], false],
    ['unet/diffusion_pytorch_model.fp16.safetensors', '.safetensors', ['safetensors'], false],
    ['pytorch_model-00001-of-00002.bin', '.bin', ['pytorch-zip', 'pytorch-legacy', 'pytorch-tar', 'pickle'], true],
    ['weights/Model.PT', '.pt', ['pytorch-zip', 'pytorch-legacy', 'pytorch-tar', 'pickle'], true],
    ['ckpt/best.pth', '.pth', ['pytorch-zip', 'pytorch-legacy', 'pytorch-tar', 'pickle'], true],
    ['v1-5-pruned.ckpt', '.ckpt', ['pytorch-zip', 'pytorch-legacy', 'pytorch-tar', 'pickle'], true],
    ['model.pkl', '.pkl', ['pickle', 'joblib', 'zlib', 'gzip', 'bzip2', 'lzma', 'xz'], true],
    ['data.pickle', '.pickle', ['pickle', 'joblib', 'zlib', 'gzip', 'bzip2', 'lzma', 'xz'], true],
    ['sklearn_model.joblib', '.joblib', ['joblib', 'pickle', 'zlib', 'gzip', 'bzip2', 'lzma', 'xz'], true],
    ['embeddings.npy', '.npy', ['numpy'], false],
    ['arrays.NPZ', '.npz', ['numpy-npz'], false],
    ['tf_model.h5', '.h5', ['hdf5', 'keras'], false],
    ['weights.hdf5', '.hdf5', ['hdf5', 'keras'], false],
    ['model.keras', '.keras', ['keras'], false],
    ['onnx/model.onnx', '.onnx', ['onnx'], false],
    ['llama-7b.Q4_K_M.gguf', '.gguf', ['gguf'], false],
    ['saved_model/saved_model.pb', '.pb', ['tensorflow', 'keras'], false],
    // Not model files by name: scanned as whatever their bytes are.
    ['config.json', '.json', null, false],
    ['model.safetensors.index.json', '.json', null, false],
    ['model.ckpt.index', '.index', null, false],
    ['README.md', '.md', null, false],
    ['LICENSE', null, null, false],
    ['.gitattributes', null, null, false],
    ['dir.bin/README', null, null, false],
    // Windows drops trailing dots and spaces from a file name: `model.bin.` is `model.bin` there.
    ['pytorch_model.bin.', '.bin', ['pytorch-zip', 'pytorch-legacy', 'pytorch-tar', 'pickle'], true],
    ['model.safetensors . ', '.safetensors', ['safetensors'], false],
    ['sub\\model.pkl', '.pkl', ['pickle', 'joblib', 'zlib', 'gzip', 'bzip2', 'lzma', 'xz'], true],
  ];
  for (const [path, extension, formats, pickleBased] of cases) {
    test(JSON.stringify(path), () => {
      assert.deepEqual(modelFileExpectation(path), { extension, expectedFormats: formats, pickleBased });
      assert.equal(fileExtension(path), extension);
    });
  }
});

test('the pickle family: pickle and what loaders unpickle from, not numpy', () => {
  assert.deepEqual([...PICKLE_FORMATS].sort(), ['joblib', 'pickle', 'pytorch-legacy', 'pytorch-tar', 'pytorch-zip']);
  for (const f of ['numpy', 'numpy-npz', 'safetensors', 'zlib', 'keras', 'zip', 'unknown'] as const) assert.equal(isPickleFormat(f), false, f);
  for (const f of PICKLE_FORMATS) assert.equal(isPickleFormat(f), true, f);
});

test('scannedPickleBased: by the scanned format, or by the name when the scan cannot tell', () => {
  const joblib = modelFileExpectation('model.joblib');
  const bin = modelFileExpectation('pytorch_model.bin');
  const safetensors = modelFileExpectation('model.safetensors');
  const json = modelFileExpectation('config.json');
  assert.equal(scannedPickleBased(joblib, 'zlib'), true);
  assert.equal(scannedPickleBased(bin, 'unknown'), true);
  assert.equal(scannedPickleBased(safetensors, 'pickle'), true);
  assert.equal(scannedPickleBased(json, 'pytorch-zip'), true);
  assert.equal(scannedPickleBased(safetensors, 'safetensors'), false);
  assert.equal(scannedPickleBased(json, 'unknown'), false);
  assert.equal(scannedPickleBased(json, 'gzip'), false);
  assert.equal(scannedPickleBased(bin, 'numpy'), false);
});

/**
 * Real files of each kind, under the names the Hub gives them: scanned with the expectation of
 * that name, none is reported as another format than expected. [fixture folder/file, Hub name,
 * the format the scan ends as].
 */
const BENIGN: readonly (readonly [fixture: string, hubName: string, format: FormatId])[] = [
  ['safetensors/torch-state-dict.safetensors', 'model.safetensors', 'safetensors'],
  ['safetensors/numpy-mixed-dtypes.safetensors', 'model.safetensors', 'safetensors'],
  ['redteam/safetensors/benign-metadata.safetensors', 'model-00001-of-00002.safetensors', 'safetensors'],
  ['pytorch/state-dict.pt', 'pytorch_model.bin', 'pytorch-zip'],
  ['pytorch/legacy-state-dict.pt', 'pytorch_model.bin', 'pytorch-legacy'],
  ['pytorch/torchscript.pt', 'traced.pt', 'pytorch-zip'],
  ['pytorch/optimizer.pt', 'optimizer.pth', 'pytorch-zip'],
  ['pytorch/pickled-tensor.pkl', 'weights.pth', 'pickle'],
  ['redteam/torch/training-checkpoint.pt', 'last.ckpt', 'pytorch-zip'],
  ['redteam/torch/state-dict-legacy-format.pt', 'model.ckpt', 'pytorch-legacy'],
  ['pickle/benign-data-p4.pkl', 'data.pkl', 'pickle'],
  ['redteam/sklearn/logreg.pkl', 'model.pkl', 'pickle'],
  ['redteam/sklearn/logreg.joblib', 'model.pkl', 'joblib'],
  ['redteam/sklearn/logreg-compressed.joblib', 'model.pickle', 'zlib'],
  ['joblib/arrays.joblib', 'sklearn_model.joblib', 'joblib'],
  ['joblib/arrays-zlib.joblib', 'sklearn_model.joblib', 'zlib'],
  ['joblib/arrays.joblib.gz', 'sklearn_model.joblib', 'gzip'],
  ['joblib/arrays.joblib.bz2', 'sklearn_model.joblib', 'bzip2'],
  ['joblib/arrays.joblib.lzma', 'sklearn_model.joblib', 'lzma'],
  ['joblib/arrays.joblib.xz', 'sklearn_model.joblib', 'xz'],
  ['redteam/sklearn/pipeline.pkl', 'pipeline.joblib', 'pickle'],
  ['numpy/float32-matrix.npy', 'embeddings.npy', 'numpy'],
  ['numpy/structured.npy', 'table.npy', 'numpy'],
  ['numpy/object-array-benign.npy', 'objects.npy', 'numpy'],
  ['numpy/arrays.npz', 'arrays.npz', 'numpy-npz'],
  ['redteam/numpy-h5/all-compressed.npz', 'arrays.npz', 'numpy-npz'],
  ['hdf5/keras-model-latest-dense.h5', 'model.h5', 'keras'],
  ['hdf5/tf-keras2-model.h5', 'tf_model.h5', 'keras'],
  ['hdf5/keras3-weights.h5', 'model.weights.h5', 'hdf5'],
  ['hdf5/pytables-objects-benign.h5', 'table.hdf5', 'hdf5'],
  ['keras/sequential.keras', 'model.keras', 'keras'],
  ['redteam/keras/benign-sequential.keras', 'model.keras', 'keras'],
  ['onnx/mlp.onnx', 'model.onnx', 'onnx'],
  ['onnx/torch-export-conv-gru.onnx', 'onnx/model.onnx', 'onnx'],
  ['gguf/chat-llama3.gguf', 'model.Q4_K_M.gguf', 'gguf'],
  ['gguf/no-template.gguf', 'model.gguf', 'gguf'],
  ['tensorflow/frozen-graph.pb', 'frozen_graph.pb', 'tensorflow'],
  ['tensorflow/tf1-saved_model.pb', 'saved_model.pb', 'tensorflow'],
  ['tensorflow/tf2-keras-saved_model.pb', 'saved_model.pb', 'keras'],
  ['tensorflow/keras_metadata.pb', 'keras_metadata.pb', 'keras'],
  ['tensorflow/fingerprint.pb', 'fingerprint.pb', 'tensorflow'],
];

function scanAs(fixture: string, hubName: string) {
  const [folder = '', ...rest] = fixture.split('/');
  const expectedFormats = modelFileExpectation(hubName).expectedFormats;
  assert.ok(expectedFormats !== null, `${hubName} is a model file by its name`);
  return scanFile(fixturePath(folder, rest.join('/')), { expectedFormats });
}

describe('benign model files match the formats their names promise', () => {
  for (const [fixture, hubName, format] of BENIGN) {
    test(`${fixture} as ${hubName}: ${format}`, async () => {
      const r = await scanAs(fixture, hubName);
      const summary = r.findings.map((f) => `${f.class} ${f.rule} ${f.message}`).join('\n  ');
      assert.equal(r.format, format, summary);
      assert.ok(!r.findings.some((f) => f.rule === 'scan.format.unexpected'), `unexpected format:\n  ${summary}`);
      assert.equal(r.verdict, 'safe', summary);
      assert.equal(scannedPickleBased(modelFileExpectation(hubName), r.format), modelFileExpectation(hubName).pickleBased || isPickleFormat(format));
    });
  }

  test('a benign file of every pickle format is covered (the legacy tar has only a malicious fixture)', () => {
    const seen = new Set(BENIGN.map(([, , f]) => f));
    for (const f of PICKLE_FORMATS) if (f !== 'pytorch-tar') assert.ok(seen.has(f), `a benign ${f} file is covered`);
  });
});

test('a legacy PyTorch tar is one of the formats of .bin (its payload is judged on its own)', async () => {
  const r = await scanAs('pytorch/legacy-tar-malicious.pt', 'pytorch_model.bin');
  assert.equal(r.format, 'pytorch-tar');
  assert.ok(!r.findings.some((f) => f.rule === 'scan.format.unexpected'));
});

describe('a file whose bytes are not what its name promises is suspicious', () => {
  const cases: readonly (readonly [fixture: string, hubName: string])[] = [
    ['pickle/benign-data-p4.pkl', 'model.safetensors'],
    ['pytorch/state-dict.pt', 'model.safetensors'],
    ['redteam/numpy/not-npy-pickle-npy-name.npy', 'embeddings.npy'],
    ['safetensors/torch-state-dict.safetensors', 'model.gguf'],
    ['numpy/arrays.npz', 'model.keras'],
    ['gguf/no-template.gguf', 'model.onnx'],
  ];
  for (const [fixture, hubName] of cases) {
    test(`${fixture} as ${hubName}`, async () => {
      const r = await scanAs(fixture, hubName);
      const f = r.findings.find((x) => x.rule === 'scan.format.unexpected');
      assert.ok(f !== undefined, `no scan.format.unexpected for ${fixture}`);
      assert.equal(f.class, 'suspicious');
      assert.notEqual(r.verdict, 'safe');
    });
  }
});
